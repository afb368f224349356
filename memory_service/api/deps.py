"""Request dependencies, as ``Annotated`` aliases the routes declare.

Authentication and scopes are decided in ``memory_service.security``; here they only meet the
request. ``require_scope`` goes on routers and routes; FastAPI resolves the principal once per
request however many dependencies ask for it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request

from memory_service.forgetting import ForgettingService
from memory_service.layers.episodic.service import EpisodicService
from memory_service.layers.semantic.profile import ProfileReader
from memory_service.layers.semantic.service import SemanticService
from memory_service.layers.temporal.service import GraphService
from memory_service.pagination import MAX_PAGE_SIZE
from memory_service.runtime import Runtime
from memory_service.search import SearchService
from memory_service.security.principal import Principal
from memory_service.security.scopes import Scope
from memory_service.users import UserService


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_episodic(request: Request) -> EpisodicService:
    return get_runtime(request).episodic


def get_semantic(request: Request) -> SemanticService:
    return get_runtime(request).semantic


def get_profiles(request: Request) -> ProfileReader:
    return get_runtime(request).profiles


def get_graph(request: Request) -> GraphService:
    return get_runtime(request).graph


def get_search(request: Request) -> SearchService:
    return get_runtime(request).search


def get_users(request: Request) -> UserService:
    return get_runtime(request).users


def get_forgetting(request: Request) -> ForgettingService:
    return get_runtime(request).forgetting


def get_principal(request: Request) -> Principal:
    """Who the request acts as; 401 when keys are required and it brings none that works, 429 when
    it is over its key's rate limit."""
    runtime = get_runtime(request)
    principal = runtime.auth.principal(request.headers.get("authorization"))
    if runtime.rate_limiter is not None:
        runtime.rate_limiter.hit(principal, request.client.host if request.client else None)
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def get_namespace(principal: PrincipalDep) -> str:
    """The caller's namespace: the one its key belongs to, or the default on an open server."""
    return principal.namespace


def require_scope(scope: Scope) -> Any:
    """A dependency that answers 403 unless the caller's key holds ``scope``."""

    def check(principal: PrincipalDep) -> Principal:
        principal.require(scope)
        return principal

    return Depends(check)


READ = require_scope("read")
WRITE = require_scope("write")
ADMIN = require_scope("admin")

EpisodicDep = Annotated[EpisodicService, Depends(get_episodic)]
SemanticDep = Annotated[SemanticService, Depends(get_semantic)]
ProfilesDep = Annotated[ProfileReader, Depends(get_profiles)]
GraphDep = Annotated[GraphService, Depends(get_graph)]
SearchDep = Annotated[SearchService, Depends(get_search)]
UsersDep = Annotated[UserService, Depends(get_users)]
ForgettingDep = Annotated[ForgettingService, Depends(get_forgetting)]
NamespaceDep = Annotated[str, Depends(get_namespace)]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
"""A listing's page size, the same cap on every router as in the services."""
