"""API schemas of key management and the audit log: ``KeyCreate`` comes in; ``ApiKeyCreated`` (the
one answer that holds a key's secret), ``ApiKeyPublic``, ``ApiKeysPage`` and ``AuditEventsPage`` go out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import Field

from memory_service.domain import Page
from memory_service.schemas.common import Identifier, ItemsPage, PublicModel, RequestModel, RequestTime
from memory_service.security.domain import ApiKey, AuditEvent, CreatedKey, KeyStatus
from memory_service.security.scopes import DEFAULT_SCOPES, Scope, ordered


class KeyCreate(RequestModel):
    namespace: Identifier | None = Field(
        default=None, description="The tenant the key belongs to; default: the caller's own namespace."
    )
    scopes: list[Scope] = Field(
        default_factory=lambda: ordered(DEFAULT_SCOPES), min_length=1, description="read, write and/or admin."
    )
    expires_at: RequestTime | None = Field(default=None, description="When the key stops working; never if null.")


class ApiKeyPublic(PublicModel):
    id: str
    prefix: str = Field(description="The key's first characters, to recognise it; the rest is never stored.")
    namespace: str
    scopes: list[Scope]
    status: KeyStatus
    created_at: datetime
    created_by: str = Field(description="The key id that made it, a bootstrap key, or cli.")
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None = Field(description="Last request made with it, to within a minute.")

    @classmethod
    def from_key(cls, key: ApiKey, now: datetime | None = None) -> ApiKeyPublic:
        return cls(**_fields(key, now))


class ApiKeyCreated(ApiKeyPublic):
    secret: str = Field(
        description="The key itself, shown this once and never stored: send it as 'Authorization: Bearer <secret>'."
    )

    @classmethod
    def from_created(cls, created: CreatedKey) -> ApiKeyCreated:
        return cls(**_fields(created.key, None), secret=created.secret)


class ApiKeysPage(ItemsPage[ApiKeyPublic]):
    @classmethod
    def from_domain(cls, page: Page[ApiKey]) -> ApiKeysPage:
        now = datetime.now(UTC)
        return cls.convert(page, lambda key: ApiKeyPublic.from_key(key, now))


class AuditEventPublic(PublicModel):
    id: str
    at: datetime
    actor: str = Field(description="Who made the change: a key id, bootstrap:<namespace>, open or cli.")
    action: str = Field(description="What happened, e.g. key.create, key.revoke.")
    target: str | None
    namespace: str | None
    details: dict[str, Any]


class AuditEventsPage(ItemsPage[AuditEventPublic]):
    @classmethod
    def from_domain(cls, page: Page[AuditEvent]) -> AuditEventsPage:
        return cls.convert(page, AuditEventPublic.from_domain)


def _fields(key: ApiKey, now: datetime | None) -> dict[str, Any]:
    return {
        "id": key.id,
        "prefix": key.prefix,
        "namespace": key.namespace,
        "scopes": ordered(key.scopes),
        "status": key.status(now or datetime.now(UTC)),
        "created_at": key.created_at,
        "created_by": key.created_by,
        "expires_at": key.expires_at,
        "revoked_at": key.revoked_at,
        "last_used_at": key.last_used_at,
    }
