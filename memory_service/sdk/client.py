"""The blocking HTTP client: sends the calls built in ``_base`` with ``httpx.Client``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import httpx

from memory_service.domain import Granularity, Layer
from memory_service.layers.temporal.domain import TimeAxis
from memory_service.schemas import (
    EpisodesForgotten,
    EpisodesPage,
    ExtractionStatus,
    GraphEdgesPage,
    GraphEntitiesPage,
    GraphEntityDetailPublic,
    GraphNeighborsResponse,
    MemoriesPage,
    MemoryHistory,
    MemoryPublic,
    MessagesCreated,
    ProfilePublic,
    SearchFilters,
    SearchResponse,
    SessionPublic,
    SessionsPage,
    TimeRangeIn,
    UserDeleted,
)
from memory_service.schemas.transfer import ImportResult
from memory_service.sdk import _base as base
from memory_service.sdk import _transfer as transfer
from memory_service.sdk._base import MessageInput
from memory_service.sdk._client_bases import SyncClientBase

T = TypeVar("T")


class MemoryClient(SyncClientBase):
    """Talks to a memory service over HTTP; errors are raised as ``memory_service.errors`` types.

    ``api_key`` is sent as ``Authorization: Bearer``; the server decides the namespace from it.
    ``transport`` replaces the network (e.g. ``httpx.MockTransport`` in tests).
    """

    def __init__(
        self,
        base_url: str = base.DEFAULT_BASE_URL,
        api_key: str | None = None,
        timeout: float = base.DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url, headers=base.auth_headers(api_key), timeout=timeout, transport=transport
        )

    def _send(self, call: base.Call[T]) -> T:
        try:
            response = self._http.request(
                call.method, call.path, params=call.params, json=call.json, content=call.content, headers=call.headers
            )
        except httpx.TransportError as exc:
            raise base.unreachable(self._http.base_url, exc) from exc
        return call.parse(response.status_code, response.content)

    def add_messages(
        self,
        session_id: str,
        user_id: str,
        messages: Sequence[MessageInput],
        *,
        agent_id: str | None = None,
        infer: bool = False,
    ) -> MessagesCreated:
        """Append messages to a session (created on first use); all are stored or none."""
        return self._send(base.add_messages_call(session_id, user_id, messages, agent_id=agent_id, infer=infer))

    def get_messages(self, session_id: str, *, limit: int = 100, cursor: str | None = None) -> EpisodesPage:
        """One page of the session's messages in order; pass ``next_cursor`` back for the next."""
        return self._send(base.get_messages_call(session_id, limit=limit, cursor=cursor))

    def get_session(self, session_id: str) -> SessionPublic:
        return self._send(base.get_session_call(session_id))

    def list_sessions(self, user_id: str, *, limit: int = 100, cursor: str | None = None) -> SessionsPage:
        """One page of the user's sessions, oldest first."""
        return self._send(base.list_sessions_call(user_id, limit=limit, cursor=cursor))

    def search(
        self,
        query: str,
        user_id: str,
        *,
        layers: Sequence[Layer] | None = None,
        top_k: int = 10,
        now: datetime | None = None,
        as_of: datetime | None = None,
        time_range: TimeRangeIn | Mapping[str, Any] | None = None,
        session_ids: Sequence[str] | None = None,
        filters: SearchFilters | Mapping[str, Any] | None = None,
        recipe: str | None = None,
        granularity: Granularity = "turn",
        neighbors: int = 0,
        reinforce: bool = True,
    ) -> SearchResponse:
        """The user's memories most relevant to ``query``, best first (higher score is better)."""
        request = base.search_request(
            query=query,
            user_id=user_id,
            layers=layers,
            top_k=top_k,
            now=now,
            as_of=as_of,
            time_range=time_range,
            session_ids=session_ids,
            filters=filters,
            recipe=recipe,
            granularity=granularity,
            neighbors=neighbors,
            reinforce=reinforce,
        )
        return self._send(base.search_call(request))

    def delete_user(self, user_id: str) -> UserDeleted:
        """Forget everything the service holds about the user."""
        return self._send(base.delete_user_call(user_id))

    def delete_session(self, session_id: str) -> EpisodesForgotten:
        """Forget the session and its messages, with what was learned only from them."""
        return self._send(base.delete_session_call(session_id))

    def delete_episode(self, episode_id: str) -> EpisodesForgotten:
        """Forget one message, with what was learned only from it."""
        return self._send(base.delete_episode_call(episode_id))

    def add_memory(
        self,
        user_id: str,
        text: str,
        *,
        valid_at: datetime | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> MemoryPublic:
        """Store a semantic memory as given (no extraction); recorded as added by ``api``."""
        return self._send(base.add_memory_call(user_id, text, valid_at=valid_at, metadata=metadata))

    def list_memories(
        self,
        user_id: str,
        *,
        include_invalid: bool = False,
        as_of: datetime | None = None,
        limit: int = 100,
        cursor: str | None = None,
    ) -> MemoriesPage:
        """One page of the user's current memories (``include_invalid``: past ones too), oldest first;
        ``as_of``: memory as it stood at that moment."""
        return self._send(
            base.list_memories_call(user_id, include_invalid=include_invalid, limit=limit, cursor=cursor, as_of=as_of)
        )

    def get_memory(self, memory_id: str) -> MemoryPublic:
        return self._send(base.get_memory_call(memory_id))

    def update_memory(
        self,
        memory_id: str,
        *,
        text: str | None = None,
        valid_at: datetime | None = None,
        invalid_at: datetime | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> MemoryPublic:
        """Change the given fields: a new version, the old one kept in the history."""
        update = base.memory_update(text=text, valid_at=valid_at, invalid_at=invalid_at, metadata=metadata)
        return self._send(base.update_memory_call(memory_id, update))

    def delete_memory(self, memory_id: str) -> MemoryPublic:
        """Soft delete: gone from lists and search, kept in the history."""
        return self._send(base.delete_memory_call(memory_id))

    def memory_history(self, memory_id: str) -> MemoryHistory:
        """Every change of the fact across its versions, oldest first."""
        return self._send(base.memory_history_call(memory_id))

    def profile(self, user_id: str, *, as_of: datetime | None = None, subject: str | None = None) -> ProfilePublic:
        """The user's core profile: current single-valued facts and capped lists, in fixed sections;
        ``as_of``: as memory stood then; ``subject``: a named speaker instead of the chat user."""
        return self._send(base.profile_call(user_id, as_of=as_of, subject=subject))

    def list_entities(self, user_id: str, *, limit: int = 100, cursor: str | None = None) -> GraphEntitiesPage:
        """One page of the user's graph entities, oldest first."""
        return self._send(base.list_entities_call(user_id, limit=limit, cursor=cursor))

    def get_entity(self, entity_id: str) -> GraphEntityDetailPublic:
        """The entity with every relation touching it, past ones included."""
        return self._send(base.get_entity_call(entity_id))

    def entity_neighbors(
        self, entity_id: str, *, hops: int = 1, as_of: datetime | None = None, by: TimeAxis = "valid"
    ) -> GraphNeighborsResponse:
        """Entities within ``hops`` relations that hold now, or at ``as_of`` (``by``: valid or known then)."""
        return self._send(base.entity_neighbors_call(entity_id, hops=hops, as_of=as_of, by=by))

    def list_edges(
        self,
        user_id: str,
        *,
        as_of: datetime | None = None,
        by: TimeAxis = "valid",
        include_past: bool = False,
        limit: int = 100,
        cursor: str | None = None,
    ) -> GraphEdgesPage:
        """One page of the user's relations that hold now (or at ``as_of``); ``include_past`` adds ended ones."""
        call = base.list_edges_call(user_id, as_of=as_of, by=by, include_past=include_past, limit=limit, cursor=cursor)
        return self._send(call)

    def extraction_status(self, user_id: str) -> ExtractionStatus:
        """The user's extraction tasks by status; ``idle`` once every ``infer=True`` write is consolidated."""
        return self._send(base.extraction_status_call(user_id))

    def export_memories(self, user_id: str | None = None, *, vectors: bool = False) -> Iterator[str]:
        """The lines of an export file (``docs/export-format.md``), each with its newline: one
        user's, or with no ``user_id`` every user's of the namespace (an ``admin`` key). Streamed:
        the request is made when iteration starts, and a missing user raises ``NotFoundError`` then."""
        call = transfer.export_call(user_id, vectors=vectors)
        try:
            with self._http.stream(call.method, call.path, params=call.params) as response:
                if response.status_code != 200:
                    raise base.error_from_response(response.status_code, response.read())
                yield from transfer.iter_chunks(transfer.LineSplitter(), response.iter_text())
        except httpx.TransportError as exc:
            raise base.unreachable(self._http.base_url, exc) from exc

    def import_memories(
        self,
        source: transfer.ImportSource,
        *,
        on_conflict: transfer.OnConflict = "skip",
        remap_namespace: Mapping[str, str] | None = None,
    ) -> ImportResult:
        """Import an export file (a path, or its lines) whole or not at all, into the key's namespace,
        or where ``remap_namespace`` sends the file's namespace (another needs an operator key)."""
        lines = transfer.read_source(source)
        namespace = transfer.target_namespace(lines, remap_namespace)
        return self._send(transfer.import_call(lines, on_conflict=on_conflict, namespace=namespace))

    def health(self) -> dict[str, Any]:
        """``{"status": "ok"}`` when the service answers."""
        return self._send(base.health_call())

    def close(self) -> None:
        self._http.close()
