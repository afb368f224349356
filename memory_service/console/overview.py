"""The overview: what each namespace holds per layer, the index and the model, the extraction queue."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from fastapi.responses import Response

from memory_service.runtime import Runtime

from .context import ConsoleDep, ConsoleRoute
from .directory import Directory

router = APIRouter(prefix="/admin", route_class=ConsoleRoute, include_in_schema=False)


@dataclass(frozen=True)
class IndexState:
    model: str
    dimension: int
    device: str
    episodic_partitions: int
    semantic_partitions: int
    graph_partitions: int
    vectors: int
    max_loaded_partitions: int


def index_state(runtime: Runtime) -> IndexState:
    loaded = runtime.indexes.loaded.items()
    return IndexState(
        model=runtime.embedder.name,
        dimension=runtime.embedder.dim,
        device=str(getattr(runtime.embedder, "device", runtime.indexes.device)),
        episodic_partitions=len(loaded),
        semantic_partitions=len(runtime.semantic.indexes.loaded),
        graph_partitions=len(runtime.graph.loaded),
        vectors=sum(len(index.dense) for _, index in loaded),
        max_loaded_partitions=runtime.settings.max_loaded_partitions,
    )


@router.get("")
def overview(console: ConsoleDep) -> Response:
    directory = Directory(console.runtime.db)
    counts = directory.counts()
    if not console.principal.manages_all_namespaces:
        counts = [c for c in counts if c.namespace == console.namespace]
    return console.page(
        "overview.html",
        counts=counts,
        index=index_state(console.runtime),
        queue=directory.queue(),
        failures=directory.failures() if console.principal.manages_all_namespaces else [],
    )
