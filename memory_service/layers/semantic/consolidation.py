"""Consolidation: extracted facts decided against a user's memories (ADD, UPDATE, DELETE, NOOP), then applied.

Memories are never erased here: a fact that stops being true is invalidated (``invalid_at``), a
newer value of a single-valued fact is a new version of the same lineage, and every change
leaves a history row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import numpy as np
from sqlalchemy.orm import Session

from agents.consolidation import MemoryManager
from agents.extraction import CandidateFact
from memory_service.extraction import queue as tasks
from memory_service.layers.embeddings import EmbeddingCache
from memory_service.layers.semantic import repository as semantic_repo
from memory_service.layers.semantic.apply import apply_steps
from memory_service.layers.semantic.domain import Actor, ConsolidationReport
from memory_service.layers.semantic.plan import Plan, WorkingMemory
from memory_service.store import vectors as vector_store
from memory_service.store.database import Database
from memory_service.store.tables import MemoryRow
from retrieval.embedder import Embedder

OPTIMISTIC_ATTEMPTS = 3
"""Plans made outside the lock before the last one is made under it: a busy user rarely needs more."""


class Consolidator:
    """Turns a batch of candidate facts into the user's memories, in one transaction."""

    def __init__(self, db: Database, embedder: Embedder, cache: EmbeddingCache, manager: MemoryManager) -> None:
        self.db = db
        self.embedder = embedder
        self.cache = cache
        self.manager = manager

    def consolidate(
        self,
        user_pk: int,
        candidates: Sequence[CandidateFact],
        *,
        actor: Actor = "extractor",
        task_pk: int | None = None,
        before_commit: Callable[[Session], object] | None = None,
    ) -> ConsolidationReport:
        """Decide every candidate against the user's memories and apply the decisions at once.

        Decisions are made outside the transaction (they may call a model) against a snapshot;
        if the user's memories changed meanwhile, they are made again, and the last attempt is
        made under the transaction's lock. ``task_pk`` is marked done in the same transaction,
        so an extraction task's effects and its completion land together; ``before_commit`` runs
        last in that transaction, under the user's lock.
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
                vector_store.store_vectors(db, self.embedder.name, fresh)
                if before_commit is not None:
                    before_commit(db)
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
