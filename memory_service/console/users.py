"""Users of a namespace: the list, one user's memories and timeline, and an operator's changes to them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import Response

from memory_service.errors import InvalidInputError
from memory_service.layers.semantic.domain import MemoryEdit

from . import forms
from .actions import MemoryActions
from .context import ConsoleDep, ConsoleRoute
from .directory import Directory

router = APIRouter(prefix="/admin", route_class=ConsoleRoute, include_in_schema=False)
PAGE = 50
Cursor = Annotated[str | None, Query(max_length=200)]


def _actions(console: ConsoleDep) -> MemoryActions:
    return MemoryActions(console.runtime, console.principal, console.namespace)


@router.get("/users")
def users(console: ConsoleDep, q: Annotated[str, Query(max_length=128)] = "", cursor: Cursor = None) -> Response:
    directory = Directory(console.runtime.db)
    namespaces = directory.namespaces() if console.principal.manages_all_namespaces else []
    page = directory.users(console.namespace, search=q.strip(), limit=PAGE, cursor=cursor)
    return console.page("users.html", users=page, q=q, namespaces=namespaces)


@router.get("/users/{user_id}")
def user(
    console: ConsoleDep,
    user_id: str,
    past: bool = False,
    mcursor: Cursor = None,
    scursor: Cursor = None,
) -> Response:
    runtime, namespace = console.runtime, console.namespace
    memories = runtime.semantic.list_memories(namespace, user_id, include_invalid=past, limit=PAGE, cursor=mcursor)
    sessions = runtime.episodic.list_sessions(namespace, user_id, limit=20, cursor=scursor)
    if not memories.items and not sessions.items and mcursor is None and scursor is None:
        runtime.semantic.extraction_status(namespace, user_id)  # 404 with the API's message for an unknown user
    extraction = runtime.semantic.extraction_status(namespace, user_id)
    return console.page(
        "user.html",
        user_id=user_id,
        memories=memories,
        sessions=sessions,
        past=past,
        extraction=extraction,
        mcursor=mcursor,
    )


@router.get("/users/{user_id}/sessions/{session_id}")
def session(console: ConsoleDep, user_id: str, session_id: str, cursor: Cursor = None) -> Response:
    runtime = console.runtime
    summary = runtime.episodic.get_session(console.namespace, session_id)
    episodes = runtime.episodic.list_session_messages(console.namespace, session_id, limit=100, cursor=cursor)
    return console.page("session.html", user_id=user_id, summary=summary, episodes=episodes)


@router.get("/users/{user_id}/memories/{memory_id}")
def memory(console: ConsoleDep, user_id: str, memory_id: str) -> Response:
    runtime = console.runtime
    directory = Directory(runtime.db)
    found = runtime.semantic.get(console.namespace, memory_id, record=False)  # a look, not a recall
    history = runtime.semantic.history(console.namespace, memory_id)
    sources = {episode for change in history for episode in change.episode_ids} | set(found.provenance)
    where = directory.episode_sessions(console.namespace, sources)
    return console.page("memory.html", user_id=user_id, memory=found, history=history, where=where)


@router.post("/users/{user_id}/memories/{memory_id}/edit")
def edit_memory(
    console: ConsoleDep,
    user_id: str,
    memory_id: str,
    text: Annotated[str, Form(max_length=8000)],
    valid_at: Annotated[str, Form(max_length=64)] = "",
    invalid_at: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    edit = MemoryEdit(
        text=text,
        valid_at=forms.moment(valid_at, "valid_at"),
        invalid_at=forms.moment(invalid_at, "invalid_at"),
        fields=frozenset({"text", "valid_at", "invalid_at"}),
    )
    _actions(console).edit(memory_id, edit)
    return console.done(f"/users/{user_id}/memories/{memory_id}", f"{memory_id} saved as a new version")


@router.post("/users/{user_id}/memories/{memory_id}/invalidate")
def invalidate_memory(console: ConsoleDep, user_id: str, memory_id: str) -> Response:
    _actions(console).invalidate(memory_id)
    return console.done(f"/users/{user_id}/memories/{memory_id}", f"{memory_id} is no longer true from now on")


@router.post("/users/{user_id}/memories/{memory_id}/delete")
def delete_memory(console: ConsoleDep, user_id: str, memory_id: str) -> Response:
    _actions(console).delete(memory_id)
    return console.done(f"/users/{user_id}", f"{memory_id} deleted (its history is kept)")


@router.post("/users/{user_id}/memories")
def bulk(
    console: ConsoleDep,
    user_id: str,
    action: Annotated[str, Form(pattern="^(invalidate|delete)$")],
    memory_ids: Annotated[list[str] | None, Form()] = None,
) -> Response:
    if not memory_ids:
        raise InvalidInputError("select at least one memory first")
    done = _actions(console).bulk(action, memory_ids)
    verb = "invalidated" if action == "invalidate" else "deleted"
    return console.done(f"/users/{user_id}", f"{len(done)} memories {verb}: {', '.join(m.id for m in done)}")


@router.post("/users/{user_id}/forget")
def forget(console: ConsoleDep, user_id: str, confirm: Annotated[str, Form(max_length=200)] = "") -> Response:
    if confirm != user_id:
        raise InvalidInputError(
            f"type the user id {user_id!r} exactly to forget this user", details={"user_id": user_id}
        )
    deletion = _actions(console).forget_user(user_id)
    return console.done(
        "/users", f"{user_id} forgotten: {deletion.sessions} sessions and {deletion.episodes} episodes removed"
    )


@router.post("/users/{user_id}/sessions/{session_id}/forget")
def forget_session(
    console: ConsoleDep, user_id: str, session_id: str, confirm: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    if confirm != session_id:
        raise InvalidInputError(
            f"type the session id {session_id!r} exactly to forget this conversation",
            details={"session_id": session_id},
        )
    forgotten = _actions(console).forget_session(session_id)
    return console.done(
        f"/users/{user_id}",
        f"{session_id} forgotten: {forgotten.episodes} messages, {forgotten.memories_removed} memories and "
        f"{forgotten.relations_removed} relations removed; {forgotten.memories_pruned} memories and "
        f"{forgotten.relations_pruned} relations kept with their other sources",
    )
