"""MemoryService: the one place where the episodic layer's reads and writes are decided."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import Future
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy.orm import Session

from memory_service.domain import (
    Episode,
    NewMessage,
    Page,
    SearchHit,
    SearchQuery,
    SessionSummary,
    UserDeletion,
)
from memory_service.errors import ConflictError, InvalidInputError, NotFoundError, PayloadTooLargeError
from memory_service.pagination import PageRequest
from memory_service.services.hits import SESSION_TURNS_SHOWN, episode_hit, fuse_layers, session_hit
from memory_service.services.indexes import EmbeddingCache, IndexManager, PartitionIndex
from memory_service.store import extraction_tasks as tasks
from memory_service.store import repository as repo
from memory_service.store import semantic_repository as semantic_repo
from memory_service.store.database import Database
from memory_service.store.repository import EpisodeDraft, Partition
from memory_service.store.tables import SessionRow
from retrieval import hybrid, rerank
from retrieval.batching import QUERY_TIMEOUT_S, QueryBatcher
from retrieval.config import RECIPES, SearchConfig, UnknownRecipeError, recipe
from retrieval.embedder import Embedder
from retrieval.keys import TurnRef
from retrieval.timeparse import TimeRange, parse_time_range

if TYPE_CHECKING:
    from memory_service.services.graph import GraphService
    from memory_service.services.semantic import SemanticService

log = logging.getLogger(__name__)

SUPPORTED_LAYERS = ("episodic", "semantic", "graph")
SESSION_DEPTH = 20
"""Turn candidates per requested session: sessions are scored from many of their turns."""


class MemoryService:
    """Stores episodes and answers searches over them, partitioned by namespace and user."""

    def __init__(
        self,
        db: Database,
        embedder: Embedder,
        cache: EmbeddingCache,
        indexes: IndexManager,
        *,
        max_message_chars: int = 100_000,
        max_messages_per_request: int = 1000,
        query_embedder: Embedder | None = None,
        query_batch_size: int = 64,
        semantic: SemanticService | None = None,
        graph: GraphService | None = None,
    ) -> None:
        self.db = db
        self.embedder = embedder
        self.cache = cache
        self.indexes = indexes
        self.max_message_chars = max_message_chars
        self.max_messages_per_request = max_messages_per_request
        # Concurrent searches share forward passes (on a faster runtime where one is faithful);
        # writes embed their own batches directly.
        self.queries = QueryBatcher(query_embedder or embedder, max_batch=query_batch_size)
        # The semantic layer: searched with layers=["semantic"], fed by infer=true writes.
        self.semantic = semantic
        # The temporal graph: searched with layers=["graph"], fed by the same infer=true writes.
        self.graph = graph

    def close(self) -> None:
        self.queries.close()

    # -- writes ---------------------------------------------------------------------------

    def add_messages(
        self,
        namespace: str,
        session_id: str,
        user_id: str,
        messages: Sequence[NewMessage],
        *,
        agent_id: str | None = None,
        infer: bool = False,
    ) -> list[Episode]:
        """Append messages to a session (created on first use); all land or none do."""
        self._check_messages(messages, infer)
        now = datetime.now(UTC)
        drafts = [
            EpisodeDraft(m.role, m.content, (m.occurred_at or now).astimezone(UTC), dict(m.metadata)) for m in messages
        ]
        texts = [d.content for d in drafts]
        # Embed before the transaction: a model failure must leave the store untouched.
        _, vectors, fresh = self.cache.vectors_for(texts)
        with self.db.read() as db:
            known = repo.find_named_user(db, namespace, user_id)
            locked = Partition(known.namespace_id, known.id) if known is not None else None
        # A known user's writes queue on its partition, so their index updates apply in commit
        # order. A new user has no index yet: its namespace and user rows are created in the same
        # transaction as its messages, so a rejected write (a 409 below) leaves no row behind.
        with self.indexes.writing(locked) if locked else nullcontext(), self.db.write() as db:
            namespace_id = locked.namespace_id if locked else repo.get_or_create_namespace(db, namespace)
            user = repo.get_or_create_user(db, namespace_id, user_id)
            partition = Partition(namespace_id, user.id)
            session = repo.find_session(db, namespace_id, session_id, lock=True)
            if session is None:
                session = repo.create_session(db, namespace_id, user.id, session_id, agent_id)
            elif session.user_id != user.id:
                raise ConflictError(
                    f"session {session_id!r} belongs to another user; use a new session id",
                    details={"session_id": session_id},
                )
            rows = repo.insert_episodes(db, session, agent_id, drafts)
            if infer:
                db.flush()
                # Queued in the same transaction: stored episodes are never left without their task.
                tasks.enqueue(db, user.id, namespace_id, [r.id for r in rows])
            repo.store_vectors(db, self.embedder.name, fresh)
            repo.bump_revision(db, user.id)
            db.flush()
            revision = repo.user_revision(db, user.id)
            episodes = [repo.to_episode(r, session_id, user_id) for r in rows]
        turns = [TurnRef(row.id, row.session_id, row.role, row.occurred_at) for row in rows]
        with nullcontext() if locked == partition else self.indexes.writing(partition):
            self.indexes.apply_added(partition, revision, turns, texts, vectors)
        if infer and self.semantic is not None:
            self.semantic.notify_enqueued()
        return episodes

    def delete_user(self, namespace: str, user_id: str) -> UserDeletion:
        """Forget the user in the store and in every index."""
        with self.db.read() as db:
            user = repo.find_named_user(db, namespace, user_id)
            if user is None:
                raise NotFoundError(f"user {user_id!r} not found", details={"user_id": user_id})
            partition = Partition(user.namespace_id, user.id)
        with self.indexes.writing(partition), self.db.write() as db:
            row = repo.find_user(db, partition.namespace_id, user_id)
            if row is None:
                raise NotFoundError(f"user {user_id!r} not found", details={"user_id": user_id})
            if self.semantic is not None:
                self.semantic.forget_user_vectors(db, row.id)
            # Memories, their history, extraction tasks and the graph go with the user (foreign-key cascade).
            sessions, episodes = repo.delete_user(db, row)
        self.indexes.drop(partition)
        if self.graph is not None:
            self.graph.forget(partition.user_pk)
        return UserDeletion(user_id=user_id, sessions=sessions, episodes=episodes)

    # -- reads ----------------------------------------------------------------------------

    def get_session(self, namespace: str, session_id: str) -> SessionSummary:
        with self.db.read() as db:
            session, user_external = self._session(db, namespace, session_id)
            return repo.to_session_summary(session, user_external)

    def list_session_messages(
        self, namespace: str, session_id: str, *, limit: int = 100, cursor: str | None = None
    ) -> Page[Episode]:
        request = PageRequest.of(limit, cursor)
        with self.db.read() as db:
            session, _ = self._session(db, namespace, session_id)
            episodes = repo.list_session_episodes(db, session, request.after, request.fetch)
        return request.page(episodes, key=lambda episode: episode.position)

    def list_sessions(
        self, namespace: str, user_id: str, *, limit: int = 100, cursor: str | None = None
    ) -> Page[SessionSummary]:
        request = PageRequest.of(limit, cursor)
        with self.db.read() as db:
            user = repo.find_named_user(db, namespace, user_id)
            if user is None:
                return Page((), None)
            rows = repo.list_user_sessions(db, user, request.after, request.fetch)
        return request.page(rows, key=lambda row: row[0], item=lambda row: row[1])

    def search(self, namespace: str, query: SearchQuery) -> list[SearchHit]:
        """Rank the user's memories in the asked layers; several layers are fused by reciprocal rank."""
        self._check_layers(query)
        config = _recipe(query.recipe)
        now = query.now or datetime.now(UTC)
        # Embedded while the store is read and the lexical rankings run (the worker releases the GIL).
        pending = self.queries.submit(query.query) if config.dense else None
        with self.db.read() as db:
            user = repo.find_named_user(db, namespace, query.user_id)
            if user is None:
                if pending is not None:
                    pending.cancel()
                return []
            partition = Partition(user.namespace_id, user.id)
            revision = user.revision
            facts_revision = semantic_repo.revision(db, user.id) if self.indexes.fact_keys else None
        ranked: list[tuple[list[SearchHit], float]] = []
        if "episodic" in query.layers:
            episodic = self._search_episodic(partition, (revision, facts_revision), query, config, now, pending)
            ranked.append((episodic, 1.0))
        query_vector = _vector(pending)
        if "semantic" in query.layers and self.semantic is not None:
            depth = max(config.candidates, query.top_k)
            semantic = self.semantic.search(
                user.id,
                query.query,
                query_vector,
                config,
                depth,
                now=now,
                as_of=query.as_of,
                session_ids=query.session_ids,
                roles=query.roles,
                time_range=query.time_range,
            )
            ranked.append((semantic, config.semantic_weight))
        if "graph" in query.layers and self.graph is not None:
            depth = max(config.candidates, query.top_k)
            graph = self.graph.search(namespace, query, query_vector=query_vector, depth=depth)
            ranked.append((graph, config.graph_weight))
        hits = ranked[0][0][: query.top_k] if len(ranked) == 1 else fuse_layers(ranked, config.rrf_k)[: query.top_k]
        if self.semantic is not None and query.reinforce:
            self.semantic.record_retrievals(user.id, hits, now=now, as_of=query.as_of)
        return hits

    def _search_episodic(
        self,
        partition: Partition,
        revisions: tuple[int, int | None],
        query: SearchQuery,
        config: SearchConfig,
        now: datetime,
        pending: Future[np.ndarray] | None,
    ) -> list[SearchHit]:
        """Rank the user's episodes by the query's recipe: fused rankings, then adjustments."""
        asked = None
        if query.time_range is None and config.time_mode != "off":
            asked = parse_time_range(query.query, now)
        start, end = _window(query, asked if config.time_mode == "filter" else None)
        with self.db.read() as db:
            roles = query.roles if query.roles is not None else config.roles
            filtered = query.session_ids is not None or roles is not None or start or end
            allowed = (
                repo.filtered_episode_pks(db, partition.user_pk, query.session_ids, roles, start, end)
                if filtered
                else None
            )
        if allowed is not None and not allowed:
            return []
        index = self.indexes.get(partition, *revisions)
        depth = max(config.candidates, (SESSION_DEPTH if query.granularity == "session" else 5) * query.top_k)
        fused = self._fused(index, query.query, pending, config, depth, allowed)
        # Times and sessions of every candidate from the index; whole episodes only for the winners.
        turns = index.turns
        fused = [(pk, score) for pk, score in fused if pk in turns]
        moments = {pk: turns[pk].occurred_at for pk, _ in fused}
        if asked is not None and config.time_mode == "boost":
            fused = rerank.boost_in_window(fused, moments, asked.start, asked.end, config.time_boost)
        if config.recency_weight > 0:
            fused = rerank.blend_recency(fused, moments, now, config.recency_weight, config.recency_half_life_days)
        if query.granularity == "session":
            session_of = {pk: turns[pk].session for pk, _ in fused}
            groups = rerank.aggregate_groups(fused, session_of, config.session_decay)[: query.top_k]
            with self.db.read() as db:
                shown = repo.episodes_by_pk(db, [pk for g in groups for pk in g.members[:SESSION_TURNS_SHOWN]])
            return [session_hit(g, shown) for g in groups]
        if config.mmr_lambda is not None and config.dense:
            with index.lock:
                fused = rerank.maximal_marginal_relevance(fused, index.dense.vectors, config.mmr_lambda, query.top_k)
        fused = fused[: query.top_k]
        with self.db.read() as db:
            episodes = repo.episodes_by_pk(db, [pk for pk, _ in fused])
            neighbours = repo.session_neighbors(db, list(episodes.values()), query.neighbors)
        return [episode_hit(episodes[pk], score, neighbours.get(pk, ())) for pk, score in fused if pk in episodes]

    @staticmethod
    def _fused(
        index: PartitionIndex,
        text: str,
        pending: Future[np.ndarray] | None,
        config: SearchConfig,
        depth: int,
        allowed: set[int] | None,
    ) -> list[tuple[int, float]]:
        """The recipe's hybrid ranking; its lexical part runs while the query is still embedded."""
        with index.lock:
            scope = hybrid.Scope.of(index, allowed, config)
            lexical = hybrid.lexical_rankings(index, text, config, depth, scope)
        query_vector = _vector(pending)
        with index.lock:
            return hybrid.fused_ranking(index, lexical, query_vector, config, depth, scope)

    # -- helpers --------------------------------------------------------------------------

    def _check_layers(self, query: SearchQuery) -> None:
        running = {"episodic": True, "semantic": self.semantic is not None, "graph": self.graph is not None}
        available = tuple(layer for layer in SUPPORTED_LAYERS if running[layer])
        unsupported = [layer for layer in query.layers if layer not in available]
        if unsupported:
            raise InvalidInputError(
                f"layer(s) {', '.join(unsupported)} are not available on this server; "
                f"available: {', '.join(available)}",
                details={"layers": unsupported},
            )

    def _check_messages(self, messages: Sequence[NewMessage], infer: bool) -> None:
        if not messages:
            raise InvalidInputError("messages must hold at least one message")
        if len(messages) > self.max_messages_per_request:
            raise PayloadTooLargeError(
                f"at most {self.max_messages_per_request} messages per request; split the batch",
                details={"messages": len(messages)},
            )
        for position, message in enumerate(messages):
            if not message.content.strip():
                raise InvalidInputError("message content must not be blank", details={"index": position})
            if len(message.content) > self.max_message_chars:
                raise PayloadTooLargeError(
                    f"message {position} has {len(message.content)} characters; the limit is {self.max_message_chars}",
                    details={"index": position},
                )
            if message.occurred_at is not None and message.occurred_at.tzinfo is None:
                raise InvalidInputError(
                    "occurred_at needs a timezone, e.g. 2024-05-01T09:30:00Z", details={"index": position}
                )
        if infer and self.semantic is None:
            raise InvalidInputError(
                "infer=true needs the extraction layer, which this server does not run; send infer=false"
            )

    @staticmethod
    def _session(db: Session, namespace: str, session_id: str) -> tuple[SessionRow, str]:
        namespace_id = repo.find_namespace(db, namespace)
        session = repo.find_session(db, namespace_id, session_id) if namespace_id is not None else None
        if session is None:
            raise NotFoundError(f"session {session_id!r} not found", details={"session_id": session_id})
        user_external = repo.user_external_id(db, session.user_id)
        return session, user_external


def _vector(pending: Future[np.ndarray] | None) -> np.ndarray | None:
    return pending.result(timeout=QUERY_TIMEOUT_S) if pending is not None else None


def _recipe(name: str | None) -> SearchConfig:
    try:
        return recipe(name)
    except UnknownRecipeError:
        raise InvalidInputError(
            f"unknown search recipe {name!r}; known: {', '.join(sorted(RECIPES))}", details={"recipe": name}
        ) from None


def _window(query: SearchQuery, asked: TimeRange | None = None) -> tuple[datetime | None, datetime | None]:
    """The event-time window a search is limited to: time_range (else a parsed one), cut at as_of."""
    window = query.time_range or asked
    start = window.start if window else None
    end = window.end if window else None
    if query.as_of is not None:
        # as_of includes its own instant; the window's end is exclusive.
        cutoff = query.as_of + timedelta(microseconds=1)
        end = cutoff if end is None else min(end, cutoff)
    return start, end
