"""Who a request acts as: a namespace, the scopes it holds, and where that authority came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from memory_service.domain import DEFAULT_NAMESPACE
from memory_service.errors import PermissionDeniedError
from memory_service.security.scopes import ALL_SCOPES, Scope, ordered

Origin = Literal["key", "bootstrap", "open"]
CLI_ACTOR = "cli"
"""The actor of changes made with ``memory-service keys`` on the store directly."""


@dataclass(frozen=True)
class Principal:
    """The caller of one request.

    ``origin`` is ``key`` for a stored key (``key_id`` names it), ``bootstrap`` for a key of
    ``MEMORY_API_KEYS`` and ``open`` for a server without keys. Stored admin keys manage keys of
    their own namespace only; bootstrap keys and an open server stand for the operator, who
    manages every namespace.
    """

    namespace: str
    scopes: frozenset[Scope]
    key_id: str | None = None
    origin: Origin = "key"

    @classmethod
    def open(cls) -> Principal:
        return cls(DEFAULT_NAMESPACE, ALL_SCOPES, None, "open")

    @classmethod
    def bootstrap(cls, namespace: str) -> Principal:
        return cls(namespace, ALL_SCOPES, None, "bootstrap")

    @property
    def actor(self) -> str:
        """How the audit log names this caller: the key id, ``bootstrap:<namespace>`` or ``open``."""
        if self.origin == "key" and self.key_id:
            return self.key_id
        return f"bootstrap:{self.namespace}" if self.origin == "bootstrap" else "open"

    @property
    def manages_all_namespaces(self) -> bool:
        return self.origin != "key"

    def require(self, scope: Scope) -> None:
        """403 unless the caller holds ``scope``."""
        if scope not in self.scopes:
            held = ", ".join(ordered(self.scopes)) or "none"
            raise PermissionDeniedError(
                f"this API key lacks the '{scope}' scope (it has: {held}); "
                f"use a key made with it, e.g. `memory-service keys create --scopes {scope}`",
                details={"required_scope": scope, "scopes": ordered(self.scopes)},
            )

    def check_manages(self, namespace: str) -> None:
        """403 unless the caller may manage keys and read the audit log of ``namespace``."""
        if not self.manages_all_namespaces and namespace != self.namespace:
            raise PermissionDeniedError(
                f"an admin key of namespace '{self.namespace}' manages only that namespace",
                details={"namespace": namespace},
            )

    def managed_namespace(self) -> str | None:
        """The one namespace this caller manages, or None for every one."""
        return None if self.manages_all_namespaces else self.namespace
