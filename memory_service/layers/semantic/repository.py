"""SQL queries of the semantic layer. Callers own the transaction (``Database.read/write``)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, bindparam, case, delete, func, literal, select, union, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from memory_service.layers.semantic.domain import Actor, Memory, MemoryChange, MemoryEvent
from memory_service.store.tables import (
    EmbeddingRow,
    EpisodeRow,
    MemoryHistoryRow,
    MemoryRow,
    SemanticRevisionRow,
    SessionRow,
    UserRow,
    UTCDateTime,
    utcnow,
)
from memory_service.store.vectors import chunks

VISIBLE = ("active", "invalid")


def bump_revision(db: Session, user_pk: int) -> None:
    """Count one more change of the user's semantic memories (cached indexes compare it)."""
    insert = postgresql_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(SemanticRevisionRow).values(user_id=user_pk, revision=1)
    db.execute(
        statement.on_conflict_do_update(
            index_elements=[SemanticRevisionRow.user_id], set_={"revision": SemanticRevisionRow.revision + 1}
        )
    )


def revision(db: Session, user_pk: int) -> int:
    return db.scalar(select(SemanticRevisionRow.revision).where(SemanticRevisionRow.user_id == user_pk)) or 0


def lock_user(db: Session, user_pk: int) -> None:
    """Serialize consolidations of one user across processes (a no-op lock on SQLite, whose
    writers are serialized anyway)."""
    db.execute(select(UserRow.id).where(UserRow.id == user_pk).with_for_update())


def insert_memory(db: Session, **fields: Any) -> MemoryRow:
    now = utcnow()
    row = MemoryRow(created_at=now, updated_at=now, **fields)
    db.add(row)
    db.flush()
    if row.lineage_id is None:
        row.lineage_id = row.id
    return row


def record(
    db: Session,
    memory: MemoryRow,
    event: MemoryEvent,
    actor: Actor,
    *,
    old_text: str | None,
    new_text: str | None,
    episode_ids: Sequence[str] = (),
    details: dict[str, Any] | None = None,
) -> None:
    db.add(
        MemoryHistoryRow(
            memory_id=memory.id,
            version=memory.version,
            event=event,
            old_text=old_text,
            new_text=new_text,
            actor=actor,
            episode_ids=list(episode_ids),
            at=utcnow(),
            details=details or {},
        )
    )


def next_version(db: Session, lineage_pk: int) -> int:
    """One past the highest version in the lineage: versions never repeat within one fact."""
    return int(db.scalar(select(func.max(MemoryRow.version)).where(MemoryRow.lineage_id == lineage_pk)) or 0) + 1


EDITABLE = ("text", "content_hash", "valid_at", "invalid_at", "metadata_")
"""The columns a person's edit may set; the status follows invalid_at."""


def update_memory(db: Session, row: MemoryRow, values: Mapping[str, Any], actor: Actor) -> bool:
    """Set ``values`` on ``row`` as its next version, with a history row of what changed.

    False, and nothing written, when every value is the one the memory has already.
    """
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    shown = {"text": "text", "valid_at": "valid_at", "invalid_at": "invalid_at", "metadata_": "metadata"}
    changed = {
        shown[name]: {"old": json_value(getattr(row, name)), "new": json_value(value)}
        for name, value in values.items()
        if name in shown and getattr(row, name) != value
    }
    if not changed:
        return False
    old_text = row.text
    for name, value in values.items():
        setattr(row, name, value)
    row.status = "invalid" if row.invalid_at is not None else "active"
    row.version = next_version(db, row.lineage_id or row.id)
    row.updated_at = utcnow()
    record(db, row, "UPDATE", actor, old_text=old_text, new_text=row.text, details={"changed": changed})
    bump_revision(db, row.user_id)
    return True


def delete_memory(db: Session, row: MemoryRow, actor: Actor) -> None:
    """Soft delete: the row stays, with its history, out of lists and search."""
    row.status = "deleted"
    row.version = next_version(db, row.lineage_id or row.id)
    row.updated_at = utcnow()
    record(db, row, "DELETE", actor, old_text=row.text, new_text=None)
    bump_revision(db, row.user_id)


def json_value(value: Any) -> Any:
    """A value as a history row's details hold it: moments as ISO 8601 text."""
    return value.isoformat() if isinstance(value, datetime) else value


def find_memory(db: Session, namespace_id: int, pk: int, *, lock: bool = False) -> tuple[MemoryRow, str] | None:
    """The memory with its user's external id, if it exists in the namespace."""
    query = (
        select(MemoryRow, UserRow.external_id)
        .join(UserRow, UserRow.id == MemoryRow.user_id)
        .where(MemoryRow.id == pk, UserRow.namespace_id == namespace_id)
    )
    if lock:
        query = query.with_for_update(of=MemoryRow)
    found = db.execute(query).first()
    return (found[0], found[1]) if found is not None else None


def list_memories(
    db: Session,
    user_pk: int,
    statuses: Sequence[str],
    after_pk: int | None,
    limit: int,
    only: Collection[int] | None = None,
) -> list[MemoryRow]:
    """A page of the user's memories in pk order; ``only`` keeps those pks alone."""
    query = select(MemoryRow).where(MemoryRow.user_id == user_pk, MemoryRow.status.in_(list(statuses)))
    if only is not None:
        query = query.where(MemoryRow.id.in_(_literal_pks("only", only)))
    if after_pk is not None:
        query = query.where(MemoryRow.id > after_pk)
    return list(db.scalars(query.order_by(MemoryRow.id).limit(limit)).all())


def visible_memories(db: Session, user_pk: int) -> list[MemoryRow]:
    """Every memory of the user that is not deleted, oldest first."""
    query = select(MemoryRow).where(MemoryRow.user_id == user_pk, MemoryRow.status.in_(VISIBLE))
    return list(db.scalars(query.order_by(MemoryRow.id)).all())


