"""Export: a user's or a namespace's rows as the lines of the export format, in primary-key order.

Rows are read in pages, each in its own short read, so an export of any size holds one page in
memory and never keeps a transaction open while the caller writes (or a client downloads).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from memory_service.domain import episode_public_id
from memory_service.errors import NotFoundError
from memory_service.layers.semantic.domain import memory_public_id
from memory_service.layers.temporal.domain import ENTITY_ID_PREFIX, RELATION_ID_PREFIX, graph_public_id
from memory_service.store import partitions as partition_store
from memory_service.store import vectors as vector_store
from memory_service.store.tables import (
    EpisodeRow,
    GraphEntityRow,
    GraphRelationRow,
    MemoryHistoryRow,
    MemoryRow,
    SessionRow,
    UserRow,
)
from memory_service.transfer.format import (
    FORMAT_VERSION,
    EmbeddingModel,
    EndRecord,
    EntityRecord,
    EpisodeRecord,
    Header,
    MemoryHistoryRecord,
    MemoryRecord,
    RelationRecord,
    Scope,
    SessionRecord,
    UserRecord,
    dump,
    encode_vector,
)
from memory_service.version import __version__

if TYPE_CHECKING:
    from memory_service.runtime import Runtime

PAGE = 500
"""Rows read per query: small enough to stream, large enough that a big export is few queries."""


def export_user(runtime: Runtime, namespace: str, user_id: str, out: IO[str], *, vectors: bool = False) -> int:
    """Write one user's memory to ``out``; the number of lines written."""
    return _write(iter_export(runtime, namespace, user_id, vectors=vectors), out)


def export_namespace(runtime: Runtime, namespace: str, out: IO[str], *, vectors: bool = False) -> int:
    """Write every user of a namespace to ``out``; the number of lines written."""
    return _write(iter_export(runtime, namespace, None, vectors=vectors), out)


def iter_export(
    runtime: Runtime,
    namespace: str,
    user_id: str | None,
    *,
    vectors: bool = False,
    now: datetime | None = None,
) -> Iterator[str]:
    """The file's lines without their newlines: the header, each user's records in turn, the end.

    The scope is checked before the first line, so a missing user or namespace is an error, not
    an empty file.
    """
    user_pks = _user_pks(runtime, namespace, user_id)
    return _lines(runtime, namespace, user_id, user_pks, vectors, now or datetime.now(UTC))


def _lines(
    runtime: Runtime, namespace: str, user_id: str | None, user_pks: list[int], vectors: bool, now: datetime
) -> Iterator[str]:
    model = EmbeddingModel(name=runtime.embedder.name, dim=runtime.embedder.dim)
    yield dump(
        Header(
            format_version=FORMAT_VERSION,
            service_version=__version__,
            exported_at=now,
            embedding_model=model,
            scope=Scope(namespace=namespace, user_id=user_id),
            vectors=vectors,
        )
    )
    records = 0
    for user_pk in user_pks:
        for line in _user_lines(runtime, user_pk, model.name if vectors else None):
            records += 1
            yield line
    yield dump(EndRecord(records=records))


def _user_pks(runtime: Runtime, namespace: str, user_id: str | None) -> list[int]:
    with runtime.db.read() as db:
        if user_id is not None:
            user = partition_store.find_named_user(db, namespace, user_id)
            if user is None:
                raise NotFoundError(f"user {user_id!r} not found", details={"user_id": user_id})
            return [user.id]
        namespace_id = partition_store.find_namespace(db, namespace)
        if namespace_id is None:
            raise NotFoundError(f"namespace {namespace!r} not found", details={"namespace": namespace})
        return list(db.scalars(select(UserRow.id).where(UserRow.namespace_id == namespace_id).order_by(UserRow.id)))


def _user_lines(runtime: Runtime, user_pk: int, model: str | None) -> Iterator[str]:
    with runtime.db.read() as db:
        user = db.get_one(UserRow, user_pk)
        external = user.external_id
        yield dump(UserRecord(id=external, created_at=user.created_at))
    sessions: dict[int, str] = {}

    def session_lines(db: Session, rows: Sequence[SessionRow]) -> list[str]:
        sessions.update((row.id, row.external_id) for row in rows)
        return [dump(_session(row, external)) for row in rows]

    def episode_lines(db: Session, rows: Sequence[EpisodeRow]) -> list[str]:
        found = _vectors(db, model, [row.content_hash for row in rows])
        return [dump(_episode(row, external, sessions[row.session_id], found.get(row.content_hash))) for row in rows]

    def memory_lines(db: Session, rows: Sequence[MemoryRow]) -> list[str]:
        found = _vectors(db, model, [row.content_hash for row in rows])
        return [dump(_memory(row, external, found.get(row.content_hash))) for row in rows]

    def history_lines(db: Session, rows: Sequence[MemoryHistoryRow]) -> list[str]:
        return [dump(_history(row, external)) for row in rows]

    def entity_lines(db: Session, rows: Sequence[GraphEntityRow]) -> list[str]:
        return [dump(_entity(row, external, model is not None)) for row in rows]

    def relation_lines(db: Session, rows: Sequence[GraphRelationRow]) -> list[str]:
        return [dump(_relation(row, external)) for row in rows]

    yield from _paged(runtime, select(SessionRow).where(SessionRow.user_id == user_pk), SessionRow.id, session_lines)
    yield from _paged(runtime, select(EpisodeRow).where(EpisodeRow.user_id == user_pk), EpisodeRow.id, episode_lines)
    yield from _paged(runtime, select(MemoryRow).where(MemoryRow.user_id == user_pk), MemoryRow.id, memory_lines)
    history = select(MemoryHistoryRow).join(MemoryRow, MemoryRow.id == MemoryHistoryRow.memory_id)
    yield from _paged(runtime, history.where(MemoryRow.user_id == user_pk), MemoryHistoryRow.id, history_lines)
    entities = select(GraphEntityRow).where(GraphEntityRow.user_id == user_pk)
    yield from _paged(runtime, entities, GraphEntityRow.id, entity_lines)
    relations = select(GraphRelationRow).where(GraphRelationRow.user_id == user_pk)
    yield from _paged(runtime, relations, GraphRelationRow.id, relation_lines)


