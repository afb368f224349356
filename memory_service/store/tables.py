"""SQLAlchemy tables. Alembic migrations in ``migrations/`` create them; this module only maps them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Dialect,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import DateTime, TypeDecorator

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
BigPK = BigInteger().with_variant(Integer(), "sqlite")
JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores instants in UTC and always hands back timezone-aware values (SQLite keeps none)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; attach a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class NamespaceRow(Base):
    __tablename__ = "namespaces"

    id: Mapped[int] = mapped_column(BigPK, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class UserRow(Base):
    """A user within a namespace: the partition that indexes are built for."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("namespace_id", "external_id", name="uq_users_namespace_external"),)

    id: Mapped[int] = mapped_column(BigPK, primary_key=True, autoincrement=True)
    namespace_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("namespaces.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped in the same transaction as every write to the partition; persisted indexes
    # record the revision they were built at, so a stale index is detected on load.
    revision: Mapped[int] = mapped_column(BigInteger, default=0)


class SessionRow(Base):
    __tablename__ = "sessions"
    __table_args__ = (
        UniqueConstraint("namespace_id", "external_id", name="uq_sessions_namespace_external"),
        Index("ix_sessions_user", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigPK, primary_key=True, autoincrement=True)
    namespace_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("namespaces.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(128))
    agent_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    first_occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class EpisodeRow(Base):
    """One message or event, verbatim."""

    __tablename__ = "episodes"
    __table_args__ = (
        UniqueConstraint("session_id", "position", name="uq_episodes_session_position"),
        Index("ix_episodes_user_occurred", "user_id", "occurred_at"),
        Index("ix_episodes_content_hash", "content_hash"),
    )

    id: Mapped[int] = mapped_column(BigPK, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("sessions.id", ondelete="CASCADE"))
    agent_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    role: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, default=dict)


class EmbeddingRow(Base):
    """A vector per (model, text): the embedding cache, and what indexes are rebuilt from."""

    __tablename__ = "embeddings"

    model: Mapped[str] = mapped_column(String(256), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EvalJobRow(Base):
    """A benchmark run submitted over REST; its results live in a folder under the data dir."""

    __tablename__ = "eval_jobs"
    __table_args__ = (Index("ix_eval_jobs_namespace", "namespace", "id"), Index("ix_eval_jobs_status", "status"))

    id: Mapped[int] = mapped_column(BigPK, primary_key=True, autoincrement=True)
    namespace: Mapped[str] = mapped_column(String(128))
    benchmark: Mapped[str] = mapped_column(String(32))
    dataset: Mapped[str] = mapped_column(Text)
    dataset_name: Mapped[str] = mapped_column(String(256))
    options: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(16))
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    metrics: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class MemoryRow(Base):
    """A semantic memory: one distilled fact, with its validity in the world and its provenance.

    ``status`` is ``active`` (true now), ``invalid`` (stopped being true at ``invalid_at``; kept as
    history) or ``deleted`` (removed by a person; hidden everywhere but its history).
    ``lineage_id`` is the first memory of a chain of versions: a newer value of a single-valued
    fact is a new row of the same lineage, and the lineage's history is the fact's history.
    """

    __tablename__ = "memories"
    __table_args__ = (
        Index("ix_memories_user_status", "user_id", "status", "id"),
        Index("ix_memories_user_slot", "user_id", "subject", "attribute"),
        Index("ix_memories_lineage", "lineage_id"),
    )

    id: Mapped[int] = mapped_column(BigPK, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    lineage_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    subject: Mapped[str] = mapped_column(String(128))
    attribute: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    valid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    invalid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    importance: Mapped[float] = mapped_column(Float, default=0.5)
    reinforcements: Mapped[int] = mapped_column(Integer, default=0)
    last_reinforced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    accesses: Mapped[int] = mapped_column(Integer, default=0)
    last_accessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    source_episode_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    invalidated_by: Mapped[list[str]] = mapped_column(JSONType, default=list)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, default=dict)
    content_hash: Mapped[str] = mapped_column(String(64))


class MemoryHistoryRow(Base):
    """One change of a memory: ADD, UPDATE, DELETE or NOOP, by whom and from which episodes."""

    __tablename__ = "memory_history"
    __table_args__ = (Index("ix_memory_history_memory", "memory_id", "id"),)

    id: Mapped[int] = mapped_column(BigPK, primary_key=True, autoincrement=True)
    memory_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("memories.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(8))
    old_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    new_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    actor: Mapped[str] = mapped_column(String(16))
    episode_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class ExtractionTaskRow(Base):
    """A durable queue entry: episodes waiting for fact extraction and consolidation."""

    __tablename__ = "extraction_tasks"
    __table_args__ = (
        Index("ix_extraction_tasks_status", "status", "id"),
        Index("ix_extraction_tasks_user", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigPK, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    namespace_id: Mapped[int] = mapped_column(BigInteger)
    episode_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SemanticRevisionRow(Base):
    """Per-user change counter of the semantic layer, bumped with every memory write, so cached
    semantic indexes know when they are stale (the episodic ``users.revision`` is left alone)."""

    __tablename__ = "semantic_revisions"

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger, default=0)


class GraphEntityRow(Base):
    """A node of a user's temporal graph; ``id`` is the graph's own id, unique within the user.

    ``embedding`` holds the name's unit vector as float32 bytes (None without an embedder).
    """

    __tablename__ = "graph_entities"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(Text)
    normalized_name: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text, default="")
    aliases: Mapped[list[str]] = mapped_column(JSONType, default=list)
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class GraphRelationRow(Base):
    """A bi-temporal edge of a user's graph: true in the world from ``valid_at`` to ``invalid_at``,
    held by the service from ``created_at`` to ``expired_at``; ``episode_ids`` is its provenance."""

    __tablename__ = "graph_relations"
    __table_args__ = (
        ForeignKeyConstraint(
            ["user_id", "source_id"], ["graph_entities.user_id", "graph_entities.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["user_id", "target_id"], ["graph_entities.user_id", "graph_entities.id"], ondelete="CASCADE"
        ),
    )

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    source_id: Mapped[int] = mapped_column(BigInteger)
    target_id: Mapped[int] = mapped_column(BigInteger)
    predicate: Mapped[str] = mapped_column(String(128))
    fact: Mapped[str] = mapped_column(Text)
    valid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    invalid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    episode_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    ended_by: Mapped[list[str] | None] = mapped_column(JSONType, nullable=True, default=list)
    """Public ids of the episodes that ended it (None in rows written before this was kept)."""


class GraphRevisionRow(Base):
    """Per-user change counter of the graph, bumped with every graph write, so a cached graph
    knows when it is stale."""

    __tablename__ = "graph_revisions"

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger, default=0)


class ApiKeyRow(Base):
    """A managed API key: its keyed hash (never the key), what it may do, and its life.

    ``key_hash`` is HMAC-SHA-256 of the key under the server secret; ``prefix`` its first
    characters, for display. Rows are never deleted: a revoked key keeps its row, so it stays
    refused and the audit log keeps pointing at something.
    """

    __tablename__ = "api_keys"
    __table_args__ = (
        UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
        Index("ix_api_keys_namespace", "namespace", "id"),
    )

    id: Mapped[int] = mapped_column(BigPK, primary_key=True, autoincrement=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(16))
    namespace: Mapped[str] = mapped_column(String(128))
    scopes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(160))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AuditEventRow(Base):
    """One administrative change (a key made or revoked, ...): who, what, to what, when."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_namespace", "namespace", "id"),
        Index("ix_audit_events_action", "action", "id"),
        Index("ix_audit_events_actor", "actor", "id"),
    )

    id: Mapped[int] = mapped_column(BigPK, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(160))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(160), nullable=True)
    namespace: Mapped[str | None] = mapped_column(String(128), nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
