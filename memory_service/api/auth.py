"""Who a bearer key is: the one place keys are checked, for the REST routes and the MCP endpoint alike.

A key grants a namespace and scopes. The keys today are ``MEMORY_API_KEYS`` (key -> namespace),
each allowed to read and write its namespace; ``resolve_key`` is the function to change when
keys are stored elsewhere or carry narrower scopes.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from memory_service.domain import DEFAULT_NAMESPACE

if TYPE_CHECKING:
    from memory_service.runtime import Runtime

Scope = Literal["read", "write"]
READ: Scope = "read"
WRITE: Scope = "write"
EVERY_SCOPE: frozenset[Scope] = frozenset({READ, WRITE})


@dataclass(frozen=True)
class KeyGrant:
    """What a request may do: act in ``namespace`` with ``scopes``."""

    namespace: str
    scopes: frozenset[Scope]

    def allows(self, scope: Scope) -> bool:
        return scope in self.scopes


OPEN_GRANT = KeyGrant(DEFAULT_NAMESPACE, EVERY_SCOPE)
"""A server without keys: every caller acts in the default namespace (it listens on loopback only)."""


def keys_required(runtime: Runtime) -> bool:
    """Whether callers must present a key; False on an open server."""
    return bool(runtime.settings.api_keys)


def resolve_key(runtime: Runtime, token: str) -> KeyGrant | None:
    """The grant of ``token``, or None when it is no key of this server (compared in constant time)."""
    presented = token.strip().encode()
    for key, namespace in runtime.settings.api_keys.items():
        if secrets.compare_digest(key.encode(), presented):
            return KeyGrant(namespace, EVERY_SCOPE)
    return None


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; None when absent or of another scheme."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None
