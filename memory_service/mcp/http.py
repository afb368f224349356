"""The streamable HTTP endpoint at ``/mcp``: the MCP server inside the app, behind the service's keys.

Each request acts as the principal ``runtime.auth`` finds for its ``Authorization`` header, as
a REST request does: when keys are required and it brings none that works, the endpoint answers
401 with ``WWW-Authenticate: Bearer`` and the service's error body. The tools then run in the
principal's namespace, with its scopes, in process, on the app's runtime.

The endpoint is stateless and answers in JSON: no MCP session lives in a replica, so any
replica behind a load balancer can answer any request, and the tools neither stream nor ask
the client anything back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import anyio.to_thread
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecurityMiddleware, TransportSecuritySettings
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from memory_service.api.errors import error_response
from memory_service.errors import MemoryServiceError
from memory_service.mcp.auth import acting_as, current_principal
from memory_service.mcp.server import build_server
from memory_service.mcp.tools import Caller
from memory_service.sdk.local import LocalMemoryClient

if TYPE_CHECKING:
    from memory_service.runtime import Runtime
    from memory_service.security.principal import Principal

MCP_PATH = "/mcp"

LOCAL_ONLY = TransportSecurityMiddleware(
    TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*"],
        allowed_origins=["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"],
    )
)
"""The SDK's own check for a server on loopback: only local Host and Origin headers."""


class McpEndpoint:
    """The ASGI app routed at ``MCP_PATH``; serves while ``running`` (the app's lifespan) is entered."""

    def __init__(self) -> None:
        self._runtime: Runtime | None = None
        self._manager: StreamableHTTPSessionManager | None = None

    @asynccontextmanager
    async def running(self, runtime: Runtime) -> AsyncIterator[None]:
        """Serve on ``runtime`` until the block ends; a session manager runs once, so each run makes its own."""
        server = build_server(lambda: _caller(runtime))
        # Host and Origin are checked here per request (see ``__call__``), since whether keys are
        # required may change while the server runs.
        unchecked = TransportSecuritySettings(enable_dns_rebinding_protection=False)
        server.streamable_http_app(stateless_http=True, json_response=True, transport_security=unchecked)
        manager = server.session_manager
        async with manager.run():
            self._runtime, self._manager = runtime, manager
            try:
                yield
            finally:
                self._runtime, self._manager = None, None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        runtime, manager = self._runtime, self._manager
        if runtime is None or manager is None:
            message = "the MCP endpoint is not running: start the app's lifespan"
            await error_response(503, "unavailable", message)(scope, receive, send)
            return
        try:
            principal = await _principal(runtime, Headers(scope=scope).get("authorization"))
        except MemoryServiceError as exc:
            # RFC 6750, as the REST routes answer: a 401 names the scheme to authenticate with.
            headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
            await error_response(exc.status_code, exc.code, exc.message, exc.details, headers)(scope, receive, send)
            return
        if principal.origin == "open":
            # No key protects an open server (it listens on loopback only), so a web page that
            # rebinds a domain name to 127.0.0.1 must not reach the tools. With keys the key
            # protects the endpoint, and a Host check would refuse a server behind a reverse proxy.
            refused = await LOCAL_ONLY.validate_request(Request(scope))
            if refused is not None:
                await refused(scope, receive, send)
                return
        with acting_as(principal):  # the SDK's server task for this request starts inside, and inherits it
            await manager.handle_request(scope, receive, send)


async def _principal(runtime: Runtime, authorization: str | None) -> Principal:
    # In a worker thread: checking a key reads the store.
    return await anyio.to_thread.run_sync(runtime.auth.principal, authorization)


def _caller(runtime: Runtime) -> Caller:
    """The current request's caller: a client in its principal's namespace, with its principal's scopes."""
    principal = current_principal()
    return Caller(LocalMemoryClient(runtime, principal.namespace), principal)