def memories_by_pk(db: Session, pks: Sequence[int]) -> dict[int, MemoryRow]:
    if not pks:
        return {}
    return {row.id: row for row in db.scalars(select(MemoryRow).where(MemoryRow.id.in_(list(pks)))).all()}


def lineage_history(db: Session, lineage_pk: int) -> list[MemoryHistoryRow]:
    """Every change of every version of one fact, in the order they happened."""
    query = (
        select(MemoryHistoryRow)
        .join(MemoryRow, MemoryRow.id == MemoryHistoryRow.memory_id)
        .where(MemoryRow.lineage_id == lineage_pk)
        .order_by(MemoryHistoryRow.id)
    )
    return list(db.scalars(query).all())


def record_accesses(db: Session, user_pk: int, pks: Collection[int], when: datetime) -> None:
    """Count one retrieval of each of the user's memories ``pks``, in one statement.

    The last access never moves back: a search may ask with an earlier ``now`` (replays,
    evaluations) than an access already counted.
    """
    if not pks:
        return
    moment = literal(when, UTCDateTime())
    db.execute(
        update(MemoryRow)
        .where(MemoryRow.user_id == user_pk, MemoryRow.id.in_(_literal_pks("memory_pks", pks)))
        .values(
            accesses=MemoryRow.accesses + 1,
            last_accessed_at=case((MemoryRow.last_accessed_at > moment, MemoryRow.last_accessed_at), else_=moment),
        )
        .execution_options(synchronize_session=False)
    )


def episode_origins(db: Session, user_pk: int, episode_pks: Collection[int]) -> dict[int, tuple[str, str]]:
    """(external session id, role) of each of the user's episodes ``episode_pks``: what the
    semantic layer's session and role filters test a memory's sources against."""
    if not episode_pks:
        return {}
    query = (
        select(EpisodeRow.id, SessionRow.external_id, EpisodeRow.role)
        .join(SessionRow, SessionRow.id == EpisodeRow.session_id)
        .where(EpisodeRow.user_id == user_pk, EpisodeRow.id.in_(_literal_pks("episode_pks", episode_pks)))
    )
    return {pk: (session, role) for pk, session, role in db.execute(query).all()}


def said_at(db: Session, user_pk: int, episode_pks: Collection[int]) -> dict[int, datetime]:
    """When each of the user's episodes ``episode_pks`` occurred: when what they say was learned."""
    if not episode_pks:
        return {}
    query = select(EpisodeRow.id, EpisodeRow.occurred_at).where(
        EpisodeRow.user_id == user_pk, EpisodeRow.id.in_(_literal_pks("episode_pks", episode_pks))
    )
    return {int(pk): occurred_at for pk, occurred_at in db.execute(query).all()}


def _literal_pks(name: str, pks: Collection[int]) -> BindParameter[list[int]]:
    """Integer keys written into the statement, so one statement holds any number of them
    (bound parameters are capped per statement on every backend)."""
    return bindparam(name, sorted(int(pk) for pk in pks), literal_execute=True)


def delete_memory_vectors(db: Session, user_pk: int) -> int:
    """Before the user goes: drop cached vectors of the user's memory texts that nothing else uses."""
    hashes = set(db.scalars(select(MemoryRow.content_hash).where(MemoryRow.user_id == user_pk)).all())
    used: set[str] = set()
    for chunk in chunks(list(hashes)):
        others = union(
            select(MemoryRow.content_hash).where(MemoryRow.content_hash.in_(chunk), MemoryRow.user_id != user_pk),
            select(EpisodeRow.content_hash).where(EpisodeRow.content_hash.in_(chunk), EpisodeRow.user_id != user_pk),
        )
        used.update(db.scalars(select(others.subquery().c[0])).all())
    removed = 0
    for chunk in chunks(list(hashes - used)):
        removed += len(
            db.execute(
                delete(EmbeddingRow).where(EmbeddingRow.content_hash.in_(chunk)).returning(EmbeddingRow.model)
            ).all()
        )
    return removed


def to_memory(row: MemoryRow, user_external: str) -> Memory:
    return Memory(
        pk=row.id,
        user_id=user_external,
        subject=row.subject,
        attribute=row.attribute,
        text=row.text,
        kind=row.kind,
        status=row.status,  # type: ignore[arg-type]
        valid_at=row.valid_at,
        invalid_at=row.invalid_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        confidence=row.confidence,
        importance=row.importance,
        reinforcements=row.reinforcements,
        last_reinforced_at=row.last_reinforced_at,
        accesses=row.accesses,
        last_accessed_at=row.last_accessed_at,
        provenance=tuple(row.source_episode_ids or ()),
        metadata=dict(row.metadata_ or {}),
        lineage_pk=row.lineage_id or row.id,
    )


def to_change(row: MemoryHistoryRow) -> MemoryChange:
    return MemoryChange(
        pk=row.id,
        memory_pk=row.memory_id,
        version=row.version,
        event=row.event,  # type: ignore[arg-type]
        old_text=row.old_text,
        new_text=row.new_text,
        actor=row.actor,  # type: ignore[arg-type]
        episode_ids=tuple(row.episode_ids or ()),
        at=row.at,
        details=dict(row.details or {}),
    )


class StoredFacts:
    """The semantic layer's current facts as the episodic layer's round keys read them."""

    def revision(self, db: Session, user_pk: int) -> int:
        return revision(db, user_pk)

    def current_facts(self, db: Session, user_pk: int) -> list[tuple[str, tuple[str, ...]]]:
        rows = visible_memories(db, user_pk)
        return [(row.text, tuple(row.source_episode_ids or ())) for row in rows if row.status == "active"]
