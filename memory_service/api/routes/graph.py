"""The temporal graph: entities, an entity's neighbourhood, and relations now or as of a moment."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from memory_service.api.deps import READ, GraphDep, Limit, NamespaceDep
from memory_service.layers.temporal.domain import TimeAxis
from memory_service.layers.temporal.service import MAX_HOPS
from memory_service.schemas import (
    ErrorResponse,
    GraphEdgesPage,
    GraphEntitiesPage,
    GraphEntityDetailPublic,
    GraphNeighborsResponse,
    Identifier,
)
from memory_service.schemas.common import RequestTime

EntityIdPath = Annotated[str, Path(max_length=48, description="An entity id, e.g. ent_3_7.")]
AsOf = Annotated[RequestTime | None, Query(description="A moment with a timezone; omitted: now, as currently known.")]
Axis = Annotated[
    TimeAxis, Query(description="valid: true in the world at as_of; known: what the service held at as_of.")
]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorResponse}}

router = APIRouter(prefix="/v1/graph", tags=["graph"], dependencies=[READ], responses={422: {"model": ErrorResponse}})


@router.get("/entities", response_model=GraphEntitiesPage)
def list_entities(
    user_id: Annotated[Identifier, Query()],
    graph: GraphDep,
    namespace: NamespaceDep,
    limit: Limit = 100,
    cursor: str | None = None,
) -> GraphEntitiesPage:
    """The user's entities, oldest first; each name the graph resolved to one node appears once."""
    return GraphEntitiesPage.from_domain(graph.list_entities(namespace, user_id, limit=limit, cursor=cursor))


@router.get("/entities/{entity_id}", response_model=GraphEntityDetailPublic, responses=NOT_FOUND)
def get_entity(entity_id: EntityIdPath, graph: GraphDep, namespace: NamespaceDep) -> GraphEntityDetailPublic:
    """The entity with its history: every relation touching it, past ones included."""
    return GraphEntityDetailPublic.from_detail(graph.get_entity(namespace, entity_id))


@router.get("/entities/{entity_id}/neighbors", response_model=GraphNeighborsResponse, responses=NOT_FOUND)
def entity_neighbors(
    entity_id: EntityIdPath,
    graph: GraphDep,
    namespace: NamespaceDep,
    hops: Annotated[int, Query(ge=1, le=MAX_HOPS)] = 1,
    as_of: AsOf = None,
    by: Axis = "valid",
) -> GraphNeighborsResponse:
    """Entities within ``hops`` over the relations that hold now, or at ``as_of``."""
    found = graph.neighbors(namespace, entity_id, hops=hops, as_of=as_of, by=by)
    return GraphNeighborsResponse.from_domain(entity_id, found)


@router.get("/edges", response_model=GraphEdgesPage)
def list_edges(
    user_id: Annotated[Identifier, Query()],
    graph: GraphDep,
    namespace: NamespaceDep,
    as_of: AsOf = None,
    by: Axis = "valid",
    include_past: bool = False,
    limit: Limit = 100,
    cursor: str | None = None,
) -> GraphEdgesPage:
    """The user's relations that hold now (or at ``as_of``); ``include_past`` adds ended ones."""
    page = graph.edges(namespace, user_id, as_of=as_of, by=by, include_past=include_past, limit=limit, cursor=cursor)
    return GraphEdgesPage.from_domain(page)
