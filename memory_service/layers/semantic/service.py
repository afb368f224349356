"""SemanticService: the semantic layer's reads and a person's writes, each kept in the history.

Memories are never erased by edits: a fact that stops being true is invalidated
(``invalid_at``), an edit is a new version of the same lineage, a person's delete is a soft
delete, and every change leaves a history row. Extracted facts arrive through
:mod:`~memory_service.layers.semantic.consolidation`; search is in
:mod:`~memory_service.layers.semantic.search`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from agents.extraction import USER_SUBJECT
from memory_service.domain import Page
from memory_service.errors import InvalidInputError, NotFoundError
from memory_service.extraction import queue as tasks
from memory_service.layers.cache import PartitionCache
from memory_service.layers.embeddings import EmbeddingCache
from memory_service.layers.semantic import repository as semantic_repo
from memory_service.layers.semantic.domain import (
    Actor,
    ExtractionCounts,
    Memory,
    MemoryChange,
    MemoryEdit,
    parse_memory_id,
)
from memory_service.layers.semantic.index import SemanticIndexes
from memory_service.pagination import PageRequest
from memory_service.store import partitions as partition_store
from memory_service.store import vectors as vector_store
from memory_service.store.database import Database
from memory_service.store.tables import MemoryRow
from retrieval.embedder import Embedder

log = logging.getLogger(__name__)

DIRECT_ATTRIBUTE = "note"
"""Attribute of memories added directly: a person's note fills no extracted slot."""


