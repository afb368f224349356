"""API keys (list, create with the secret shown once, revoke) and the audit log, as the admin API has them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import Response

from memory_service.errors import InvalidInputError
from memory_service.security.scopes import ALL_SCOPES, Scope, ordered

from . import forms
from .context import ConsoleDep, ConsoleRoute

router = APIRouter(prefix="/admin", route_class=ConsoleRoute, include_in_schema=False)
Cursor = Annotated[str | None, Query(max_length=200)]


@router.get("/keys")
def keys(console: ConsoleDep, cursor: Cursor = None) -> Response:
    listed = console.runtime.auth.keys.list(namespace=console.principal.managed_namespace(), limit=100, cursor=cursor)
    return console.page("keys.html", keys=listed, scopes=ordered(ALL_SCOPES), created=None, now=_now())


@router.post("/keys")
def create_key(
    console: ConsoleDep,
    scopes: Annotated[list[str] | None, Form()] = None,
    namespace: Annotated[str, Form(max_length=128)] = "",
    expires_at: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    picked: list[Scope] = [s for s in ordered(ALL_SCOPES) if s in (scopes or [])]
    if not picked:
        raise InvalidInputError("pick at least one scope for the key")
    target = namespace.strip() or console.namespace
    console.principal.check_manages(target)
    created = console.runtime.auth.keys.create(
        target, picked, actor=console.principal.actor, expires_at=forms.moment(expires_at, "expires_at")
    )
    # Shown on this answer only, never stored: reloading the page does not show it again.
    listed = console.runtime.auth.keys.list(namespace=console.principal.managed_namespace(), limit=100)
    return console.page("keys.html", keys=listed, scopes=ordered(ALL_SCOPES), created=created, now=_now())


@router.post("/keys/{key_id}/revoke")
def revoke_key(console: ConsoleDep, key_id: str) -> Response:
    console.runtime.auth.keys.revoke(
        key_id, actor=console.principal.actor, namespace=console.principal.managed_namespace()
    )
    return console.done("/keys", f"{key_id} revoked: it is refused from the next request on")


@router.get("/audit")
def audit(
    console: ConsoleDep,
    action: Annotated[str, Query(max_length=64)] = "",
    actor: Annotated[str, Query(max_length=160)] = "",
    cursor: Cursor = None,
) -> Response:
    events = console.runtime.audit.list(
        namespace=console.principal.managed_namespace(),
        action=action.strip() or None,
        actor=actor.strip() or None,
        limit=100,
        cursor=cursor,
    )
    return console.page("audit.html", events=events, action=action, actor=actor)


def _now() -> datetime:
    return datetime.now(UTC)
