"""Namespaces, users and the partition they make: the rows every layer hangs from.

Callers own the transaction (``Database.read/write``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from memory_service.errors import ConflictError
from memory_service.store.conflicts import insert_if_absent
from memory_service.store.tables import EmbeddingRow, EpisodeRow, NamespaceRow, SessionRow, UserRow
from memory_service.store.vectors import chunks


@dataclass(frozen=True)
class Partition:
    """The unit that indexes are built for: one user of one namespace."""

    namespace_id: int
    user_pk: int

    @property
    def key(self) -> str:
        return f"{self.namespace_id}-{self.user_pk}"


def get_or_create_namespace(db: Session, name: str) -> int:
    """The namespace's id, made on first use; safe when writers make the same one at once."""
    found = find_namespace(db, name)
    if found is None:
        insert_if_absent(db, NamespaceRow, {"name": name})
        found = find_namespace(db, name)
    if found is None:  # made and deleted by others between the two statements
        raise ConflictError(f"namespace {name!r} was deleted during this write; retry it")
    return found


def find_namespace(db: Session, name: str) -> int | None:
    return db.scalar(select(NamespaceRow.id).where(NamespaceRow.name == name))


def find_user(db: Session, namespace_id: int, external_id: str) -> UserRow | None:
    return db.scalar(select(UserRow).where(UserRow.namespace_id == namespace_id, UserRow.external_id == external_id))


def find_named_user(db: Session, namespace: str, external_id: str) -> UserRow | None:
    """The user ``external_id`` of the namespace named ``namespace``, in one query."""
    return db.scalar(
        select(UserRow)
        .join(NamespaceRow, NamespaceRow.id == UserRow.namespace_id)
        .where(NamespaceRow.name == namespace, UserRow.external_id == external_id)
    )


def get_or_create_user(db: Session, namespace_id: int, external_id: str) -> UserRow:
    """The user's row, made on first use; two first writes for one new user at once share it."""
    user = find_user(db, namespace_id, external_id)
    if user is None:
        insert_if_absent(db, UserRow, {"namespace_id": namespace_id, "external_id": external_id, "revision": 0})
        user = find_user(db, namespace_id, external_id)
    if user is None:  # made and deleted by others between the two statements
        raise ConflictError(f"user {external_id!r} was deleted during this write; retry it")
    return user


def bump_revision(db: Session, user_pk: int) -> None:
    db.execute(update(UserRow).where(UserRow.id == user_pk).values(revision=UserRow.revision + 1))


def user_revision(db: Session, user_pk: int) -> int:
    return db.scalar(select(UserRow.revision).where(UserRow.id == user_pk)) or 0


def user_external_id(db: Session, user_pk: int) -> str:
    return db.scalar(select(UserRow.external_id).where(UserRow.id == user_pk)) or ""


def delete_user(db: Session, user: UserRow) -> tuple[int, int]:
    """Remove the user with every session, episode and now-orphaned cached vector."""
    sessions = db.scalar(select(func.count()).select_from(SessionRow).where(SessionRow.user_id == user.id)) or 0
    hashes = set(db.scalars(select(EpisodeRow.content_hash).where(EpisodeRow.user_id == user.id)).all())
    episodes = len(db.scalars(delete(EpisodeRow).where(EpisodeRow.user_id == user.id).returning(EpisodeRow.id)).all())
    db.execute(delete(SessionRow).where(SessionRow.user_id == user.id))
    db.execute(delete(UserRow).where(UserRow.id == user.id))
    still_used: set[str] = set()
    for chunk in chunks(list(hashes)):
        still_used.update(db.scalars(select(EpisodeRow.content_hash).where(EpisodeRow.content_hash.in_(chunk))))
    for chunk in chunks(list(hashes - still_used)):
        db.execute(delete(EmbeddingRow).where(EmbeddingRow.content_hash.in_(chunk)))
    return sessions, episodes or 0
