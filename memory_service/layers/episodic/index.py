"""Per-partition search indexes, derived from the store and kept in step with its writes.

Each partition (one user of one namespace) has a dense FAISS index and a BM25 index in memory.
The store's per-user ``revision`` says which writes an index has seen: an index that lags is
rebuilt from the store (vectors come from the embedding cache table, so a rebuild re-embeds
only texts that no cached vector of the configured model exists for). The dense index is
persisted under the data dir with a manifest of the revision, model and precision it was
built with; one that differs from the running configuration is rebuilt.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from memory_service.domain import parse_episode_ids
from memory_service.layers.base import FactSource
from memory_service.layers.cache import CacheLayer, PartitionCache, PartitionKey
from memory_service.layers.embeddings import EmbeddingCache
from memory_service.layers.episodic import repository as repo
from memory_service.store import partitions as partition_store
from memory_service.store import vectors as vector_store
from memory_service.store.database import Database
from memory_service.store.partitions import Partition
from retrieval.answers import AnswerLinks
from retrieval.embedder import Embedder
from retrieval.keys import RoundFacts, RoundKeys, TurnRef
from retrieval.lexical import BM25Index, term_counts
from retrieval.speakers import SpeakerNames
from retrieval.vector_index import (
    IVF_PROBE_MARGIN,
    IVF_THRESHOLD,
    POOLED_PROBE_MARGIN,
    Backend,
    FaissFlatIndex,
    FaissIVFIndex,
    Precision,
    VectorIndex,
    build_index,
    choose_backend,
    index_file,
    index_precision,
    load_index,
)

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"


@dataclass
class PartitionIndex:
    dense: VectorIndex
    lexical: BM25Index
    rounds: RoundKeys
    turns: dict[int, TurnRef]
    """Session and time of every indexed turn: ranking reads them for hundreds of candidates."""
    revision: int
    partition: Partition
    """Whose index it is: its key names the folder of its saved files."""
    answers: AnswerLinks = field(default_factory=AnswerLinks)
    speakers: SpeakerNames = field(default_factory=SpeakerNames)
    facts_revision: int = -1
    """The semantic revision whose facts the round keys hold (-1: none yet)."""
    dirty: bool = False
    lock: threading.RLock = field(default_factory=threading.RLock)


class IndexManager:
    """Loads, rebuilds, grows and persists the partitions' indexes; picks each one's backend.

    ``precision`` is what every FAISS index it builds holds its vectors in (turns and round keys).
    Loaded indexes are the ``episodic`` layer of the shared ``partitions`` cache, which bounds and
    unloads them with the other layers' entries; one taken out of memory is saved first if it changed.
    """

    def __init__(
        self,
        db: Database,
        embedder: Embedder,
        cache: EmbeddingCache,
        index_dir: Path,
        *,
        partitions: PartitionCache,
        device: str = "cpu",
        ivf_threshold: int = IVF_THRESHOLD,
        facts: FactSource | None = None,
        precision: Precision = "fp32",
    ) -> None:
        self._db = db
        self._embedder = embedder
        self._cache = cache
        self._dir = index_dir
        self.device = device
        self.ivf_threshold = ivf_threshold
        self.precision: Precision = precision
        # Round keys joined by the facts extracted from their turns (the semantic layer's memories).
        self.facts = facts
        self.loaded: CacheLayer[PartitionIndex] = partitions.layer("episodic", unload=self._unload)
        self._write_locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @contextmanager
    def writing(self, partition: Partition) -> Iterator[None]:
        """Serializes writes to one partition so their index updates apply in commit order."""
        with self._guard:
            lock = self._write_locks.setdefault(partition.key, threading.Lock())
        with lock:
            yield

    def get(self, partition: Partition, store_revision: int, facts_revision: int | None = None) -> PartitionIndex:
        """The partition's index, at least as new as ``store_revision`` (and, with fact keys on,
        its round keys holding the facts of ``facts_revision``)."""
        index = self.loaded.get(partition.user_pk, store_revision)
        if index is not None and not self._facts_lag(index, facts_revision):
            return index
        with self.writing(partition):
            index = self.loaded.get(partition.user_pk, store_revision)
            if index is None:
                index = self.loaded.put(partition.user_pk, self._load_or_rebuild(partition, store_revision))
            if self._facts_lag(index, facts_revision):
                self._join_facts(partition, index)
            return index

    def _facts_lag(self, index: PartitionIndex, facts_revision: int | None) -> bool:
        return self.facts is not None and facts_revision is not None and index.facts_revision < facts_revision

    def _join_facts(self, partition: Partition, index: PartitionIndex) -> None:
        """Join each round's key with the current facts extracted from its turns."""
        assert self.facts is not None
        with self._db.read() as db:
            revision = self.facts.revision(db, partition.user_pk)
            rows = self.facts.current_facts(db, partition.user_pk)
        texts = [text for text, _ in rows]
        _, vectors, fresh = self._cache.vectors_for(texts)
        if fresh:
            with self._db.write() as db:
                vector_store.store_vectors(db, self._embedder.name, fresh)
        by_round: dict[int, list[int]] = {}
        with index.lock:
            rounds = index.rounds
            for position, (_, source_ids) in enumerate(rows):
                sources = parse_episode_ids(source_ids)
                for anchor in {rounds.anchor_of[pk] for pk in sources if pk in rounds.anchor_of}:
                    by_round.setdefault(anchor, []).append(position)
            facts = {
                anchor: RoundFacts.of([texts[i] for i in positions], vectors[positions])
                for anchor, positions in by_round.items()
            }
            changed = rounds.set_facts(facts, index.dense.vectors, self._episode_texts)
            index.facts_revision = revision
        log.debug("partition %s: %d round keys re-keyed with their facts", partition.key, changed)

    def _episode_texts(self, pks: Sequence[int], chunk: int = 5000) -> dict[int, str]:
        texts: dict[int, str] = {}
        with self._db.read() as db:
            for start in range(0, len(pks), chunk):
                found = repo.episodes_by_pk(db, list(pks[start : start + chunk]))
                texts.update((pk, episode.content) for pk, episode in found.items())
        return texts

    def _unload(self, _: PartitionKey, index: PartitionIndex) -> None:
        """Save a partition the cache took out of memory if it changed; it reloads from disk (or
        is rebuilt from the store) on its next use."""
        with index.lock:
            if index.dirty:
                self._save(index)
        log.debug("unloaded the index of partition %s", index.partition.key)

    def apply_added(
        self,
        partition: Partition,
        revision: int,
        turns: Sequence[TurnRef],
        texts: Sequence[str],
        vectors: np.ndarray,
    ) -> None:
        """Add a committed write to a loaded index that has seen every earlier write."""
        index = self.loaded.get(partition.user_pk)
        if index is None or index.revision != revision - 1:
            return  # not loaded, or lagging: the next get() rebuilds it from the store
        pks = [turn.pk for turn in turns]
        with index.lock:
            index.dense.add(pks, vectors)
            counts = [term_counts(text) for text in texts]
            index.lexical.add_counts(pks, counts)
            index.rounds.add_turns(turns, texts, vectors, counts)
            index.answers.add_turns(turns, texts)
            index.speakers.add(turn.speaker for turn in turns)
            index.turns.update((turn.pk, turn) for turn in turns)
            index.revision = revision
            index.dirty = True
            index.dense = self._grown(index.dense, f"partition {partition.key}")
            index.rounds.dense = self._grown(
                index.rounds.dense, f"round keys of partition {partition.key}", POOLED_PROBE_MARGIN
            )

    def _grown(self, dense: VectorIndex, what: str, margin: int = IVF_PROBE_MARGIN) -> VectorIndex:
        """``dense`` as an IVF index once an exact one has grown past the threshold."""
        if isinstance(dense, FaissFlatIndex) and self._backend(len(dense)) == "faiss-ivf":
            log.info("%s reached %d vectors: switching to an IVF index", what, len(dense))
            ids, vectors = dense.ids().tolist(), dense.all_vectors()
            return FaissIVFIndex.build(ids, vectors, precision=self.precision, margin=margin)
        return dense

    def drop(self, partition: Partition) -> None:
        self.loaded.pop(partition.user_pk)
        shutil.rmtree(self._dir / partition.key, ignore_errors=True)

    def save_all(self) -> int:
        """Persist every index changed since it was loaded; returns how many were written."""
        pending = [index for _, index in self.loaded.items() if index.dirty]
        for index in pending:
            with index.lock:
                self._save(index)
        return len(pending)

    def loaded_partitions(self) -> int:
        """Partitions whose episodic index is loaded (the shared cache counts every layer's)."""
        return len(self.loaded)

    def _save(self, index: PartitionIndex) -> None:
        folder = self._dir / index.partition.key
        index.dense.save(folder / index_file(index.dense.backend))
        manifest = {
            "backend": index.dense.backend,
            "precision": index.dense.precision,
            "revision": index.revision,
            "model": self._embedder.name,
            "dim": self._embedder.dim,
            "count": len(index.dense),
        }
        tmp = folder / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(manifest))
        tmp.replace(folder / MANIFEST)
        index.dirty = False

    def _load_or_rebuild(self, partition: Partition, store_revision: int) -> PartitionIndex:
        turns: list[TurnRef] = []
        texts: list[str] = []
        with self._db.read() as session:
            # The revision is read in the same snapshot as the episodes it describes.
            store_revision = partition_store.user_revision(session, partition.user_pk)
            for turn, text in repo.iter_partition_episodes(session, partition.user_pk):
                turns.append(turn)
                texts.append(text)
        pks = [turn.pk for turn in turns]
        loaded = self._load_dense(partition, store_revision, len(pks))
        if loaded is not None:
            dense, vectors = loaded, loaded.vectors(pks)
        else:
            log.info("rebuilding the dense index of partition %s from the store (%d episodes)", partition.key, len(pks))
            vectors = self._stored_vectors(partition, pks, texts)
            backend = self._backend(len(pks))
            log.info("partition %s: %s index on %s for %d vectors", partition.key, backend, self.device, len(pks))
            dense = build_index(backend, self._embedder.dim, pks, vectors, self.device, self.precision)
        lexical, rounds = self._lexical_and_round_keys(turns, texts, vectors)
        index = PartitionIndex(dense, lexical, rounds, {t.pk: t for t in turns}, store_revision, partition)
        index.answers.add_turns(turns, texts)
        index.speakers.add(turn.speaker for turn in turns)
        if loaded is None:
            self._save(index)
        return index

    def _stored_vectors(self, partition: Partition, pks: Sequence[int], texts: Sequence[str]) -> np.ndarray:
        """The turns' vectors as the store holds them; only a turn without one is embedded (and
        its vector stored)."""
        with self._db.read() as session:
            stored = vector_store.partition_episode_vectors(session, self._embedder.name, partition.user_pk)
        missing = [i for i, pk in enumerate(pks) if pk not in stored]
        if missing:
            _, found, fresh = self._cache.vectors_for([texts[i] for i in missing])
            if fresh:
                with self._db.write() as session:
                    vector_store.store_vectors(session, self._embedder.name, fresh)
            stored.update((pks[i], vector) for i, vector in zip(missing, found, strict=True))
        if not pks:
            return np.zeros((0, self._embedder.dim), dtype=np.float32)
        return np.stack([stored[pk] for pk in pks]).astype(np.float32, copy=False)

    def _lexical_and_round_keys(
        self, turns: Sequence[TurnRef], texts: Sequence[str], vectors: np.ndarray, chunk: int = 4096
    ) -> tuple[BM25Index, RoundKeys]:
        """The turns' BM25 index and their round keys, derived from the turns (nothing is embedded;
        not persisted). Each text is tokenized once for both, a chunk at a time: the term counts
        of a whole large partition held at once would take gigabytes."""
        empty = np.zeros((0, self._embedder.dim), dtype=np.float32)
        lexical = BM25Index()
        # Built empty (the exact backend of the device) and grown turn by turn, like a new partition's.
        rounds = RoundKeys(build_index(self._backend(0), self._embedder.dim, [], empty, self.device, self.precision))
        for start in range(0, len(turns), chunk):
            part = slice(start, start + chunk)
            counts = [term_counts(text) for text in texts[part]]
            lexical.add_counts([turn.pk for turn in turns[part]], counts)
            rounds.add_turns(turns[part], texts[part], vectors[part], counts)
        lexical.warm()
        rounds.lexical.warm()
        rounds.dense = self._grown(rounds.dense, "round keys", POOLED_PROBE_MARGIN)
        return lexical, rounds

    def _backend(self, count: int) -> Backend:
        return choose_backend(count, self.device, self.ivf_threshold)

    def _load_dense(self, partition: Partition, store_revision: int, count: int) -> VectorIndex | None:
        """The persisted index, if it is of this revision, model, size, backend and precision."""
        folder = self._dir / partition.key
        backend = self._backend(count)
        precision = index_precision(backend, self.device, self.precision)
        try:
            manifest = json.loads((folder / MANIFEST).read_text())
            if (
                manifest["revision"] != store_revision
                or manifest["model"] != self._embedder.name
                or manifest["count"] != count
                or manifest["backend"] != backend
                # Manifests written before indexes had a precision describe fp32 ones.
                or manifest.get("precision", "fp32") != precision
            ):
                return None
            dense = load_index(backend, folder / index_file(backend), self.device)
        except (OSError, ValueError, KeyError, RuntimeError):
            return None
        if len(dense) != count or dense.dim != self._embedder.dim or dense.precision != precision:
            return None
        return dense
