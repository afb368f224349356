"""The audit log: administrative changes (keys made, keys revoked) in ``audit_events``, newest first.

An event is written in the same transaction as the change it records, so the log never claims a
change that did not land, nor misses one that did. Details never hold a secret or a key hash.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from memory_service.domain import Page
from memory_service.pagination import PageRequest
from memory_service.security.domain import AuditEvent
from memory_service.store.database import Database
from memory_service.store.tables import AuditEventRow, utcnow

KEY_CREATED = "key.create"
KEY_REVOKED = "key.revoke"


def record(
    session: Session,
    actor: str,
    action: str,
    *,
    target: str | None = None,
    namespace: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Add one event to the transaction of ``session``."""
    session.add(
        AuditEventRow(
            at=utcnow(), actor=actor, action=action, target=target, namespace=namespace, details=details or {}
        )
    )


class AuditLog:
    """Reads the audit log, a page at a time."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def list(
        self,
        *,
        namespace: str | None,
        action: str | None = None,
        actor: str | None = None,
        limit: int = 100,
        cursor: str | None = None,
    ) -> Page[AuditEvent]:
        """Events newest first; ``namespace`` None reads every namespace's (and the global ones)."""
        request = PageRequest.of(limit, cursor)
        query = select(AuditEventRow)
        if namespace is not None:
            query = query.where(AuditEventRow.namespace == namespace)
        if action is not None:
            query = query.where(AuditEventRow.action == action)
        if actor is not None:
            query = query.where(AuditEventRow.actor == actor)
        if request.after is not None:
            query = query.where(AuditEventRow.id < request.after)
        with self._db.read() as session:
            rows = session.scalars(query.order_by(AuditEventRow.id.desc()).limit(request.fetch)).all()
            events = [_event(row) for row in rows]
        return request.page(events, key=lambda event: event.pk)


def _event(row: AuditEventRow) -> AuditEvent:
    return AuditEvent(
        pk=row.id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        target=row.target,
        namespace=row.namespace,
        details=dict(row.details or {}),
    )
