"""The streamable HTTP endpoint at ``/mcp``: the MCP server inside the app, behind the service's keys.

Each request's bearer key is checked by the SDK's auth middleware with ``ServiceKeyVerifier``;
without a valid one a server that has keys answers 401 with ``WWW-Authenticate: Bearer``, and
an open server serves it in the default namespace. The tools then run in the key's namespace,
in process, on the app's runtime.

The endpoint is stateless and answers in JSON: no MCP session lives in a replica, so any
replica behind a load balancer can answer any request, and the tools neither stream nor ask
the client anything back.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from mcp.server.auth.middleware.auth_context import AuthContextMiddleware
from mcp.server.auth.middleware.bearer_auth import BearerAuthBackend, RequireAuthMiddleware
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from memory_service.api.auth import keys_required
from memory_service.api.errors import error_body
from memory_service.mcp.auth import ServiceKeyVerifier, caller_grant
from memory_service.mcp.server import build_server
from memory_service.mcp.tools import Caller
from memory_service.sdk.local import LocalMemoryClient

if TYPE_CHECKING:
    from memory_service.runtime import Runtime

MCP_PATH = "/mcp"


class McpEndpoint:
    """The ASGI app routed at ``MCP_PATH``; serves while ``running`` (the app's lifespan) is entered."""

    def __init__(self, host: str) -> None:
        self._host = host
        self._runtime: Runtime | None = None
        self._manager: StreamableHTTPSessionManager | None = None
        verifier = ServiceKeyVerifier(self._current_runtime)
        self._keyed: ASGIApp = RequireAuthMiddleware(self._serve, required_scopes=[])
        self._app: ASGIApp = AuthenticationMiddleware(
            AuthContextMiddleware(self._gate), backend=BearerAuthBackend(verifier)
        )

    @asynccontextmanager
    async def running(self, runtime: Runtime) -> AsyncIterator[None]:
        """Serve on ``runtime`` until the block ends; a session manager runs once, so each run makes its own."""
        server = build_server(lambda: _caller(runtime))
        server.streamable_http_app(
            stateless_http=True, json_response=True, host=self._host, transport_security=_security(runtime)
        )
        manager = server.session_manager
        async with manager.run():
            self._runtime, self._manager = runtime, manager
            try:
                yield
            finally:
                self._runtime, self._manager = None, None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._manager is None:
            await _unavailable(send)
            return
        await self._app(scope, receive, send)

    async def _gate(self, scope: Scope, receive: Receive, send: Send) -> None:
        if keys_required(self._current_runtime()):
            await self._keyed(scope, receive, send)
        else:
            await self._serve(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        manager = self._manager
        if manager is None:
            await _unavailable(send)
            return
        await manager.handle_request(scope, receive, send)

    def _current_runtime(self) -> Runtime:
        if self._runtime is None:
            raise RuntimeError("the MCP endpoint is not running")
        return self._runtime


def _security(runtime: Runtime) -> TransportSecuritySettings | None:
    """The SDK's default for an open server: on loopback, only local Host and Origin headers, so a web
    page cannot reach the tools by DNS rebinding. With keys the key protects the endpoint, and the
    Host check would refuse a server behind a reverse proxy."""
    return TransportSecuritySettings(enable_dns_rebinding_protection=False) if keys_required(runtime) else None


def _caller(runtime: Runtime) -> Caller:
    """The current request's caller: a client in its key's namespace, with its key's scopes."""
    grant = caller_grant(runtime)
    return Caller(LocalMemoryClient(runtime.service, grant.namespace), grant.scopes)


async def _unavailable(send: Send) -> None:
    body = json.dumps(error_body("unavailable", "the MCP endpoint is not running: start the app's lifespan")).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body})
