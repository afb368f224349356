"""Request dependencies, as ``Annotated`` aliases the routes declare."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Query, Request

from memory_service.domain import DEFAULT_NAMESPACE
from memory_service.errors import AuthenticationError
from memory_service.layers.episodic.service import EpisodicService
from memory_service.layers.semantic.service import SemanticService
from memory_service.layers.temporal.service import GraphService
from memory_service.pagination import MAX_PAGE_SIZE
from memory_service.runtime import Runtime
from memory_service.search import SearchService
from memory_service.users import UserService


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_episodic(request: Request) -> EpisodicService:
    return get_runtime(request).episodic


def get_semantic(request: Request) -> SemanticService:
    return get_runtime(request).semantic


def get_graph(request: Request) -> GraphService:
    return get_runtime(request).graph


def get_search(request: Request) -> SearchService:
    return get_runtime(request).search


def get_users(request: Request) -> UserService:
    return get_runtime(request).users


def get_namespace(request: Request) -> str:
    """The caller's namespace: the one its bearer key belongs to, or the default on an open server."""
    keys = get_runtime(request).settings.api_keys
    if not keys:
        return DEFAULT_NAMESPACE
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationError("missing API key: send 'Authorization: Bearer <key>'")
    for key, namespace in keys.items():
        if secrets.compare_digest(key.encode(), token.strip().encode()):
            return namespace
    raise AuthenticationError("unknown API key")


EpisodicDep = Annotated[EpisodicService, Depends(get_episodic)]
SemanticDep = Annotated[SemanticService, Depends(get_semantic)]
GraphDep = Annotated[GraphService, Depends(get_graph)]
SearchDep = Annotated[SearchService, Depends(get_search)]
UsersDep = Annotated[UserService, Depends(get_users)]
NamespaceDep = Annotated[str, Depends(get_namespace)]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
"""A listing's page size, the same cap on every router as in the services."""