class SemanticService:
    """Semantic memories of each user: reads, and a person's adds, edits and deletes with history."""

    def __init__(
        self,
        db: Database,
        embedder: Embedder,
        cache: EmbeddingCache,
        *,
        partitions: PartitionCache,
        max_text_chars: int = 4000,
    ) -> None:
        self.db = db
        self.embedder = embedder
        self.cache = cache
        self.max_text_chars = max_text_chars
        # The loaded memories of each partition, shared with the layer's search.
        self.indexes = SemanticIndexes(db, cache, embedder.name, partitions)

    # -- reads ----------------------------------------------------------------------------

    def get(self, namespace: str, memory_id: str, *, record: bool = True) -> Memory:
        """One memory; reading it counts as recalling it (its access count feeds its ranking)
        unless ``record`` is off: an operator looking at a memory is not an agent using it."""
        pk = _pk(memory_id)
        if not record:
            with self.db.read() as db:
                row, user_external = self._visible(db, namespace, memory_id, pk)
                return semantic_repo.to_memory(row, user_external)
        with self.db.write() as db:
            row, user_external = self._visible(db, namespace, memory_id, pk)
            now = datetime.now(UTC)
            semantic_repo.record_accesses(db, row.user_id, [row.id], now)
            db.refresh(row)
            memory = semantic_repo.to_memory(row, user_external)
        self.indexes.note_accessed(row.user_id, [row.id], now)
        return memory

    def list_memories(
        self,
        namespace: str,
        user_id: str,
        *,
        include_invalid: bool = False,
        as_of: datetime | None = None,
        limit: int = 100,
        cursor: str | None = None,
    ) -> Page[Memory]:
        """The user's current memories (and, with ``include_invalid``, past ones), oldest first.

        With ``as_of``, memory as it stood then: those learned by that moment and valid at it
        (``include_invalid`` adds those learned by then that had already ended).
        """
        request = PageRequest.of(limit, cursor)
        _check_aware(as_of, "as_of")
        statuses = semantic_repo.VISIBLE if include_invalid or as_of is not None else ("active",)
        with self.db.read() as db:
            user = _user(db, namespace, user_id)
        if user is None:
            return Page((), None)
        only = None
        if as_of is not None:
            facts = self.indexes.get(user).facts
            only = {
                pk
                for pk, fact in facts.items()
                if fact.stood_at(as_of) or (include_invalid and fact.learned_at <= as_of)
            }
        with self.db.read() as db:
            rows = semantic_repo.list_memories(db, user, statuses, request.after, request.fetch, only)
            memories = [semantic_repo.to_memory(r, user_id) for r in rows]
        return request.page(memories, key=lambda memory: memory.pk)

    def history(self, namespace: str, memory_id: str) -> list[MemoryChange]:
        """Every change of the fact, across its versions (deleted memories keep their history)."""
        pk = _pk(memory_id)
        with self.db.read() as db:
            found = semantic_repo.find_memory(db, _namespace_id(db, namespace), pk) if pk is not None else None
            if found is None:
                raise _not_found(memory_id)
            rows = semantic_repo.lineage_history(db, found[0].lineage_id or found[0].id)
            return [semantic_repo.to_change(r) for r in rows]

    def extraction_status(self, namespace: str, user_id: str) -> ExtractionCounts:
        with self.db.read() as db:
            user = _user(db, namespace, user_id)
            if user is None:
                raise NotFoundError(f"user {user_id!r} not found", details={"user_id": user_id})
            return ExtractionCounts(user_id, **tasks.counts(db, user))

    # -- a person's writes ----------------------------------------------------------------

    def add(
        self,
        namespace: str,
        user_id: str,
        text: str,
        *,
        valid_at: datetime | None = None,
        metadata: Mapping[str, Any] | None = None,
        actor: Actor = "api",
    ) -> Memory:
        """Store a memory as given (no consolidation: a person said so)."""
        text = self._check_text(text)
        _check_aware(valid_at, "valid_at")
        hashes, _, fresh = self.cache.vectors_for([text])
        with self.db.write() as db:
            namespace_id = partition_store.get_or_create_namespace(db, namespace)
            user = partition_store.get_or_create_user(db, namespace_id, user_id)
            row = semantic_repo.insert_memory(
                db,
                user_id=user.id,
                subject=USER_SUBJECT,
                attribute=DIRECT_ATTRIBUTE,
                text=text,
                kind="fact",
                status="active",
                valid_at=valid_at,
                version=1,
                confidence=1.0,
                importance=1.0,
                reinforcements=0,
                last_reinforced_at=datetime.now(UTC),
                accesses=0,
                source_episode_ids=[],
                invalidated_by=[],
                metadata_=dict(metadata or {}),
                content_hash=hashes[0],
            )
            semantic_repo.record(db, row, "ADD", actor, old_text=None, new_text=text)
            vector_store.store_vectors(db, self.embedder.name, fresh)
            semantic_repo.bump_revision(db, user.id)
            db.flush()
            return semantic_repo.to_memory(row, user_id)

    def update(self, namespace: str, memory_id: str, edit: MemoryEdit, *, actor: Actor = "api") -> Memory:
        """Apply a person's edit as a new version; invalid_at set means no longer true."""
        pk = _pk(memory_id)
        text = self._check_text(edit.text) if "text" in edit.fields and edit.text is not None else None
        if "text" in edit.fields and edit.text is None:
            raise InvalidInputError("text must not be null; delete the memory instead")
        _check_aware(edit.valid_at, "valid_at")
        _check_aware(edit.invalid_at, "invalid_at")
        hashes, fresh = ([], {}) if text is None else self.cache.vectors_for([text])[::2]
        with self.db.write() as db:
            row, user_external = self._visible(db, namespace, memory_id, pk, lock=True)
            values: dict[str, Any] = {}
            if text is not None:
                values |= {"text": text, "content_hash": hashes[0]}
            for name in ("valid_at", "invalid_at"):
                if name in edit.fields:
                    values[name] = getattr(edit, name)
            if "metadata" in edit.fields:
                values["metadata_"] = dict(edit.metadata or {})
            valid_at, invalid_at = values.get("valid_at", row.valid_at), values.get("invalid_at", row.invalid_at)
            if valid_at is not None and invalid_at is not None and invalid_at < valid_at:
                raise InvalidInputError("invalid_at must not be before valid_at", details={"memory_id": memory_id})
            if semantic_repo.update_memory(db, row, values, actor):
                vector_store.store_vectors(db, self.embedder.name, fresh)
                db.flush()
            return semantic_repo.to_memory(row, user_external)

    def delete(self, namespace: str, memory_id: str, *, actor: Actor = "api") -> Memory:
        """Soft delete: gone from lists and search, kept in history."""
        pk = _pk(memory_id)
        with self.db.write() as db:
            row, user_external = self._visible(db, namespace, memory_id, pk, lock=True)
            semantic_repo.delete_memory(db, row, actor)
            db.flush()
            return semantic_repo.to_memory(row, user_external)

    # -- helpers --------------------------------------------------------------------------

    def _visible(
        self, db: Session, namespace: str, memory_id: str, pk: int | None, *, lock: bool = False
    ) -> tuple[MemoryRow, str]:
        namespace_id = _namespace_id(db, namespace)
        found = semantic_repo.find_memory(db, namespace_id, pk, lock=lock) if pk is not None else None
        if found is None or found[0].status == "deleted":
            raise _not_found(memory_id)
        return found

    def _check_text(self, text: str) -> str:
        cleaned = text.strip()
        if not cleaned:
            raise InvalidInputError("text must not be blank")
        if len(cleaned) > self.max_text_chars:
            raise InvalidInputError(
                f"text has {len(cleaned)} characters; the limit is {self.max_text_chars}",
                details={"chars": len(cleaned)},
            )
        return cleaned


def _pk(memory_id: str) -> int | None:
    return parse_memory_id(memory_id)


def _not_found(memory_id: str) -> NotFoundError:
    return NotFoundError(f"memory {memory_id!r} not found", details={"memory_id": memory_id})


def _namespace_id(db: Session, namespace: str) -> int:
    return partition_store.find_namespace(db, namespace) or -1


def _user(db: Session, namespace: str, user_id: str) -> int | None:
    user = partition_store.find_named_user(db, namespace, user_id)
    return user.id if user is not None else None


def _check_aware(moment: datetime | None, name: str) -> None:
    if moment is not None and moment.utcoffset() is None:
        raise InvalidInputError(f"{name} needs a timezone, e.g. 2024-05-01T09:30:00Z", details={"field": name})
