"""Semantic memories: add, list, read, edit, delete, history; and the extraction queue's state."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status

from memory_service.api.deps import READ, WRITE, Limit, NamespaceDep, SemanticDep
from memory_service.schemas import (
    ErrorResponse,
    ExtractionStatus,
    Identifier,
    MemoriesPage,
    MemoryCreate,
    MemoryHistory,
    MemoryPublic,
    MemoryUpdate,
)
from memory_service.schemas.common import RequestTime

MemoryIdPath = Annotated[str, Path(max_length=40, description="A memory id, e.g. mem_42.")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorResponse}}

router = APIRouter(prefix="/v1", tags=["memories"], responses={422: {"model": ErrorResponse}})


@router.post("/memories", status_code=status.HTTP_201_CREATED, response_model=MemoryPublic, dependencies=[WRITE])
def add_memory(body: MemoryCreate, semantic: SemanticDep, namespace: NamespaceDep) -> MemoryPublic:
    """Store a fact as given (no extraction or consolidation); it is recorded as added by ``api``."""
    memory = semantic.add(namespace, body.user_id, body.text, valid_at=body.valid_at, metadata=body.metadata)
    return MemoryPublic.from_domain(memory)


@router.get("/memories", response_model=MemoriesPage, dependencies=[READ])
def list_memories(
    user_id: Annotated[Identifier, Query()],
    semantic: SemanticDep,
    namespace: NamespaceDep,
    include_invalid: bool = False,
    as_of: Annotated[
        RequestTime | None,
        Query(description="A moment with a timezone: memory as it stood then (learned by then, valid then)."),
    ] = None,
    limit: Limit = 100,
    cursor: str | None = None,
) -> MemoriesPage:
    """The user's current memories, oldest first; ``include_invalid`` adds those no longer true."""
    page = semantic.list_memories(
        namespace, user_id, include_invalid=include_invalid, as_of=as_of, limit=limit, cursor=cursor
    )
    return MemoriesPage.from_domain(page)


@router.get("/memories/{memory_id}", response_model=MemoryPublic, responses=NOT_FOUND, dependencies=[READ])
def get_memory(memory_id: MemoryIdPath, semantic: SemanticDep, namespace: NamespaceDep) -> MemoryPublic:
    return MemoryPublic.from_domain(semantic.get(namespace, memory_id))


@router.patch("/memories/{memory_id}", response_model=MemoryPublic, responses=NOT_FOUND, dependencies=[WRITE])
def update_memory(
    memory_id: MemoryIdPath, body: MemoryUpdate, semantic: SemanticDep, namespace: NamespaceDep
) -> MemoryPublic:
    """Edit text, valid_at, invalid_at or metadata: a new version, the old one kept in history."""
    return MemoryPublic.from_domain(semantic.update(namespace, memory_id, body.to_domain()))


@router.delete("/memories/{memory_id}", response_model=MemoryPublic, responses=NOT_FOUND, dependencies=[WRITE])
def delete_memory(memory_id: MemoryIdPath, semantic: SemanticDep, namespace: NamespaceDep) -> MemoryPublic:
    """Soft delete: gone from lists and search; its history stays readable."""
    return MemoryPublic.from_domain(semantic.delete(namespace, memory_id))


@router.get("/memories/{memory_id}/history", response_model=MemoryHistory, responses=NOT_FOUND, dependencies=[READ])
def memory_history(memory_id: MemoryIdPath, semantic: SemanticDep, namespace: NamespaceDep) -> MemoryHistory:
    """Every ADD / UPDATE / DELETE / NOOP of the fact across its versions, oldest first."""
    return MemoryHistory.from_domain(memory_id, semantic.history(namespace, memory_id))


@router.get("/users/{user_id}/extraction", response_model=ExtractionStatus, responses=NOT_FOUND, dependencies=[READ])
def extraction_status(
    user_id: Annotated[Identifier, Path()], semantic: SemanticDep, namespace: NamespaceDep
) -> ExtractionStatus:
    """The user's extraction tasks by status; ``idle`` once every ``infer=true`` write is consolidated."""
    return ExtractionStatus.from_domain(semantic.extraction_status(namespace, user_id))
