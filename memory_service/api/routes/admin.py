"""Administration: API keys and the audit log; every route needs the ``admin`` scope.

A stored admin key manages the keys, and reads the audit log, of its own namespace only. A
bootstrap key (``MEMORY_API_KEYS``) or an open server stands for the operator and manages every
namespace.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, status

from memory_service.api.deps import ADMIN, Limit, PrincipalDep, get_runtime
from memory_service.schemas import (
    ApiKeyCreated,
    ApiKeyPublic,
    ApiKeysPage,
    AuditEventsPage,
    ErrorResponse,
    Identifier,
    KeyCreate,
)
from memory_service.security.audit import AuditLog
from memory_service.security.key_store import KeyStore


def get_keys(request: Request) -> KeyStore:
    return get_runtime(request).auth.keys


def get_audit(request: Request) -> AuditLog:
    return get_runtime(request).audit


KeysDep = Annotated[KeyStore, Depends(get_keys)]
AuditDep = Annotated[AuditLog, Depends(get_audit)]
KeyIdPath = Annotated[str, Path(max_length=40, description="A key id, e.g. key_7.")]
NamespaceQuery = Annotated[
    Identifier | None, Query(description="Only this namespace's; default: the caller's (every one for the operator).")
]
ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorResponse} for code in (401, 403, 404, 422)}

router = APIRouter(prefix="/v1/admin", tags=["admin"], dependencies=[ADMIN], responses=ERRORS)


@router.post("/keys", status_code=status.HTTP_201_CREATED, response_model=ApiKeyCreated)
def create_key(body: KeyCreate, keys: KeysDep, principal: PrincipalDep) -> ApiKeyCreated:
    """Make a key; the answer holds its secret, which is never shown again."""
    namespace = body.namespace or principal.namespace
    principal.check_manages(namespace)
    created = keys.create(namespace, body.scopes, actor=principal.actor, expires_at=body.expires_at)
    return ApiKeyCreated.from_created(created)


@router.get("/keys", response_model=ApiKeysPage)
def list_keys(
    keys: KeysDep,
    principal: PrincipalDep,
    namespace: NamespaceQuery = None,
    limit: Limit = 100,
    cursor: str | None = None,
) -> ApiKeysPage:
    """Keys oldest first, revoked and expired ones included (by prefix; secrets are never stored)."""
    if namespace is not None:
        principal.check_manages(namespace)
    scope = namespace or principal.managed_namespace()
    return ApiKeysPage.from_domain(keys.list(namespace=scope, limit=limit, cursor=cursor))


@router.delete("/keys/{key_id}", response_model=ApiKeyPublic)
def revoke_key(key_id: KeyIdPath, keys: KeysDep, principal: PrincipalDep) -> ApiKeyPublic:
    """Refuse the key from the next request on; 409 when it is already revoked."""
    return ApiKeyPublic.from_key(keys.revoke(key_id, actor=principal.actor, namespace=principal.managed_namespace()))


@router.get("/audit", response_model=AuditEventsPage)
def list_audit_events(
    audit: AuditDep,
    principal: PrincipalDep,
    action: Annotated[str | None, Query(max_length=64, description="e.g. key.create, key.revoke")] = None,
    actor: Annotated[str | None, Query(max_length=160, description="e.g. key_3, cli")] = None,
    namespace: NamespaceQuery = None,
    limit: Limit = 100,
    cursor: str | None = None,
) -> AuditEventsPage:
    """Administrative changes, newest first."""
    if namespace is not None:
        principal.check_manages(namespace)
    scope = namespace or principal.managed_namespace()
    return AuditEventsPage.from_domain(
        audit.list(namespace=scope, action=action, actor=actor, limit=limit, cursor=cursor)
    )
