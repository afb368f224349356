"""The service's own API keys as MCP bearer tokens, through the SDK's ``TokenVerifier`` protocol.

The verifier asks ``api.auth.resolve_key``, the one place keys are checked, and carries the
grant (namespace and scopes) in the SDK's ``AccessToken``, which the SDK's auth middleware
makes the current request's (``get_access_token``). ``caller_grant`` reads it back in a tool.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

import anyio.to_thread
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken

from memory_service.api.auth import EVERY_SCOPE, OPEN_GRANT, KeyGrant, Scope, keys_required, resolve_key
from memory_service.errors import AuthenticationError

if TYPE_CHECKING:
    from memory_service.runtime import Runtime

NAMESPACE_CLAIM = "namespace"


class ServiceKeyVerifier:
    """A ``TokenVerifier``: a bearer token is valid when it is one of the service's keys."""

    def __init__(self, runtime: Callable[[], Runtime]) -> None:
        self._runtime = runtime

    async def verify_token(self, token: str) -> AccessToken | None:
        # In a worker thread: a key lookup may read the store.
        grant = await anyio.to_thread.run_sync(resolve_key, self._runtime(), token)
        if grant is None:
            return None
        return AccessToken(
            token=token,
            client_id=grant.namespace,
            scopes=sorted(grant.scopes),
            claims={NAMESPACE_CLAIM: grant.namespace},
        )


def caller_grant(runtime: Runtime) -> KeyGrant:
    """The grant of the current MCP request: its key's, or the open one on a server without keys."""
    token = get_access_token()
    if token is None:
        if keys_required(runtime):  # the endpoint refuses these requests; never fall back to a namespace
            raise AuthenticationError("missing API key: send 'Authorization: Bearer <key>'")
        return OPEN_GRANT
    namespace = str((token.claims or {}).get(NAMESPACE_CLAIM, token.client_id))
    scopes = frozenset(cast(Scope, scope) for scope in token.scopes if scope in EVERY_SCOPE)
    return KeyGrant(namespace, scopes)
