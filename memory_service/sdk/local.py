"""The in-process client: the HTTP clients' API, served by a runtime in this process.

It validates input with the same request schemas as the server and calls the same service
methods as the routes, so embedded mode and the REST API cannot drift apart. The service (and
with it torch, FAISS and SQLAlchemy) is imported only when a client is opened, which keeps
``import memory_service.sdk`` light.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from memory_service.domain import DEFAULT_NAMESPACE, Granularity, Layer
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
    MemoryCreate,
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

if TYPE_CHECKING:
    from memory_service.layers.episodic.service import EpisodicService
    from memory_service.layers.semantic.service import SemanticService
    from memory_service.layers.temporal.service import GraphService
    from memory_service.runtime import Runtime
    from memory_service.settings import Settings


class LocalMemoryClient(SyncClientBase):
    """Serves the SDK's calls from ``runtime`` within ``namespace``, without a server."""

    def __init__(self, runtime: Runtime, namespace: str = DEFAULT_NAMESPACE) -> None:
        self.runtime = runtime
        self.namespace = namespace
        self._owned: Runtime | None = None

    @property
    def episodic(self) -> EpisodicService:
        return self.runtime.episodic

    @property
    def semantic(self) -> SemanticService:
        return self.runtime.semantic

    @property
    def graph(self) -> GraphService:
        return self.runtime.graph

    @classmethod
    def open(cls, settings: Settings | None = None, namespace: str = DEFAULT_NAMESPACE) -> LocalMemoryClient:
        """A client on its own runtime (store, model, indexes), closed with the client.

        ``settings`` default to the ``MEMORY_*`` environment, as for the server.
        """
        from memory_service.runtime import build_runtime
        from memory_service.settings import Settings

        runtime = build_runtime(settings if settings is not None else Settings())
        client = cls(runtime, namespace)
        client._owned = runtime
        return client

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
        session_id = base.identifier(session_id, "session_id")
        body = base.messages_create(user_id, messages, agent_id=agent_id, infer=infer)
        episodes = self.episodic.add_messages(
            self.namespace,
            session_id,
            body.user_id,
            body.to_domain(),
            agent_id=body.agent_id,
            infer=body.infer,
        )
        return MessagesCreated.from_domain(session_id, episodes)

    def get_messages(self, session_id: str, *, limit: int = 100, cursor: str | None = None) -> EpisodesPage:
        """One page of the session's messages in order; pass ``next_cursor`` back for the next."""
        session_id = base.identifier(session_id, "session_id")
        page = self.episodic.list_session_messages(
            self.namespace, session_id, limit=base.page_limit(limit), cursor=cursor
        )
        return EpisodesPage.from_domain(page)

    def get_session(self, session_id: str) -> SessionPublic:
        session_id = base.identifier(session_id, "session_id")
        return SessionPublic.from_domain(self.episodic.get_session(self.namespace, session_id))

    def list_sessions(self, user_id: str, *, limit: int = 100, cursor: str | None = None) -> SessionsPage:
        """One page of the user's sessions, oldest first."""
        user_id = base.identifier(user_id, "user_id")
        page = self.episodic.list_sessions(self.namespace, user_id, limit=base.page_limit(limit), cursor=cursor)
        return SessionsPage.from_domain(page)

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
        return SearchResponse.from_domain(self.runtime.search.search(self.namespace, request.to_domain()))

    def delete_user(self, user_id: str) -> UserDeleted:
        """Forget everything the service holds about the user."""
        user_id = base.identifier(user_id, "user_id")
        return UserDeleted.from_domain(self.runtime.users.delete_user(self.namespace, user_id))

    def delete_session(self, session_id: str) -> EpisodesForgotten:
        """Forget the session and its messages, with what was learned only from them."""
        session_id = base.identifier(session_id, "session_id")
        return EpisodesForgotten.from_domain(self.runtime.forgetting.delete_session(self.namespace, session_id))

    def delete_episode(self, episode_id: str) -> EpisodesForgotten:
        """Forget one message, with what was learned only from it."""
        episode_id = base.identifier(episode_id, "episode_id")
        return EpisodesForgotten.from_domain(self.runtime.forgetting.delete_episode(self.namespace, episode_id))

    def add_memory(
        self,
        user_id: str,
        text: str,
        *,
        valid_at: datetime | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> MemoryPublic:
        """Store a semantic memory as given (no extraction); recorded as added by ``api``."""
        body = base.validated(
            MemoryCreate, {"user_id": user_id, "text": text, "valid_at": valid_at, "metadata": metadata}
        )
        memory = self.semantic.add(
            self.namespace, body.user_id, body.text, valid_at=body.valid_at, metadata=body.metadata
        )
        return MemoryPublic.from_domain(memory)

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
        user_id = base.identifier(user_id, "user_id")
        page = self.semantic.list_memories(
            self.namespace,
            user_id,
            include_invalid=include_invalid,
            as_of=base.moment(as_of, "as_of"),
            limit=base.page_limit(limit),
            cursor=cursor,
        )
        return MemoriesPage.from_domain(page)

    def get_memory(self, memory_id: str) -> MemoryPublic:
        memory_id = base.identifier(memory_id, "memory_id")
        return MemoryPublic.from_domain(self.semantic.get(self.namespace, memory_id))

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
        memory_id = base.identifier(memory_id, "memory_id")
        update = base.memory_update(text=text, valid_at=valid_at, invalid_at=invalid_at, metadata=metadata)
        return MemoryPublic.from_domain(self.semantic.update(self.namespace, memory_id, update.to_domain()))

    def delete_memory(self, memory_id: str) -> MemoryPublic:
        """Soft delete: gone from lists and search, kept in the history."""
        memory_id = base.identifier(memory_id, "memory_id")
        return MemoryPublic.from_domain(self.semantic.delete(self.namespace, memory_id))

    def memory_history(self, memory_id: str) -> MemoryHistory:
        """Every change of the fact across its versions, oldest first."""
        memory_id = base.identifier(memory_id, "memory_id")
        return MemoryHistory.from_domain(memory_id, self.semantic.history(self.namespace, memory_id))

    def profile(self, user_id: str, *, as_of: datetime | None = None, subject: str | None = None) -> ProfilePublic:
        """The user's core profile: current single-valued facts and capped lists, in fixed sections;
        ``as_of``: as memory stood then; ``subject``: a named speaker instead of the chat user."""
        user_id = base.identifier(user_id, "user_id")
        found = self.runtime.profiles.profile(
            self.namespace, user_id, as_of=base.moment(as_of, "as_of"), subject=base.subject(subject)
        )
        return ProfilePublic.from_domain(found)

    def list_entities(self, user_id: str, *, limit: int = 100, cursor: str | None = None) -> GraphEntitiesPage:
        """One page of the user's graph entities, oldest first."""
        user_id = base.identifier(user_id, "user_id")
        page = self.graph.list_entities(self.namespace, user_id, limit=base.page_limit(limit), cursor=cursor)
        return GraphEntitiesPage.from_domain(page)

    def get_entity(self, entity_id: str) -> GraphEntityDetailPublic:
        """The entity with every relation touching it, past ones included."""
        entity_id = base.identifier(entity_id, "entity_id")
        return GraphEntityDetailPublic.from_detail(self.graph.get_entity(self.namespace, entity_id))

    def entity_neighbors(
        self, entity_id: str, *, hops: int = 1, as_of: datetime | None = None, by: TimeAxis = "valid"
    ) -> GraphNeighborsResponse:
        """Entities within ``hops`` relations that hold now, or at ``as_of`` (``by``: valid or known then)."""
        entity_id = base.identifier(entity_id, "entity_id")
        found = self.graph.neighbors(
            self.namespace, entity_id, hops=base.hop_count(hops), as_of=base.moment(as_of, "as_of"), by=by
        )
        return GraphNeighborsResponse.from_domain(entity_id, found)

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
        user_id = base.identifier(user_id, "user_id")
        page = self.graph.edges(
            self.namespace,
            user_id,
            as_of=base.moment(as_of, "as_of"),
            by=by,
            include_past=include_past,
            limit=base.page_limit(limit),
            cursor=cursor,
        )
        return GraphEdgesPage.from_domain(page)

    def extraction_status(self, user_id: str) -> ExtractionStatus:
        """The user's extraction tasks by status; ``idle`` once every ``infer=True`` write is consolidated."""
        user_id = base.identifier(user_id, "user_id")
        return ExtractionStatus.from_domain(self.semantic.extraction_status(self.namespace, user_id))

    def export_memories(self, user_id: str | None = None, *, vectors: bool = False) -> Iterator[str]:
        """The lines of an export file (``docs/export-format.md``), each with its newline: one
        user's, or with no ``user_id`` every user's of the namespace. Streamed: the store is read
        when iteration starts, and a missing user raises ``NotFoundError`` then."""
        from memory_service.transfer import iter_export

        checked = None if user_id is None else base.identifier(user_id, "user_id")
        for line in iter_export(self.runtime, self.namespace, checked, vectors=vectors):
            yield line + "\n"

    def import_memories(
        self,
        source: transfer.ImportSource,
        *,
        on_conflict: transfer.OnConflict = "skip",
        remap_namespace: Mapping[str, str] | None = None,
    ) -> ImportResult:
        """Import an export file (a path, or its lines) whole or not at all, into the client's
        namespace, or where ``remap_namespace`` sends the file's namespace."""
        from memory_service.transfer import import_lines

        lines = transfer.read_source(source)
        target = transfer.target_namespace(lines, remap_namespace) or self.namespace
        report = import_lines(
            self.runtime, lines, on_conflict=transfer.check_on_conflict(on_conflict), namespace=target
        )
        return ImportResult(**report.to_dict())

    def health(self) -> dict[str, Any]:
        """``{"status": "ok"}``, as the server's ``/healthz`` answers."""
        return {"status": "ok"}

    def close(self) -> None:
        """Closes the runtime when ``open`` made it; a runtime passed in is left to its owner."""
        runtime, self._owned = self._owned, None
        if runtime is not None:
            runtime.close()
