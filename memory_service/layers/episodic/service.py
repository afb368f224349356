"""EpisodicService: the episodic layer's writes and reads: sessions and the messages in them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from memory_service.domain import Episode, NewMessage, Page, SessionSummary
from memory_service.errors import ConflictError, InvalidInputError, NotFoundError, PayloadTooLargeError
from memory_service.extraction import queue as tasks
from memory_service.layers.embeddings import EmbeddingCache
from memory_service.layers.episodic import repository as repo
from memory_service.layers.episodic.index import IndexManager
from memory_service.layers.episodic.repository import EpisodeDraft
from memory_service.pagination import PageRequest
from memory_service.store import partitions as partition_store
from memory_service.store import vectors as vector_store
from memory_service.store.database import Database
from memory_service.store.partitions import Partition
from memory_service.store.tables import SessionRow
from retrieval.embedder import Embedder
from retrieval.keys import TurnRef
from retrieval.speakers import speaker_of


class EpisodicService:
    """Stores episodes, partitioned by namespace and user; a write lands whole or not at all."""

    def __init__(
        self,
        db: Database,
        embedder: Embedder,
        cache: EmbeddingCache,
        indexes: IndexManager,
        *,
        max_message_chars: int = 100_000,
        max_messages_per_request: int = 1000,
        on_enqueued: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.embedder = embedder
        self.cache = cache
        self.indexes = indexes
        self.max_message_chars = max_message_chars
        self.max_messages_per_request = max_messages_per_request
        # infer=true writes queue extraction; without a worker to wake there is no extraction.
        self._on_enqueued = on_enqueued

    @property
    def extracts(self) -> bool:
        """Whether infer=true writes have a worker to read them into facts and relations."""
        return self._on_enqueued is not None

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
            known = partition_store.find_named_user(db, namespace, user_id)
            locked = Partition(known.namespace_id, known.id) if known is not None else None
        # A known user's writes queue on its partition, so their index updates apply in commit
        # order. A new user has no index yet: its namespace and user rows are created in the same
        # transaction as its messages, so a rejected write (a 409 below) leaves no row behind.
        with self.indexes.writing(locked) if locked else nullcontext(), self.db.write() as db:
            namespace_id = locked.namespace_id if locked else partition_store.get_or_create_namespace(db, namespace)
            user = partition_store.get_or_create_user(db, namespace_id, user_id)
            partition = Partition(namespace_id, user.id)
            session = repo.find_session(db, namespace_id, session_id, lock=True)
            if session is None:
                session = repo.create_session(db, namespace_id, user.id, session_id, agent_id)
            if session.user_id != user.id:
                raise ConflictError(
                    f"session {session_id!r} belongs to another user; use a new session id",
                    details={"session_id": session_id},
                )
            rows = repo.insert_episodes(db, session, agent_id, drafts)
            if infer:
                db.flush()
                # Queued in the same transaction: stored episodes are never left without their task.
                tasks.enqueue(db, user.id, namespace_id, [r.id for r in rows])
            vector_store.store_vectors(db, self.embedder.name, fresh)
            partition_store.bump_revision(db, user.id)
            db.flush()
            revision = partition_store.user_revision(db, user.id)
            episodes = [repo.to_episode(r, session_id, user_id) for r in rows]
        turns = [TurnRef(row.id, row.session_id, row.role, row.occurred_at, speaker_of(row.metadata_)) for row in rows]
        with nullcontext() if locked == partition else self.indexes.writing(partition):
            self.indexes.apply_added(partition, revision, turns, texts, vectors)
        if infer and self._on_enqueued is not None:
            self._on_enqueued()
        return episodes

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
            user = partition_store.find_named_user(db, namespace, user_id)
            if user is None:
                return Page((), None)
            rows = repo.list_user_sessions(db, user, request.after, request.fetch)
        return request.page(rows, key=lambda row: row[0], item=lambda row: row[1])

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
        if infer and not self.extracts:
            raise InvalidInputError(
                "infer=true needs the extraction layer, which this server does not run; send infer=false"
            )

    @staticmethod
    def _session(db: Session, namespace: str, session_id: str) -> tuple[SessionRow, str]:
        namespace_id = partition_store.find_namespace(db, namespace)
        session = repo.find_session(db, namespace_id, session_id) if namespace_id is not None else None
        if session is None:
            raise NotFoundError(f"session {session_id!r} not found", details={"session_id": session_id})
        user_external = partition_store.user_external_id(db, session.user_id)
        return session, user_external
