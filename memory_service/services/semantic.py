"""SemanticService: the semantic layer's reads and writes, and consolidation of extracted facts.

Memories are never erased by consolidation or edits: a fact that stops being true is
invalidated (``invalid_at``), a newer value of a single-valued fact is a new version of the
same lineage, a person's delete is a soft delete, and every change leaves a history row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from agents.consolidation import MemoryManager
from agents.extraction import USER_SUBJECT, CandidateFact
from memory_service.domain import Page, SearchHit, TimeWindow
from memory_service.errors import InvalidInputError, NotFoundError
from memory_service.layers.cache import PartitionCache
from memory_service.pagination import PageRequest
from memory_service.semantic_domain import (
    Actor,
    ConsolidationReport,
    ExtractionCounts,
    Memory,
    MemoryChange,
    MemoryEdit,
    memory_public_id,
    parse_memory_id,
)
from memory_service.services.forgetting import decayed
from memory_service.services.indexes import EmbeddingCache
from memory_service.services.semantic_apply import apply_steps
from memory_service.services.semantic_index import IndexedMemory, SemanticIndexes
from memory_service.services.semantic_plan import Plan, WorkingMemory
from memory_service.store import extraction_tasks as tasks
from memory_service.store import repository as repo
from memory_service.store import semantic_repository as semantic_repo
from memory_service.store.database import Database
from memory_service.store.tables import MemoryRow
from retrieval.config import SearchConfig
from retrieval.embedder import Embedder
from retrieval.fusion import reciprocal_rank_fusion

log = logging.getLogger(__name__)

DIRECT_ATTRIBUTE = "note"
"""Attribute of memories added directly: a person's note fills no extracted slot."""
OPTIMISTIC_ATTEMPTS = 3


