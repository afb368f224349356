"""SQL queries of the episodic layer: sessions and their episodes.

Callers own the transaction (``Database.read/write``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, func, select
from sqlalchemy.orm import Session

from memory_service.domain import Episode, Role, SessionSummary
from memory_service.errors import ConflictError
from memory_service.store.conflicts import insert_if_absent
from memory_service.store.partitions import user_external_id
from memory_service.store.tables import EpisodeRow, SessionRow, UserRow
from memory_service.store.vectors import content_hash
from retrieval.keys import TurnRef
from retrieval.speakers import SPEAKER_KEY, speaker_name


def find_session(db: Session, namespace_id: int, external_id: str, *, lock: bool = False) -> SessionRow | None:
    query = select(SessionRow).where(SessionRow.namespace_id == namespace_id, SessionRow.external_id == external_id)
    if lock:
        query = query.with_for_update()
    return db.scalar(query)


def create_session(db: Session, namespace_id: int, user_pk: int, external_id: str, agent_id: str | None) -> SessionRow:
    """The session, made on first use and locked for this transaction's writes.

    Two first writes to one new session may arrive together: the second waits for the first and
    then gets its row, which may belong to another user (the caller checks).
    """
    values = {
        "namespace_id": namespace_id,
        "user_id": user_pk,
        "external_id": external_id,
        "agent_id": agent_id,
        "message_count": 0,
    }
    insert_if_absent(db, SessionRow, values)
    row = find_session(db, namespace_id, external_id, lock=True)
    if row is None:  # made and deleted by others between the two statements
        raise ConflictError(f"session {external_id!r} was deleted during this write; retry it")
    return row


@dataclass(frozen=True)
class EpisodeDraft:
    role: Role
    content: str
    occurred_at: datetime
    metadata: dict[str, object]


def insert_episodes(
    db: Session, session: SessionRow, agent_id: str | None, drafts: Sequence[EpisodeDraft]
) -> list[EpisodeRow]:
    """Append to the session after its last position, keeping the session's summary current."""
    # After its highest position, not its count: a forgotten message leaves a gap behind it.
    start = db.scalar(select(func.max(EpisodeRow.position)).where(EpisodeRow.session_id == session.id)) or 0
    rows = [
        EpisodeRow(
            user_id=session.user_id,
            session_id=session.id,
            agent_id=agent_id,
            role=draft.role,
            content=draft.content,
            content_hash=content_hash(draft.content),
            position=start + offset,
            occurred_at=draft.occurred_at,
            metadata_=draft.metadata,
        )
        for offset, draft in enumerate(drafts, start=1)
    ]
    db.add_all(rows)
    times = [d.occurred_at for d in drafts]
    session.message_count += len(rows)
    session.first_occurred_at = min([*times, *([session.first_occurred_at] if session.first_occurred_at else [])])
    session.last_occurred_at = max([*times, *([session.last_occurred_at] if session.last_occurred_at else [])])
    db.flush()
    return rows


def to_episode(row: EpisodeRow, session_external: str, user_external: str) -> Episode:
    return Episode(
        pk=row.id,
        session_id=session_external,
        user_id=user_external,
        agent_id=row.agent_id,
        role=row.role,  # type: ignore[arg-type]
        content=row.content,
        position=row.position,
        occurred_at=row.occurred_at,
        created_at=row.created_at,
        metadata=row.metadata_ or {},
    )


def list_session_episodes(db: Session, session: SessionRow, after_position: int | None, limit: int) -> list[Episode]:
    user_external = user_external_id(db, session.user_id)
    query = select(EpisodeRow).where(EpisodeRow.session_id == session.id)
    if after_position is not None:
        query = query.where(EpisodeRow.position > after_position)
    rows = db.scalars(query.order_by(EpisodeRow.position).limit(limit)).all()
    return [to_episode(r, session.external_id, user_external) for r in rows]


_EPISODE_COLUMNS = (
    EpisodeRow.id,
    EpisodeRow.agent_id,
    EpisodeRow.role,
    EpisodeRow.content,
    EpisodeRow.position,
    EpisodeRow.occurred_at,
    EpisodeRow.created_at,
    EpisodeRow.metadata_,
    SessionRow.external_id.label("session_external"),
    UserRow.external_id.label("user_external"),
)
"""What a search hit shows of an episode, read as plain columns: a session search shows
three turns of each of up to 50 sessions, and building ORM objects for them cost more than
the ranking itself."""


def _episodes(db: Session, condition: Any) -> list[Row[Any]]:
    return list(
        db.execute(
            select(*_EPISODE_COLUMNS)
            .join(SessionRow, SessionRow.id == EpisodeRow.session_id)
            .join(UserRow, UserRow.id == EpisodeRow.user_id)
            .where(condition)
        ).all()
    )


def _episode_of(row: Row[Any]) -> Episode:
    return Episode(
        pk=row.id,
        session_id=row.session_external,
        user_id=row.user_external,
        agent_id=row.agent_id,
        role=row.role,
        content=row.content,
        position=row.position,
        occurred_at=row.occurred_at,
        created_at=row.created_at,
        metadata=row.metadata_ or {},
    )


def episodes_by_pk(db: Session, pks: Sequence[int]) -> dict[int, Episode]:
    if not pks:
        return {}
    return {row.id: _episode_of(row) for row in _episodes(db, EpisodeRow.id.in_(list(pks)))}


