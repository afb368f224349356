"""Liveness, readiness and metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from memory_service.api.deps import RuntimeDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(runtime: RuntimeDep) -> dict[str, object]:
    """The store answers and the model is loaded; 503 otherwise."""
    runtime.db.ping()
    return {
        "status": "ready",
        "database": runtime.db.dialect,
        "embedding_model": runtime.embedder.name,
        "embedding_dim": runtime.embedder.dim,
        "loaded_partitions": runtime.indexes.loaded_partitions(),
    }


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    responses={200: {"description": "Prometheus text exposition format.", "content": {"text/plain": {}}}},
)
def metrics(request: Request) -> Response:
    """Request counts and latencies by route, index sizes, loaded partitions, the extraction queue, query
    batch sizes, and the process's memory and CPU, for Prometheus."""
    return Response(generate_latest(request.app.state.metrics_registry), media_type=CONTENT_TYPE_LATEST)
