"""Forgetting episodes in the semantic layer: a memory drawn only from them goes, the rest lose them.

A removed memory is soft-deleted like a person's delete (it keeps its row and a DELETE in its
history), but its text is erased from the row and from its history: a forgotten conversation
must leave nothing of what it said readable in the store. Callers own the transaction.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from memory_service.layers.semantic import repository as semantic_repo
from memory_service.store.tables import MemoryHistoryRow, MemoryRow, utcnow
from memory_service.store.vectors import content_hash

FORGOTTEN = "forgotten"
"""Why, in the history rows this module writes: the episodes it came from were forgotten."""


@dataclass
class SemanticForgetting:
    """What forgetting some episodes did to one user's memories."""

    removed: int = 0
    pruned: int = 0
    restored: int = 0
    """Memories that only forgotten episodes had ended, current again."""
    hashes: set[str] = field(default_factory=set)
    """Content hashes of the erased texts, for their cached vectors to follow."""

    @property
    def changed(self) -> bool:
        return bool(self.removed or self.pruned or self.restored or self.hashes)


def forget_sources(db: Session, user_pk: int, episode_ids: Collection[str]) -> SemanticForgetting:
    """Remove the user's memories whose only sources are ``episode_ids`` (public episode ids) and
    take those ids out of the provenance of the others, each change recorded in the history."""
    gone = set(episode_ids)
    result = SemanticForgetting()
    rows = db.scalars(select(MemoryRow).where(MemoryRow.user_id == user_pk).order_by(MemoryRow.id)).all()
    ended_by_forgotten: list[tuple[MemoryRow, list[str]]] = []
    for row in rows:
        sources = list(row.source_episode_ids or ())
        invalidated = list(row.invalidated_by or ())
        forgotten = [s for s in sources if s in gone]
        if not forgotten and gone.isdisjoint(invalidated):
            continue
        kept = [s for s in sources if s not in gone]
        row.invalidated_by = [s for s in invalidated if s not in gone]
        if forgotten and not kept:
            _erase(db, row, forgotten, result)
            continue
        if forgotten:
            _prune(db, row, sources, kept, forgotten)
            result.pruned += 1
        if row.status == "invalid" and not row.invalidated_by:
            ended_by_forgotten.append((row, [s for s in invalidated if s in gone]))
    # A memory that only forgotten messages ended stands again ("I moved to Lisbon", said by
    # mistake and forgotten, leaves Porto as home), unless a later value of its lineage still
    # stands on other evidence. Ended by a person (no episode) or by other messages, it stays ended.
    standing = {r.lineage_id or r.id for r in rows if r.status == "active"}
    for row, enders in ended_by_forgotten:
        lineage = row.lineage_id or row.id
        if lineage not in standing:
            _restore(db, row, enders)
            standing.add(lineage)
            result.restored += 1
    if result.changed:
        semantic_repo.bump_revision(db, user_pk)
    return result


def _erase(db: Session, row: MemoryRow, forgotten: list[str], result: SemanticForgetting) -> None:
    if row.status != "deleted":
        result.removed += 1
        row.status = "deleted"
        row.version = semantic_repo.next_version(db, row.lineage_id or row.id)
    result.hashes.add(row.content_hash)
    row.source_episode_ids = []
    row.text = ""
    row.content_hash = content_hash("")
    row.metadata_ = {}
    row.updated_at = utcnow()
    db.execute(
        update(MemoryHistoryRow)
        .where(MemoryHistoryRow.memory_id == row.id)
        .values(old_text=None, new_text=None)
        .execution_options(synchronize_session=False)
    )
    semantic_repo.record(
        db, row, "DELETE", "api", old_text=None, new_text=None, episode_ids=forgotten, details={"reason": FORGOTTEN}
    )


def _prune(db: Session, row: MemoryRow, sources: list[str], kept: list[str], forgotten: list[str]) -> None:
    row.source_episode_ids = kept
    row.version = semantic_repo.next_version(db, row.lineage_id or row.id)
    row.updated_at = utcnow()
    details = {"reason": FORGOTTEN, "changed": {"provenance": {"old": sources, "new": kept}}}
    semantic_repo.record(
        db, row, "UPDATE", "api", old_text=row.text, new_text=row.text, episode_ids=forgotten, details=details
    )


def _restore(db: Session, row: MemoryRow, enders: list[str]) -> None:
    ended_at = row.invalid_at
    row.status, row.invalid_at = "active", None
    row.version = semantic_repo.next_version(db, row.lineage_id or row.id)
    row.updated_at = utcnow()
    details = {
        "reason": FORGOTTEN,
        "changed": {
            "status": {"old": "invalid", "new": "active"},
            "invalid_at": {"old": semantic_repo.json_value(ended_at), "new": None},
        },
    }
    semantic_repo.record(
        db, row, "UPDATE", "api", old_text=row.text, new_text=row.text, episode_ids=enders, details=details
    )
