"""Who an MCP request acts as: the service's own keys, checked by ``runtime.auth`` as for REST.

The endpoint asks ``runtime.auth`` for the principal of each request's ``Authorization``
header, as the REST routes do, and holds it for the request in a context variable, which the
request's tasks (the SDK's server among them) inherit. ``current_principal`` reads it back in a
tool.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from memory_service.errors import AuthenticationError
from memory_service.security.key_store import HOW_TO_SEND
from memory_service.security.principal import Principal

_principal: ContextVar[Principal | None] = ContextVar("mcp_principal", default=None)


@contextmanager
def acting_as(principal: Principal) -> Iterator[None]:
    """The block (and every task started in it) serves ``principal``."""
    token = _principal.set(principal)
    try:
        yield
    finally:
        _principal.reset(token)


def current_principal() -> Principal:
    """The principal of the current MCP request; 401 outside one, never a fallback namespace."""
    principal = _principal.get()
    if principal is None:
        raise AuthenticationError(f"missing API key: {HOW_TO_SEND}")
    return principal