def session_neighbors(db: Session, episodes: Sequence[Episode], span: int) -> dict[int, tuple[Episode, ...]]:
    """For each episode, the episodes up to ``span`` positions before and after it in its session."""
    if span <= 0 or not episodes:
        return {}
    wanted = {(e.session_id, p) for e in episodes for p in range(e.position - span, e.position + span + 1)}
    rows = _episodes(
        db,
        EpisodeRow.session_id.in_(
            select(EpisodeRow.session_id).where(EpisodeRow.id.in_([e.pk for e in episodes])).scalar_subquery()
        )
        & EpisodeRow.position.in_(sorted({p for _, p in wanted})),
    )
    by_place = {(row.session_external, row.position): _episode_of(row) for row in rows}
    return {
        e.pk: tuple(
            by_place[(e.session_id, p)]
            for p in range(e.position - span, e.position + span + 1)
            if p != e.position and (e.session_id, p) in by_place
        )
        for e in episodes
    }


def to_session_summary(row: SessionRow, user_external: str) -> SessionSummary:
    return SessionSummary(
        session_id=row.external_id,
        user_id=user_external,
        agent_id=row.agent_id,
        created_at=row.created_at,
        message_count=row.message_count,
        first_occurred_at=row.first_occurred_at,
        last_occurred_at=row.last_occurred_at,
    )


def list_user_sessions(
    db: Session, user: UserRow, after_pk: int | None, limit: int
) -> list[tuple[int, SessionSummary]]:
    query = select(SessionRow).where(SessionRow.user_id == user.id)
    if after_pk is not None:
        query = query.where(SessionRow.id > after_pk)
    rows = db.scalars(query.order_by(SessionRow.id).limit(limit)).all()
    return [(r.id, to_session_summary(r, user.external_id)) for r in rows]


def filtered_episode_pks(
    db: Session,
    user_pk: int,
    session_ids: Sequence[str] | None,
    roles: Sequence[str] | None,
    start: datetime | None,
    end: datetime | None,
) -> set[int]:
    """Primary keys of the partition's episodes that pass every given filter."""
    query = select(EpisodeRow.id).where(EpisodeRow.user_id == user_pk)
    if session_ids is not None:
        query = query.join(SessionRow, SessionRow.id == EpisodeRow.session_id).where(
            SessionRow.external_id.in_(list(session_ids))
        )
    if roles is not None:
        query = query.where(EpisodeRow.role.in_(list(roles)))
    if start is not None:
        query = query.where(EpisodeRow.occurred_at >= start)
    if end is not None:
        query = query.where(EpisodeRow.occurred_at < end)
    return set(db.scalars(query).all())


def iter_partition_episodes(db: Session, user_pk: int, batch: int = 5000) -> Iterator[tuple[TurnRef, str]]:
    """Every episode of the partition with its text, in pk order (which, within a session, is
    the order of its turns): what the partition's indexes are built from."""
    after = 0
    while True:
        rows = db.execute(
            select(
                EpisodeRow.id,
                EpisodeRow.session_id,
                EpisodeRow.role,
                EpisodeRow.content,
                EpisodeRow.occurred_at,
                # The one metadata field the index needs, not each message's whole metadata.
                EpisodeRow.metadata_[SPEAKER_KEY],
            )
            .where(EpisodeRow.user_id == user_pk, EpisodeRow.id > after)
            .order_by(EpisodeRow.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from (
            (TurnRef(pk, session, role, occurred_at, speaker_name(speaker)), text)
            for pk, session, role, text, occurred_at, speaker in rows
        )
        after = rows[-1][0]


def find_episode(db: Session, namespace_id: int, pk: int) -> EpisodeRow | None:
    """The episode, if it belongs to a session of the namespace."""
    return db.scalar(
        select(EpisodeRow)
        .join(SessionRow, SessionRow.id == EpisodeRow.session_id)
        .where(EpisodeRow.id == pk, SessionRow.namespace_id == namespace_id)
    )


def session_episode_pks(db: Session, session: SessionRow) -> list[int]:
    return list(db.scalars(select(EpisodeRow.id).where(EpisodeRow.session_id == session.id).order_by(EpisodeRow.id)))


def delete_episodes(db: Session, pks: Sequence[int]) -> set[str]:
    """Remove the episodes; the content hashes they had, for their cached vectors to follow."""
    hashes: set[str] = set()
    for start in range(0, len(pks), 900):  # under every backend's cap on bound parameters
        chunk = list(pks[start : start + 900])
        hashes.update(db.scalars(select(EpisodeRow.content_hash).where(EpisodeRow.id.in_(chunk))).all())
        db.execute(delete(EpisodeRow).where(EpisodeRow.id.in_(chunk)))
    return hashes


def refresh_session_summary(db: Session, session: SessionRow) -> None:
    """Count and time span of what the session still holds, after some of it was forgotten."""
    count, first, last = db.execute(
        select(func.count(), func.min(EpisodeRow.occurred_at), func.max(EpisodeRow.occurred_at)).where(
            EpisodeRow.session_id == session.id
        )
    ).one()
    session.message_count = int(count or 0)
    session.first_occurred_at = first
    session.last_occurred_at = last
