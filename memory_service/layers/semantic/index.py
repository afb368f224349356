"""Per-user search indexes over semantic memories, rebuilt when the user's semantic revision moves.

A user holds few memories next to their episodes (a fact is distilled from many turns), so an
exact dense scan over a NumPy matrix and an in-memory BM25 index are enough; both are rebuilt
from the store (vectors from the embedding cache) whenever the revision they were built at is
behind the store's.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np

from memory_service.domain import TimeWindow, parse_episode_ids
from memory_service.layers.cache import CacheLayer, PartitionCache, exactly
from memory_service.layers.embeddings import EmbeddingCache
from memory_service.layers.semantic import repository as semantic_repo
from memory_service.layers.semantic.strength import strength
from memory_service.store import vectors as vector_store
from memory_service.store.database import Database
from retrieval.lexical import BM25Index


@dataclass(frozen=True)
class IndexedMemory:
    """What ranking and filtering need of a memory besides its text.

    ``sources`` are the primary keys of the episodes the memory was drawn from (none for a
    memory a person added directly).
    """

    status: str
    valid_at: datetime | None
    invalid_at: datetime | None
    created_at: datetime
    reinforced_at: datetime
    reinforcements: int
    accessed_at: datetime | None
    accesses: int
    sources: tuple[int, ...]
    learned_at: datetime
    """When the service learned it: when its first source episode occurred (the moment it was
    said, whenever it was sent), else when it was stored (a memory a person added)."""

    def valid_as_of(self, moment: datetime) -> bool:
        return (self.valid_at is None or self.valid_at <= moment) and (
            self.invalid_at is None or self.invalid_at > moment
        )

    def stood_at(self, moment: datetime) -> bool:
        """Part of memory as it stood at ``moment``: already learned, and valid then."""
        return self.learned_at <= moment and self.valid_as_of(moment)

    def overlaps(self, window: TimeWindow) -> bool:
        """Whether [valid_at (else created_at), invalid_at (else forever)) meets [start, end)."""
        begins = self.valid_at or self.created_at
        return (window.end is None or begins < window.end) and (
            window.start is None or self.invalid_at is None or self.invalid_at > window.start
        )

    def strength(self, now: datetime, base_days: float) -> float:
        """Forgetting-curve strength in (0, 1], reinforcements and retrievals both counted."""
        return strength(
            now,
            self.reinforced_at,
            self.reinforcements,
            base_days,
            last_accessed_at=self.accessed_at,
            accesses=self.accesses,
        )

    def accessed(self, when: datetime) -> IndexedMemory:
        """The same memory retrieved once more at ``when``; the last access never moves back."""
        latest = when if self.accessed_at is None else max(self.accessed_at, when)
        return replace(self, accesses=self.accesses + 1, accessed_at=latest)


@dataclass
class SemanticPartition:
    revision: int
    pks: np.ndarray
    vectors: np.ndarray
    lexical: BM25Index
    facts: dict[int, IndexedMemory]

    def dense(self, query: np.ndarray, depth: int, allowed: Collection[int]) -> list[int]:
        """Memories by cosine similarity to ``query`` (unit vectors), best first."""
        if not len(self.pks):
            return []
        mask = np.isin(self.pks, np.fromiter(allowed, dtype=np.int64, count=len(allowed)))
        if not mask.any():
            return []
        pks = self.pks[mask]
        scores = self.vectors[mask] @ query
        order = np.argsort(-scores, kind="stable")[:depth]
        return [int(pks[i]) for i in order]


class SemanticIndexes:
    """The loaded partitions: the ``semantic`` layer of the shared partition cache, which bounds
    and unloads them with the other layers' entries (they are simply dropped: a rebuild is cheap)."""

    def __init__(self, db: Database, cache: EmbeddingCache, embedder_name: str, partitions: PartitionCache) -> None:
        self._db = db
        self._cache = cache
        self._model = embedder_name
        # Used only at the revision the store has: a partition built from an older snapshot is rebuilt.
        self.loaded: CacheLayer[SemanticPartition] = partitions.layer("semantic", fresh=exactly)
        self._guard = threading.Lock()  # access counts patched in place by concurrent searches

    def get(self, user_pk: int) -> SemanticPartition:
        with self._db.read() as db:
            current = semantic_repo.revision(db, user_pk)
        found = self.loaded.get(user_pk, current)
        if found is not None:
            return found
        built = self._build(user_pk)
        self.loaded.put(user_pk, built)
        return built

    def note_accessed(self, user_pk: int, pks: Iterable[int], when: datetime) -> None:
        """Count a retrieval in the loaded partition, after the store has counted it.

        Accesses move no revision (a search must not force a rebuild), so the loaded facts are
        patched in place; a partition not loaded reads the counts from the store when built.
        """
        partition = self.loaded.peek(user_pk)
        if partition is None:
            return
        with self._guard:
            for pk in pks:
                fact = partition.facts.get(pk)
                if fact is not None:
                    partition.facts[pk] = fact.accessed(when)

    def drop(self, user_pk: int) -> None:
        self.loaded.pop(user_pk)

    def _build(self, user_pk: int) -> SemanticPartition:
        with self._db.read() as db:
            # The revision is read in the same snapshot as the memories it describes.
            revision = semantic_repo.revision(db, user_pk)
            rows = semantic_repo.visible_memories(db, user_pk)
            pks = [r.id for r in rows]
            texts = [r.text for r in rows]
            sources = {r.id: parse_episode_ids(r.source_episode_ids or ()) for r in rows}
            said = semantic_repo.said_at(db, user_pk, {pk for pks in sources.values() for pk in pks})
            facts = {
                r.id: IndexedMemory(
                    status=r.status,
                    valid_at=r.valid_at,
                    invalid_at=r.invalid_at,
                    created_at=r.created_at,
                    reinforced_at=r.last_reinforced_at or r.created_at,
                    reinforcements=r.reinforcements,
                    accessed_at=r.last_accessed_at,
                    accesses=r.accesses,
                    sources=sources[r.id],
                    learned_at=min((said[pk] for pk in sources[r.id] if pk in said), default=r.created_at),
                )
                for r in rows
            }
        _, vectors, fresh = self._cache.vectors_for(texts)
        if fresh:
            with self._db.write() as db:
                vector_store.store_vectors(db, self._model, fresh)
        lexical = BM25Index()
        lexical.add(pks, texts)
        return SemanticPartition(revision, np.asarray(pks, dtype=np.int64), vectors, lexical, facts)
