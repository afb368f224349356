"""MemoryService: the one place where the episodic layer's reads and writes are decided."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

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
from memory_service.pagination import check_limit, decode_cursor, encode_cursor
from memory_service.services.indexes import EmbeddingCache, IndexManager
from memory_service.store import repository as repo
from memory_service.store.database import Database
from memory_service.store.repository import EpisodeDraft, Partition
from memory_service.store.tables import SessionRow
from retrieval.embedder import Embedder
from retrieval.fusion import reciprocal_rank_fusion

log = logging.getLogger(__name__)

SUPPORTED_LAYERS = ("episodic",)
MIN_CANDIDATES = 50


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
    ) -> None:
        self.db = db
        self.embedder = embedder
        self.cache = cache
        self.indexes = indexes
        self.max_message_chars = max_message_chars
        self.max_messages_per_request = max_messages_per_request

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
        with self.db.write() as db:
            namespace_id = repo.get_or_create_namespace(db, namespace)
            user = repo.get_or_create_user(db, namespace_id, user_id)
            partition = Partition(namespace_id, user.id)
        with self.indexes.writing(partition), self.db.write() as db:
            session = repo.find_session(db, namespace_id, session_id, lock=True)
            if session is None:
                session = repo.create_session(db, namespace_id, user.id, session_id, agent_id)
            elif session.user_id != user.id:
                raise ConflictError(
                    f"session {session_id!r} belongs to another user; use a new session id",
                    details={"session_id": session_id},
                )
            rows = repo.insert_episodes(db, session, agent_id, drafts)
            repo.store_vectors(db, self.embedder.name, fresh)
            repo.bump_revision(db, user.id)
            db.flush()
            revision = repo.user_revision(db, user.id)
            episodes = [repo.to_episode(r, session_id, user_id) for r in rows]
        self.indexes.apply_added(partition, revision, [e.pk for e in episodes], texts, vectors)
        return episodes

    def delete_user(self, namespace: str, user_id: str) -> UserDeletion:
        """Forget the user in the store and in every index."""
        with self.db.read() as db:
            namespace_id = repo.find_namespace(db, namespace)
            user = repo.find_user(db, namespace_id, user_id) if namespace_id is not None else None
            if namespace_id is None or user is None:
                raise NotFoundError(f"user {user_id!r} not found", details={"user_id": user_id})
            partition = Partition(namespace_id, user.id)
        with self.indexes.writing(partition), self.db.write() as db:
            row = repo.find_user(db, namespace_id, user_id)
            if row is None:
                raise NotFoundError(f"user {user_id!r} not found", details={"user_id": user_id})
            sessions, episodes = repo.delete_user(db, row)
        self.indexes.drop(partition)
        return UserDeletion(user_id=user_id, sessions=sessions, episodes=episodes)

    # -- reads ----------------------------------------------------------------------------

    def get_session(self, namespace: str, session_id: str) -> SessionSummary:
        with self.db.read() as db:
            session, user_external = self._session(db, namespace, session_id)
            return repo.to_session_summary(session, user_external)

    def list_session_messages(
        self, namespace: str, session_id: str, *, limit: int = 100, cursor: str | None = None
    ) -> Page[Episode]:
        check_limit(limit)
        after = decode_cursor(cursor)
        with self.db.read() as db:
            session, _ = self._session(db, namespace, session_id)
            items = repo.list_session_episodes(db, session, after, limit + 1)
        more = len(items) > limit
        items = items[:limit]
        return Page(tuple(items), encode_cursor(items[-1].position) if more else None)

    def list_sessions(
        self, namespace: str, user_id: str, *, limit: int = 100, cursor: str | None = None
    ) -> Page[SessionSummary]:
        check_limit(limit)
        after = decode_cursor(cursor)
        with self.db.read() as db:
            namespace_id = repo.find_namespace(db, namespace)
            user = repo.find_user(db, namespace_id, user_id) if namespace_id is not None else None
            if user is None:
                return Page((), None)
            rows = repo.list_user_sessions(db, user, after, limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        return Page(tuple(s for _, s in rows), encode_cursor(rows[-1][0]) if more else None)

    def search(self, namespace: str, query: SearchQuery) -> list[SearchHit]:
        """Dense and BM25 rankings of the user's episodes, fused by reciprocal rank."""
        unsupported = [layer for layer in query.layers if layer not in SUPPORTED_LAYERS]
        if unsupported:
            raise InvalidInputError(
                f"layer(s) {', '.join(unsupported)} are not available on this server; "
                f"available: {', '.join(SUPPORTED_LAYERS)}",
                details={"layers": unsupported},
            )
        start, end = _window(query)
        with self.db.read() as db:
            namespace_id = repo.find_namespace(db, namespace)
            user = repo.find_user(db, namespace_id, query.user_id) if namespace_id is not None else None
            if namespace_id is None or user is None:
                return []
            partition = Partition(namespace_id, user.id)
            revision = user.revision
            filtered = query.session_ids is not None or query.roles is not None or start or end
            allowed = (
                repo.filtered_episode_pks(db, user.id, query.session_ids, query.roles, start, end) if filtered else None
            )
        if allowed is not None and not allowed:
            return []
        query_vector = self.embedder.embed_batch([query.query])[0]
        index = self.indexes.get(partition, revision)
        n_candidates = max(MIN_CANDIDATES, 5 * query.top_k)
        with index.lock:
            dense = index.dense.search(query_vector, n_candidates, allowed)
            lexical = index.lexical.search(query.query, n_candidates, allowed)
        fused = reciprocal_rank_fusion([[pk for pk, _ in dense], [pk for pk, _ in lexical]])[: query.top_k]
        with self.db.read() as db:
            episodes = repo.episodes_by_pk(db, [pk for pk, _ in fused])
        return [_hit(episodes[pk], score) for pk, score in fused if pk in episodes]

    # -- helpers --------------------------------------------------------------------------

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
        if infer:
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


def _window(query: SearchQuery) -> tuple[datetime | None, datetime | None]:
    """The event-time window a search is limited to: time_range, cut at as_of."""
    start = query.time_range.start if query.time_range else None
    end = query.time_range.end if query.time_range else None
    if query.as_of is not None:
        # as_of includes its own instant; the window's end is exclusive.
        cutoff = query.as_of + timedelta(microseconds=1)
        end = cutoff if end is None else min(end, cutoff)
    return start, end


def _hit(episode: Episode, score: float) -> SearchHit:
    return SearchHit(
        id=episode.id,
        layer="episodic",
        text=episode.content,
        score=score,
        session_id=episode.session_id,
        role=episode.role,
        occurred_at=episode.occurred_at,
        provenance=(episode.id,),
        metadata=episode.metadata,
    )
