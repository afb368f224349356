"""SQL for the ``eval_jobs`` table, and the job value the rest of the code sees.

Jobs belong to the namespace that submitted them: every read and write here is scoped by it,
so one tenant never sees or cancels another's jobs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from memory_service.store.tables import EvalJobRow, utcnow

QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED = "queued", "running", "succeeded", "failed", "cancelled"
FINISHED = frozenset({SUCCEEDED, FAILED, CANCELLED})
UNFINISHED = (QUEUED, RUNNING)
JOB_ID_PREFIX = "evaljob_"


def public_job_id(pk: int) -> str:
    return f"{JOB_ID_PREFIX}{pk}"


def parse_job_id(public_id: str) -> int | None:
    digits = public_id.removeprefix(JOB_ID_PREFIX)
    return int(digits) if public_id.startswith(JOB_ID_PREFIX) and digits.isdigit() else None


@dataclass(frozen=True)
class EvalJob:
    """One job as stored: what was asked, how far it got, and its metrics once finished."""

    pk: int
    namespace: str
    benchmark: str
    dataset: str
    dataset_name: str
    options: dict[str, Any]
    status: str
    done: int
    total: int | None
    failed: int
    error: str | None
    metrics: dict[str, Any] | None
    cancel_requested: bool
    created_at: datetime
    started_at: datetime | None
    updated_at: datetime
    finished_at: datetime | None

    @property
    def id(self) -> str:
        return public_job_id(self.pk)

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


def to_job(row: EvalJobRow) -> EvalJob:
    return EvalJob(
        pk=row.id,
        namespace=row.namespace,
        benchmark=row.benchmark,
        dataset=row.dataset,
        dataset_name=row.dataset_name,
        options=dict(row.options or {}),
        status=row.status,
        done=row.done,
        total=row.total,
        failed=row.failed,
        error=row.error,
        metrics=row.metrics,
        cancel_requested=row.cancel_requested,
        created_at=row.created_at,
        started_at=row.started_at,
        updated_at=row.updated_at,
        finished_at=row.finished_at,
    )


def insert_job(
    db: Session, namespace: str, benchmark: str, dataset: str, dataset_name: str, options: dict[str, Any]
) -> EvalJobRow:
    now = utcnow()
    row = EvalJobRow(
        namespace=namespace,
        benchmark=benchmark,
        dataset=dataset,
        dataset_name=dataset_name[:256],
        options=options,
        status=QUEUED,
        done=0,
        failed=0,
        cancel_requested=False,
        created_at=now,
        updated_at=now,
    )
    db.add(row)
    db.flush()
    return row


def find_job(db: Session, pk: int, namespace: str | None = None) -> EvalJobRow | None:
    row = db.get(EvalJobRow, pk)
    if row is None or (namespace is not None and row.namespace != namespace):
        return None
    return row


def list_jobs(db: Session, namespace: str, before: int | None, limit: int) -> Sequence[EvalJobRow]:
    """Newest first; ``before`` continues a previous page."""
    query = select(EvalJobRow).where(EvalJobRow.namespace == namespace)
    if before is not None:
        query = query.where(EvalJobRow.id < before)
    return db.scalars(query.order_by(EvalJobRow.id.desc()).limit(limit)).all()


def unfinished_job_ids(db: Session) -> list[int]:
    """Jobs a stopped server left queued or running, oldest first."""
    query = select(EvalJobRow.id).where(EvalJobRow.status.in_(UNFINISHED)).order_by(EvalJobRow.id)
    return list(db.scalars(query).all())


def update_job(db: Session, pk: int, **values: Any) -> None:
    db.execute(update(EvalJobRow).where(EvalJobRow.id == pk).values(updated_at=utcnow(), **values))
