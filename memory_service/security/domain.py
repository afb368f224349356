"""Values of the security layer, free of SQL and HTTP: a stored key as the service sees it, an audit event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from memory_service.security.scopes import Scope

KEY_ID_PREFIX = "key_"
KeyStatus = Literal["active", "expired", "revoked"]


def key_public_id(pk: int) -> str:
    return f"{KEY_ID_PREFIX}{pk}"


def parse_key_id(public_id: str) -> int | None:
    """The primary key behind ``key_<n>``, or None when ``public_id`` is not a key id."""
    digits = public_id.removeprefix(KEY_ID_PREFIX)
    return int(digits) if public_id.startswith(KEY_ID_PREFIX) and digits.isdigit() else None


@dataclass(frozen=True)
class ApiKey:
    """A stored key: everything but the secret, which the service never keeps."""

    pk: int
    prefix: str
    namespace: str
    scopes: tuple[Scope, ...]
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def id(self) -> str:
        return key_public_id(self.pk)

    def status(self, now: datetime) -> KeyStatus:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


@dataclass(frozen=True)
class CreatedKey:
    """A key just made: ``secret`` is the only copy there will ever be."""

    key: ApiKey
    secret: str


@dataclass(frozen=True)
class AuditEvent:
    """One change worth answering for later: who (``actor``), did what (``action``), to what, when."""

    pk: int
    at: datetime
    actor: str
    action: str
    target: str | None
    namespace: str | None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"audit_{self.pk}"
