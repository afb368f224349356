"""Read-only questions the console asks of the store that no layer's service answers: which users a
namespace has, counts per namespace and layer, the extraction queue, where an episode was said, and
one memory read without counting an access.

The layers' own services answer everything about one memory, session or graph; these are the
operator's views across them, each one query (or one per table), never a scan in Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from memory_service.domain import Page, parse_episode_ids
from memory_service.pagination import PageRequest
from memory_service.store.database import Database
from memory_service.store.tables import (
    EpisodeRow,
    ExtractionTaskRow,
    GraphEntityRow,
    GraphRelationRow,
    MemoryRow,
    NamespaceRow,
    SessionRow,
    UserRow,
)


@dataclass(frozen=True)
class UserSummary:
    pk: int
    user_id: str
    created_at: datetime
    sessions: int
    memories: int


@dataclass(frozen=True)
class NamespaceCounts:
    """What one namespace holds in each layer (memories: active, past (invalid), deleted)."""

    namespace: str
    users: int
    sessions: int
    episodes: int
    memories_active: int
    memories_invalid: int
    memories_deleted: int
    entities: int
    relations: int


@dataclass(frozen=True)
class FailedTask:
    pk: int
    namespace: str
    user_id: str
    attempts: int
    error: str | None
    updated_at: datetime


class Directory:
    """The operator's views across users and layers."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def namespaces(self) -> list[str]:
        with self._db.read() as db:
            return list(db.scalars(select(NamespaceRow.name).order_by(NamespaceRow.name)))

    def users(
        self, namespace: str, *, search: str = "", limit: int = 50, cursor: str | None = None
    ) -> Page[UserSummary]:
        """The namespace's users by id, those whose id contains ``search`` (case-insensitive)."""
        request = PageRequest.of(limit, cursor)
        sessions = select(func.count()).where(SessionRow.user_id == UserRow.id).scalar_subquery()
        memories = (
            select(func.count()).where(MemoryRow.user_id == UserRow.id, MemoryRow.status == "active").scalar_subquery()
        )
        query = (
            select(UserRow.id, UserRow.external_id, UserRow.created_at, sessions, memories)
            .join(NamespaceRow, NamespaceRow.id == UserRow.namespace_id)
            .where(NamespaceRow.name == namespace)
        )
        if search:
            escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(func.lower(UserRow.external_id).like(f"%{escaped}%", escape="\\"))
        if request.after is not None:
            query = query.where(UserRow.id > request.after)
        with self._db.read() as db:
            rows = db.execute(query.order_by(UserRow.id).limit(request.fetch)).all()
        found = [UserSummary(pk, external, created, int(s or 0), int(m or 0)) for pk, external, created, s, m in rows]
        return request.page(found, key=lambda user: user.pk)

    def counts(self) -> list[NamespaceCounts]:
        """Every namespace's counts, one grouped query per table."""
        with self._db.read() as db:
            names = dict(db.execute(select(NamespaceRow.id, NamespaceRow.name)).all())

            def per_namespace(query: object) -> dict[int, int]:
                return {ns: int(n) for ns, n in db.execute(query).all()}  # type: ignore[call-overload]

            users = per_namespace(select(UserRow.namespace_id, func.count()).group_by(UserRow.namespace_id))
            sessions = per_namespace(select(SessionRow.namespace_id, func.count()).group_by(SessionRow.namespace_id))
            episodes = per_namespace(
                select(UserRow.namespace_id, func.count())
                .select_from(EpisodeRow)
                .join(UserRow, UserRow.id == EpisodeRow.user_id)
                .group_by(UserRow.namespace_id)
            )
            memory_rows = db.execute(
                select(UserRow.namespace_id, MemoryRow.status, func.count())
                .select_from(MemoryRow)
                .join(UserRow, UserRow.id == MemoryRow.user_id)
                .group_by(UserRow.namespace_id, MemoryRow.status)
            )
            memories: dict[tuple[int, str], int] = {(ns, status): int(n) for ns, status, n in memory_rows}
            entities = per_namespace(
                select(UserRow.namespace_id, func.count())
                .select_from(GraphEntityRow)
                .join(UserRow, UserRow.id == GraphEntityRow.user_id)
                .group_by(UserRow.namespace_id)
            )
            relations = per_namespace(
                select(UserRow.namespace_id, func.count())
                .select_from(GraphRelationRow)
                .join(UserRow, UserRow.id == GraphRelationRow.user_id)
                .group_by(UserRow.namespace_id)
            )
        return [
            NamespaceCounts(
                name,
                users.get(pk, 0),
                sessions.get(pk, 0),
                episodes.get(pk, 0),
                memories.get((pk, "active"), 0),
                memories.get((pk, "invalid"), 0),
                memories.get((pk, "deleted"), 0),
                entities.get(pk, 0),
                relations.get(pk, 0),
            )
            for pk, name in sorted(names.items(), key=lambda item: item[1])
        ]

    def queue(self) -> dict[str, int]:
        """Extraction tasks by status, over every namespace."""
        with self._db.read() as db:
            rows = db.execute(select(ExtractionTaskRow.status, func.count()).group_by(ExtractionTaskRow.status))
            return {status: int(n) for status, n in rows}

    def failures(self, limit: int = 20) -> list[FailedTask]:
        """The latest failed extraction tasks, newest first, with their error."""
        with self._db.read() as db:
            rows = db.execute(
                select(ExtractionTaskRow, NamespaceRow.name, UserRow.external_id)
                .join(UserRow, UserRow.id == ExtractionTaskRow.user_id)
                .join(NamespaceRow, NamespaceRow.id == UserRow.namespace_id)
                .where(ExtractionTaskRow.status == "failed")
                .order_by(ExtractionTaskRow.id.desc())
                .limit(limit)
            ).all()
            return [FailedTask(t.id, ns, user, t.attempts, t.error, t.updated_at) for t, ns, user in rows]

    def episode_sessions(self, namespace: str, episode_ids: Iterable[str]) -> dict[str, str]:
        """The session (external id) each of ``episode_ids`` was said in, for the namespace's episodes."""
        pks = parse_episode_ids(episode_ids)
        if not pks:
            return {}
        with self._db.read() as db:
            rows = db.execute(
                select(EpisodeRow.id, SessionRow.external_id)
                .join(SessionRow, SessionRow.id == EpisodeRow.session_id)
                .join(NamespaceRow, NamespaceRow.id == SessionRow.namespace_id)
                .where(NamespaceRow.name == namespace, EpisodeRow.id.in_(pks))
            )
            return {f"ep_{pk}": session for pk, session in rows}