def _paged(
    runtime: Runtime,
    query: Select[Any],
    pk: InstrumentedAttribute[int],
    convert: Callable[[Session, Sequence[Any]], list[str]],
) -> Iterator[str]:
    """Lines of the rows of ``query`` by ascending ``pk``, one page per short read."""
    last: int | None = None
    while True:
        with runtime.db.read() as db:
            page = query if last is None else query.where(pk > last)
            rows = db.scalars(page.order_by(pk).limit(PAGE)).all()
            lines = convert(db, rows) if rows else []
            if rows:
                last = getattr(rows[-1], pk.key)
        yield from lines
        if len(rows) < PAGE:
            return


def _vectors(db: Session, model: str | None, hashes: list[str]) -> dict[str, str]:
    if model is None:
        return {}
    return {digest: encode_vector(v) for digest, v in vector_store.load_vectors(db, model, hashes).items()}


def _session(row: SessionRow, user: str) -> SessionRecord:
    return SessionRecord(
        id=row.external_id,
        user_id=user,
        agent_id=row.agent_id,
        created_at=row.created_at,
        message_count=row.message_count,
        first_occurred_at=row.first_occurred_at,
        last_occurred_at=row.last_occurred_at,
    )


def _episode(row: EpisodeRow, user: str, session: str, vector: str | None) -> EpisodeRecord:
    return EpisodeRecord(
        id=episode_public_id(row.id),
        user_id=user,
        session_id=session,
        agent_id=row.agent_id,
        role=row.role,
        content=row.content,
        position=row.position,
        occurred_at=row.occurred_at,
        created_at=row.created_at,
        metadata=_canonical(row.metadata_ or {}),
        vector=vector,
    )


def _memory(row: MemoryRow, user: str, vector: str | None) -> MemoryRecord:
    return MemoryRecord(
        id=memory_public_id(row.id),
        user_id=user,
        lineage_id=memory_public_id(row.lineage_id) if row.lineage_id is not None else None,
        subject=row.subject,
        attribute=row.attribute,
        text=row.text,
        memory_kind=row.kind,
        status=row.status,  # type: ignore[arg-type]  # the store holds only the three statuses
        version=row.version,
        valid_at=row.valid_at,
        invalid_at=row.invalid_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        confidence=row.confidence,
        importance=row.importance,
        reinforcements=row.reinforcements,
        last_reinforced_at=row.last_reinforced_at,
        accesses=row.accesses,
        last_accessed_at=row.last_accessed_at,
        source_episode_ids=list(row.source_episode_ids or ()),
        invalidated_by=list(row.invalidated_by or ()),
        metadata=_canonical(row.metadata_ or {}),
        vector=vector,
    )


def _history(row: MemoryHistoryRow, user: str) -> MemoryHistoryRecord:
    return MemoryHistoryRecord(
        user_id=user,
        memory_id=memory_public_id(row.memory_id),
        version=row.version,
        event=row.event,  # type: ignore[arg-type]  # the store holds only the four events
        old_text=row.old_text,
        new_text=row.new_text,
        actor=row.actor,
        episode_ids=list(row.episode_ids or ()),
        at=row.at,
        details=_canonical(row.details or {}),
    )


def _entity(row: GraphEntityRow, user: str, vectors: bool) -> EntityRecord:
    return EntityRecord(
        id=graph_public_id(ENTITY_ID_PREFIX, row.user_id, row.id),
        user_id=user,
        name=row.name,
        normalized_name=row.normalized_name,
        type=row.type,
        summary=row.summary,
        aliases=list(row.aliases or ()),
        embedding=encode_vector(row.embedding) if vectors and row.embedding is not None else None,
    )


def _relation(row: GraphRelationRow, user: str) -> RelationRecord:
    return RelationRecord(
        id=graph_public_id(RELATION_ID_PREFIX, row.user_id, row.id),
        user_id=user,
        source_id=graph_public_id(ENTITY_ID_PREFIX, row.user_id, row.source_id),
        target_id=graph_public_id(ENTITY_ID_PREFIX, row.user_id, row.target_id),
        predicate=row.predicate,
        fact=row.fact,
        valid_at=row.valid_at,
        invalid_at=row.invalid_at,
        created_at=row.created_at,
        expired_at=row.expired_at,
        episode_ids=list(row.episode_ids or ()),
        ended_by=list(row.ended_by or ()),
    )


def _canonical(value: Any) -> Any:
    """A free-form JSON object with its keys sorted, at every depth: PostgreSQL's JSONB keeps
    keys in an order of its own and SQLite in the order written, so without this the same memory
    would export as different text from the two backends (and a round trip would not be exact)."""
    if isinstance(value, dict):
        return {key: _canonical(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    return value


def _write(lines: Iterator[str], out: IO[str]) -> int:
    count = 0
    for line in lines:
        out.write(line + "\n")
        count += 1
    return count
