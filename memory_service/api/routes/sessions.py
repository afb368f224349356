"""Sessions and their messages (the episodic layer's write path)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from memory_service.api.deps import READ, WRITE, EpisodicDep, ForgettingDep, Limit, NamespaceDep
from memory_service.schemas import (
    EpisodesForgotten,
    EpisodesPage,
    ErrorResponse,
    Identifier,
    MessagesCreate,
    MessagesCreated,
    SessionPublic,
    SessionsPage,
)

router = APIRouter(prefix="/v1/sessions", tags=["sessions"], responses={422: {"model": ErrorResponse}})

SessionIdPath = Annotated[Identifier, Path(description="Client-chosen session id.")]


@router.post(
    "/{session_id}/messages", status_code=status.HTTP_201_CREATED, response_model=MessagesCreated, dependencies=[WRITE]
)
def add_messages(
    session_id: SessionIdPath, body: MessagesCreate, service: EpisodicDep, namespace: NamespaceDep
) -> MessagesCreated:
    """Store messages verbatim, in order; the session is created on first use."""
    episodes = service.add_messages(
        namespace,
        session_id,
        body.user_id,
        body.to_domain(),
        agent_id=body.agent_id,
        infer=body.infer,
    )
    return MessagesCreated.from_domain(session_id, episodes)


@router.get(
    "/{session_id}/messages",
    response_model=EpisodesPage,
    responses={404: {"model": ErrorResponse}},
    dependencies=[READ],
)
def list_messages(
    session_id: SessionIdPath,
    service: EpisodicDep,
    namespace: NamespaceDep,
    limit: Limit = 100,
    cursor: str | None = None,
) -> EpisodesPage:
    """The session's messages in order, a page at a time."""
    return EpisodesPage.from_domain(service.list_session_messages(namespace, session_id, limit=limit, cursor=cursor))


@router.get(
    "/{session_id}", response_model=SessionPublic, responses={404: {"model": ErrorResponse}}, dependencies=[READ]
)
def get_session(session_id: SessionIdPath, service: EpisodicDep, namespace: NamespaceDep) -> SessionPublic:
    return SessionPublic.from_domain(service.get_session(namespace, session_id))


@router.delete(
    "/{session_id}", response_model=EpisodesForgotten, responses={404: {"model": ErrorResponse}}, dependencies=[WRITE]
)
def delete_session(session_id: SessionIdPath, service: ForgettingDep, namespace: NamespaceDep) -> EpisodesForgotten:
    """Forget the session and its messages, with the memories and relations learned only from them;
    those with other sources lose these messages from their provenance."""
    return EpisodesForgotten.from_domain(service.delete_session(namespace, session_id))


@router.get("", response_model=SessionsPage, dependencies=[READ])
def list_sessions(
    user_id: Annotated[Identifier, Query()],
    service: EpisodicDep,
    namespace: NamespaceDep,
    limit: Limit = 100,
    cursor: str | None = None,
) -> SessionsPage:
    """A user's sessions, oldest first."""
    return SessionsPage.from_domain(service.list_sessions(namespace, user_id, limit=limit, cursor=cursor))
