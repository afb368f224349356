"""SQL of the extraction queue: a table of tasks claimed with ``FOR UPDATE SKIP LOCKED``.

A claim locks the oldest pending row, skipping rows other workers hold (PostgreSQL; SQLite's
single writer makes the lock unnecessary and SQLAlchemy leaves the clause out there), and
moves it to ``running`` in the same transaction, guarded by its status, so two workers never
both take one task.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from memory_service.store.tables import ExtractionTaskRow, utcnow

STATUSES = ("pending", "running", "done", "failed")


@dataclass(frozen=True)
class ClaimedTask:
    pk: int
    user_pk: int
    namespace_id: int
    episode_pks: tuple[int, ...]
    attempts: int


def enqueue(db: Session, user_pk: int, namespace_id: int, episode_pks: Sequence[int]) -> int:
    now = utcnow()
    row = ExtractionTaskRow(
        user_id=user_pk,
        namespace_id=namespace_id,
        episode_ids=list(episode_pks),
        status="pending",
        attempts=0,
        created_at=now,
        updated_at=now,
    )
    db.add(row)
    db.flush()
    return row.id


def has_pending(db: Session) -> bool:
    return db.scalar(select(ExtractionTaskRow.id).where(ExtractionTaskRow.status == "pending").limit(1)) is not None


def claim(db: Session) -> ClaimedTask | None:
    """Take the oldest pending task, or None when there is none free."""
    row = db.scalar(
        select(ExtractionTaskRow)
        .where(ExtractionTaskRow.status == "pending")
        .order_by(ExtractionTaskRow.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if row is None:
        return None
    now = utcnow()
    taken = db.execute(
        update(ExtractionTaskRow)
        .where(ExtractionTaskRow.id == row.id, ExtractionTaskRow.status == "pending")
        .values(status="running", attempts=ExtractionTaskRow.attempts + 1, claimed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return ClaimedTask(row.id, row.user_id, row.namespace_id, tuple(row.episode_ids or ()), row.attempts + 1)


def finish(db: Session, task_pk: int) -> None:
    db.execute(
        update(ExtractionTaskRow)
        .where(ExtractionTaskRow.id == task_pk)
        .values(status="done", error=None, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def fail(db: Session, task_pk: int, error: str, *, retry: bool) -> None:
    """Record a failed attempt: back to ``pending`` to retry, or ``failed`` for good."""
    db.execute(
        update(ExtractionTaskRow)
        .where(ExtractionTaskRow.id == task_pk)
        .values(status="pending" if retry else "failed", error=error[:2000], updated_at=utcnow(), claimed_at=None)
        .execution_options(synchronize_session=False)
    )


def reclaim_stale(db: Session, claimed_before: datetime) -> int:
    """Put back tasks left ``running`` by a worker that died: claimed before ``claimed_before``."""
    result = db.execute(
        update(ExtractionTaskRow)
        .where(ExtractionTaskRow.status == "running", ExtractionTaskRow.claimed_at < claimed_before)
        .values(status="pending", claimed_at=None, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def counts(db: Session, user_pk: int) -> dict[str, int]:
    rows = db.execute(
        select(ExtractionTaskRow.status, func.count())
        .where(ExtractionTaskRow.user_id == user_pk)
        .group_by(ExtractionTaskRow.status)
    ).all()
    found = {status: int(count) for status, count in rows}
    return {status: found.get(status, 0) for status in STATUSES}


def status_counts(db: Session) -> dict[str, int]:
    """Tasks in each status over the whole store (the queue-depth metric); one grouped count that
    the ``(status, id)`` index answers."""
    rows = db.execute(select(ExtractionTaskRow.status, func.count()).group_by(ExtractionTaskRow.status)).all()
    found = {status: int(count) for status, count in rows}
    return {status: found.get(status, 0) for status in STATUSES}
