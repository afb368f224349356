"""Assembles the FastAPI app; nothing else lives here."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, ProcessCollector
from starlette.routing import Route

from memory_service.api.errors import UnexpectedErrors, install_error_handlers
from memory_service.api.limits import BodySizeLimit
from memory_service.api.metrics import RequestMetrics
from memory_service.api.request_id import RequestId
from memory_service.api.routes import (
    admin,
    episodes,
    graph,
    health,
    memories,
    profile,
    search,
    sessions,
    transfer,
    users,
)
from memory_service.api.runtime_metrics import install_runtime_metrics, observe_batches
from memory_service.console import install as install_console

# The one module of the core that knows the evaluation harness: it mounts its REST router and runs
# its jobs while the app serves. Nothing the service does depends on it.
from memory_service.evaluation import api as evaluation_api
from memory_service.mcp.http import MCP_PATH, McpEndpoint
from memory_service.runtime import Runtime, build_runtime, freeze_long_lived_objects
from memory_service.schemas import ErrorResponse
from memory_service.settings import Settings
from memory_service.version import __version__

log = logging.getLogger("memory_service")

COMMON_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "A body that is not JSON, or not UTF-8."},
    401: {"model": ErrorResponse, "description": "No key, or one unknown, expired or revoked (keys required)."},
    403: {"model": ErrorResponse, "description": "The key lacks the scope the route needs."},
    413: {"model": ErrorResponse, "description": "The body is larger than MEMORY_MAX_REQUEST_BYTES."},
    429: {"model": ErrorResponse, "description": "Over the key's rate limit (MEMORY_RATE_LIMIT); see Retry-After."},
}
"""Answers any /v1 route may give before its own code runs, documented on every route."""


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """The app; with ``runtime`` given it serves that one and leaves closing it to the caller."""
    settings = runtime.settings if runtime is not None else settings or Settings()
    mcp = McpEndpoint()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = runtime is None
        app.state.runtime = runtime if runtime is not None else build_runtime(settings)
        if owned:
            observe_batches(app.state.runtime, batch_sizes)
            freeze_long_lived_objects()
        log.info(
            "memory service %s ready: data dir %s, database %s, model %s, %s",
            __version__,
            settings.data_dir.resolve(),
            app.state.runtime.db.dialect,
            app.state.runtime.embedder.name,
            "API keys required"
            if app.state.runtime.auth.mode() == "keys"
            else "OPEN (no API key configured; loopback only)",
        )
        try:
            async with mcp.running(app.state.runtime), evaluation_api.jobs_running(app):
                yield
        finally:
            if owned:
                app.state.runtime.close()
                gc.unfreeze()  # what the runtime held can be collected again

    app = FastAPI(
        title="Memory Service",
        version=__version__,
        summary="Long-term memory for LLM agents: episodic, semantic and temporal-graph layers.",
        lifespan=lifespan,
    )
    registry = CollectorRegistry()
    # Resident memory, CPU seconds and open files of the serving process: what an index costs.
    ProcessCollector(registry=registry)
    batch_sizes = install_runtime_metrics(registry, lambda: getattr(app.state, "runtime", None))
    if runtime is not None:
        app.state.runtime = runtime
        observe_batches(runtime, batch_sizes)
    app.state.metrics_registry = registry
    install_error_handlers(app)
    for module in (sessions, episodes, memories, profile, graph, search, users, transfer, admin):
        app.include_router(module.router, responses=COMMON_ERRORS)
    app.include_router(health.router)
    app.include_router(evaluation_api.router, responses=COMMON_ERRORS)
    install_console(app)
    app.router.routes.append(Route(MCP_PATH, mcp, include_in_schema=False))  # streamable HTTP, the REST keys
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(RequestMetrics, registry=registry)
    app.add_middleware(UnexpectedErrors)  # inside RequestId: a 500 names its request too
    app.add_middleware(RequestId)  # outermost: every answer, a 413 included, carries the id
    return app