class SemanticService:
    """Semantic memories of each user: CRUD with history, consolidation, search."""

    def __init__(
        self,
        db: Database,
        embedder: Embedder,
        cache: EmbeddingCache,
        manager: MemoryManager,
        *,
        partitions: PartitionCache,
        max_text_chars: int = 4000,
        on_enqueued: Callable[[], None] | None = None,
    ) -> None:
        """``on_enqueued`` is called after a write queues extraction work (the worker's wake-up)."""
        self.db = db
        self.embedder = embedder
        self.cache = cache
        self.manager = manager
        self.max_text_chars = max_text_chars
        self.indexes = SemanticIndexes(db, cache, embedder.name, partitions)
        self._on_enqueued = on_enqueued

    # -- reads ----------------------------------------------------------------------------

    def get(self, namespace: str, memory_id: str) -> Memory:
        pk = _pk(memory_id)
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
        limit: int = 100,
        cursor: str | None = None,
    ) -> Page[Memory]:
        """The user's current memories (and, with ``include_invalid``, past ones), oldest first."""
        request = PageRequest.of(limit, cursor)
        statuses = semantic_repo.VISIBLE if include_invalid else ("active",)
        with self.db.read() as db:
            user = _user(db, namespace, user_id)
            if user is None:
                return Page((), None)
            rows = semantic_repo.list_memories(db, user, statuses, request.after, request.fetch)
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
            namespace_id = repo.get_or_create_namespace(db, namespace)
            user = repo.get_or_create_user(db, namespace_id, user_id)
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
            repo.store_vectors(db, self.embedder.name, fresh)
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
            old_text = row.text
            before = {
                "text": row.text,
                "valid_at": row.valid_at,
                "invalid_at": row.invalid_at,
                "metadata": row.metadata_,
            }
            if text is not None:
                row.text, row.content_hash = text, hashes[0]
            if "valid_at" in edit.fields:
                row.valid_at = edit.valid_at
            if "invalid_at" in edit.fields:
                row.invalid_at = edit.invalid_at
            if "metadata" in edit.fields:
                row.metadata_ = dict(edit.metadata or {})
            if row.valid_at is not None and row.invalid_at is not None and row.invalid_at < row.valid_at:
                raise InvalidInputError("invalid_at must not be before valid_at", details={"memory_id": memory_id})
            after = {
                "text": row.text,
                "valid_at": row.valid_at,
                "invalid_at": row.invalid_at,
                "metadata": row.metadata_,
            }
            changed = {k: {"old": _json(before[k]), "new": _json(after[k])} for k in after if before[k] != after[k]}
            if not changed:
                return semantic_repo.to_memory(row, user_external)
            row.status = "invalid" if row.invalid_at is not None else "active"
            row.version = semantic_repo.next_version(db, row.lineage_id or row.id)
            row.updated_at = datetime.now(UTC)
            semantic_repo.record(
                db, row, "UPDATE", actor, old_text=old_text, new_text=row.text, details={"changed": changed}
            )
            repo.store_vectors(db, self.embedder.name, fresh)
            semantic_repo.bump_revision(db, row.user_id)
            db.flush()
            return semantic_repo.to_memory(row, user_external)

    def delete(self, namespace: str, memory_id: str, *, actor: Actor = "api") -> Memory:
        """Soft delete: gone from lists and search, kept in history."""
        pk = _pk(memory_id)
        with self.db.write() as db:
            row, user_external = self._visible(db, namespace, memory_id, pk, lock=True)
            row.status = "deleted"
            row.version = semantic_repo.next_version(db, row.lineage_id or row.id)
            row.updated_at = datetime.now(UTC)
            semantic_repo.record(db, row, "DELETE", actor, old_text=row.text, new_text=None)
            semantic_repo.bump_revision(db, row.user_id)
            db.flush()
            return semantic_repo.to_memory(row, user_external)

    # -- consolidation --------------------------------------------------------------------

    def notify_enqueued(self) -> None:
        if self._on_enqueued is not None:
            self._on_enqueued()

    def consolidate(
        self,
        user_pk: int,
        candidates: Sequence[CandidateFact],
        *,
        actor: Actor = "extractor",
        task_pk: int | None = None,
    ) -> ConsolidationReport:
        """Decide every candidate against the user's memories and apply the decisions at once.

        Decisions are made outside the transaction (they may call a model) against a snapshot;
        if the user's memories changed meanwhile, they are made again, and the last attempt is
        made under the transaction's lock. ``task_pk`` is marked done in the same transaction,
        so an extraction task's effects and its completion land together.
        """
        ordered = sorted(candidates, key=lambda c: (c.valid_at is None, c.valid_at or datetime.min.replace(tzinfo=UTC)))
        fresh: dict[str, np.ndarray] = {}
        _, vectors, new = self.cache.vectors_for([c.statement for c in ordered])
        fresh.update(new)
        for attempt in range(OPTIMISTIC_ATTEMPTS + 1):
            last = attempt == OPTIMISTIC_ATTEMPTS
            if not last:
                with self.db.read() as db:
                    seen = semantic_repo.revision(db, user_pk)
                    rows = semantic_repo.visible_memories(db, user_pk)
                plan = self._plan(rows, ordered, vectors, fresh)
            with self.db.write() as db:
                semantic_repo.lock_user(db, user_pk)
                if last:
                    plan = self._plan(semantic_repo.visible_memories(db, user_pk), ordered, vectors, fresh)
                elif semantic_repo.revision(db, user_pk) != seen:
                    continue
                report = apply_steps(db, user_pk, plan.steps, actor)
                repo.store_vectors(db, self.embedder.name, fresh)
                if task_pk is not None:
                    tasks.finish(db, task_pk)
                return report
        raise AssertionError("unreachable: the last attempt always applies")

    def _plan(
        self, rows: Sequence[MemoryRow], candidates: Sequence[CandidateFact], vectors: np.ndarray, fresh: dict
    ) -> Plan:
        def embed(texts: list[str]) -> np.ndarray:
            _, found, new = self.cache.vectors_for(texts)
            fresh.update(new)
            return found

        known = embed([r.text for r in rows]) if rows else np.zeros((0, self.embedder.dim), np.float32)
        now = datetime.now(UTC)
        working = [
            WorkingMemory(
                key=r.id,
                subject=r.subject,
                attribute=r.attribute,
                text=r.text,
                status=r.status,
                valid_at=r.valid_at,
                invalid_at=r.invalid_at,
                vector=vector,
                sources=list(r.source_episode_ids or []),
                invalidated_by=list(r.invalidated_by or []),
            )
            for r, vector in zip(rows, known, strict=True)
        ]
        plan = Plan(working, embed, now=now)
        plan.decide(self.manager, candidates, vectors)
        return plan

    # -- search ---------------------------------------------------------------------------

    def search(
        self,
        user_pk: int,
        text: str,
        query_vector: np.ndarray | None,
        config: SearchConfig,
        depth: int,
        *,
        now: datetime,
        as_of: datetime | None = None,
        session_ids: Collection[str] | None = None,
        roles: Collection[str] | None = None,
        time_range: TimeWindow | None = None,
    ) -> list[SearchHit]:
        """The user's memories by the recipe's fused dense + BM25 rankings, best first.

        Without ``as_of`` only current (active) memories count; with it, those valid at that
        moment, invalidated ones included. ``time_range`` keeps memories whose validity
        [valid_at (else created_at), invalid_at) overlaps it; ``session_ids`` and ``roles`` keep
        memories with a source episode in one of the sessions, and one with one of the roles
        (each tested on its own), so a memory added directly passes neither. Scores are
        reciprocal-rank fusion scores (higher is better), scaled by forgetting-curve strength
        when the recipe turns decay on.
        """
        partition = self.indexes.get(user_pk)
        facts = partition.facts
        if as_of is not None:
            allowed = {pk for pk, fact in facts.items() if fact.valid_as_of(as_of)}
        else:
            allowed = {pk for pk, fact in facts.items() if fact.status == "active"}
        if time_range is not None:
            allowed = {pk for pk in allowed if facts[pk].overlaps(time_range)}
        if allowed and (session_ids is not None or roles is not None):
            allowed = self._from_sources(user_pk, {pk: facts[pk] for pk in allowed}, session_ids, roles)
        if not allowed:
            return []
        rankings: list[list[int]] = []
        weights: list[float] = []
        if config.dense and query_vector is not None:
            rankings.append(partition.dense(query_vector, depth, allowed))
            weights.append(config.dense_weight)
        if config.lexical:
            rankings.append([pk for pk, _ in partition.lexical.search(text, depth, allowed)])
            weights.append(config.lexical_weight)
        fused = reciprocal_rank_fusion(rankings, weights, k=config.rrf_k)
        if config.semantic_decay_weight > 0:
            fused = sorted(
                (
                    (
                        pk,
                        decayed(
                            score,
                            facts[pk].strength(now, config.semantic_strength_days),
                            config.semantic_decay_weight,
                        ),
                    )
                    for pk, score in fused
                ),
                key=lambda pair: pair[1],
                reverse=True,
            )
        fused = fused[:depth]
        with self.db.read() as db:
            rows = semantic_repo.memories_by_pk(db, [pk for pk, _ in fused])
        return [_hit(rows[pk], score) for pk, score in fused if pk in rows and rows[pk].status != "deleted"]

    def record_retrievals(
        self, user_pk: int, hits: Sequence[SearchHit], *, now: datetime, as_of: datetime | None = None
    ) -> None:
        """Count each semantic hit handed to the caller as one retrieval at ``now``.

        Retrieval reinforces a memory on the forgetting curve, so only what the caller got
        counts. A look at the past (``as_of``) recalls nothing now and counts nothing. A failure
        to count is logged, not raised: the search has already been answered.
        """
        if as_of is not None:
            return
        pks = sorted({pk for hit in hits if hit.layer == "semantic" and (pk := parse_memory_id(hit.id)) is not None})
        if not pks:
            return
        try:
            with self.db.write() as db:
                semantic_repo.record_accesses(db, user_pk, pks, now)
        except SQLAlchemyError:
            log.warning("could not count the retrieval of %d memories of user %d", len(pks), user_pk, exc_info=True)
            return
        self.indexes.note_accessed(user_pk, pks, now)

    def _from_sources(
        self,
        user_pk: int,
        facts: Mapping[int, IndexedMemory],
        session_ids: Collection[str] | None,
        roles: Collection[str] | None,
    ) -> set[int]:
        """Those of ``facts`` with a source episode in one of the sessions and one of the roles."""
        sources = {pk for fact in facts.values() for pk in fact.sources}
        with self.db.read() as db:
            origins = semantic_repo.episode_origins(db, user_pk, sources)

        def passes(fact: IndexedMemory) -> bool:
            found = [origins[pk] for pk in fact.sources if pk in origins]
            return (session_ids is None or any(session in session_ids for session, _ in found)) and (
                roles is None or any(role in roles for _, role in found)
            )

        return {pk for pk, fact in facts.items() if passes(fact)}

    def forget_user_vectors(self, db: Session, user_pk: int) -> None:
        """Inside the user-deletion transaction: drop cached vectors only this user's memories used."""
        semantic_repo.delete_memory_vectors(db, user_pk)
        self.indexes.drop(user_pk)

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
    return repo.find_namespace(db, namespace) or -1


def _user(db: Session, namespace: str, user_id: str) -> int | None:
    user = repo.find_named_user(db, namespace, user_id)
    return user.id if user is not None else None


def _check_aware(moment: datetime | None, name: str) -> None:
    if moment is not None and moment.utcoffset() is None:
        raise InvalidInputError(f"{name} needs a timezone, e.g. 2024-05-01T09:30:00Z", details={"field": name})


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _hit(row: MemoryRow, score: float) -> SearchHit:
    return SearchHit(
        id=memory_public_id(row.id),
        layer="semantic",
        text=row.text,
        score=score,
        valid_at=row.valid_at,
        invalid_at=row.invalid_at,
        provenance=tuple(row.source_episode_ids or ()),
        metadata={
            "version": row.version,
            "status": row.status,
            "subject": row.subject,
            "attribute": row.attribute,
            "kind": row.kind,
            "reinforcements": row.reinforcements,
            "memory_metadata": dict(row.metadata_ or {}),
        },
    )
