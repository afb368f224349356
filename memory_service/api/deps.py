"""Request dependencies, as ``Annotated`` aliases the routes declare."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from memory_service.api.auth import bearer_token, keys_required, resolve_key
from memory_service.domain import DEFAULT_NAMESPACE
from memory_service.errors import AuthenticationError
from memory_service.pagination import MAX_PAGE_SIZE
from memory_service.runtime import Runtime
from memory_service.services.memory import MemoryService


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_service(request: Request) -> MemoryService:
    return get_runtime(request).service


def get_namespace(request: Request) -> str:
    """The caller's namespace: the one its bearer key belongs to, or the default on an open server."""
    runtime = get_runtime(request)
    if not keys_required(runtime):
        return DEFAULT_NAMESPACE
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        raise AuthenticationError("missing API key: send 'Authorization: Bearer <key>'")
    grant = resolve_key(runtime, token)
    if grant is None:
        raise AuthenticationError("unknown API key")
    return grant.namespace


ServiceDep = Annotated[MemoryService, Depends(get_service)]
NamespaceDep = Annotated[str, Depends(get_namespace)]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
"""A listing's page size, the same cap on every router as in the services."""
