"""Vector indexes: FAISS exact and IVF backends (the torch one for GPUs is in
:mod:`retrieval.torch_index`, the protocol both follow in :mod:`retrieval.vector_base`), and
the choice among them.

Ids are the store's int64 primary keys, so the id map lives in SQL: an index can always be
rebuilt from the store. Which backend serves a partition is decided by :func:`choose_backend`
from its size and the device, and logged. The FAISS backends hold their vectors in fp32 or,
for half the memory and disk at a small recall cost, in fp16 (:data:`Precision`).
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import faiss
import numpy as np

# Importers of the indexes know these names from here too.
from retrieval.vector_base import Backend, Hits, Precision, VectorIndex, as_rows, to_hits

log = logging.getLogger(__name__)

IVF_THRESHOLD = 50_000
"""Partitions at least this large get an approximate (IVF) index on CPU; smaller ones scan."""
IVF_TARGET_RECALL = 0.97
"""recall@10 against exact search that an IVF index is calibrated to when it is built."""
IVF_PROBE_MARGIN = 2
"""Cells probed per query, as a multiple of the calibrated count: real queries (questions)
sit farther from stored turns than calibration probes do."""
POOLED_PROBE_MARGIN = 1
"""The same for pooled keys (round keys: a mean of turn vectors). Their stored vectors have
close near-duplicates, so calibration probes fall among near ties and the calibrated count
already exceeds what questions need (measured: docs/benchmarks.md, round keys)."""

EXACT_FILTER_SHARE = 0.2
"""An IVF search filtered to at most this share of the partition scans the allowed ids exactly."""


@functools.cache
def _one_openmp_thread() -> None:
    """Run FAISS on one OpenMP thread in this process, from its first index on.

    One query at a time is FAISS's work here; its OpenMP team costs more to wake than a scan of
    100k vectors takes on one core (5 ms vs 30 ms measured on 2 cores), and concurrent requests
    already run in parallel threads (FAISS releases the GIL).
    """
    faiss.omp_set_num_threads(1)


def _fp16_codes(index: Any) -> bool:
    """Whether a FAISS index (or the one inside its id map) stores fp16 scalar codes."""
    inner = faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap2) else index
    return isinstance(inner, faiss.IndexScalarQuantizer | faiss.IndexIVFScalarQuantizer)


class _FaissIndex:
    """What FAISS indexes with their own id map (IDMap2, IVF with a direct map) share."""

    backend: Backend

    def __init__(self, dim: int, index: Any) -> None:
        _one_openmp_thread()
        self._dim = dim
        self._index = index
        self.precision: Precision = "fp16" if _fp16_codes(index) else "fp32"
        # The ids held, known from the first write on: a removal scans every vector, so an
        # add removes first only the ids it replaces (new ids, the usual case, cost nothing).
        self._held: set[int] | None = None

    @property
    def dim(self) -> int:
        return self._dim

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> np.ndarray:
        raise NotImplementedError

    def _held_ids(self) -> set[int]:
        if self._held is None:
            self._held = set(self.ids().tolist())
        return self._held

    def add(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        if len(ids) == 0:
            return
        held = self._held_ids()
        replaced = [i for i in ids if i in held]
        if replaced:
            self.remove(replaced)
        self._index.add_with_ids(as_rows(vectors, self._dim), np.asarray(ids, dtype=np.int64))
        held.update(int(i) for i in ids)

    def remove(self, ids: Sequence[int]) -> None:
        if len(ids):
            self._index.remove_ids(self._selector(np.asarray(ids, dtype=np.int64)))
            if self._held is not None:
                self._held.difference_update(int(i) for i in ids)

    def _selector(self, ids: np.ndarray) -> Any:
        return faiss.IDSelectorBatch(ids)

    def search(self, query: np.ndarray, k: int, allowed_ids: Collection[int] | None = None) -> Hits:
        if len(self) == 0 or k <= 0 or (allowed_ids is not None and not allowed_ids):
            return []
        selector = None
        if allowed_ids is not None:
            selector = faiss.IDSelectorBatch(np.fromiter(allowed_ids, dtype=np.int64))
            k = min(k, len(allowed_ids))
        k = min(k, len(self))
        scores, ids = self._index.search(as_rows(query, self._dim), k, params=self._params(selector))
        return to_hits(ids[0], scores[0])

    def search_many(self, queries: np.ndarray, k: int) -> list[Hits]:
        rows = as_rows(queries, self._dim)
        if len(self) == 0 or k <= 0:
            return [[] for _ in range(len(rows))]
        scores, ids = self._index.search(rows, min(k, len(self)), params=self._params(None))
        return [to_hits(i, s) for i, s in zip(ids, scores, strict=True)]

    def vectors(self, ids: Sequence[int]) -> np.ndarray:
        """The stored vectors (decoded from fp16 at that precision)."""
        if len(ids) == 0:
            return np.zeros((0, self._dim), dtype=np.float32)
        return np.stack([self._index.reconstruct(int(i)) for i in ids]).astype(np.float32, copy=False)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        faiss.write_index(self._index, str(tmp))
        tmp.replace(path)

    def _params(self, selector: Any) -> Any:
        return faiss.SearchParameters(sel=selector) if selector is not None else None  # type: ignore[call-arg]


class FaissFlatIndex(_FaissIndex):
    """Exact search (``IndexFlatIP``, or fp16 scalar codes, behind an id map): recall 1 over the
    stored vectors by construction, and a scan of tens of thousands costs a few milliseconds."""

    backend: Backend = "faiss-flat"

    def __init__(self, dim: int, index: Any = None, precision: Precision = "fp32") -> None:
        if index is None:
            codes = (
                faiss.IndexScalarQuantizer(dim, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
                if precision == "fp16"
                else faiss.IndexFlatIP(dim)
            )
            index = faiss.IndexIDMap2(codes)
        super().__init__(dim, index)

    @classmethod
    def load(cls, path: Path) -> FaissFlatIndex:
        index = faiss.read_index(str(path))
        return cls(index.d, index)

    def ids(self) -> np.ndarray:
        return faiss.vector_to_array(self._index.id_map).astype(np.int64)

    def all_vectors(self) -> np.ndarray:
        """Every stored vector, in the order of :meth:`ids`."""
        return self._index.index.reconstruct_n(0, len(self)).astype(np.float32)


class FaissIVFIndex(_FaissIndex):
    """Approximate search for large partitions: an inverted file of ``nlist`` k-means cells,
    ``nprobe`` of them scanned per query, calibrated at build time to a target recall.
    Removal is immediate (hash-table direct map). Chosen over HNSW, whose FAISS index cannot
    remove vectors: deletes and updates must take effect at once."""

    backend: Backend = "faiss-ivf"

    def __init__(self, dim: int, index: Any) -> None:
        super().__init__(dim, index)
        self._ivf = faiss.extract_index_ivf(index)

    @classmethod
    def build(
        cls,
        ids: Sequence[int],
        vectors: np.ndarray,
        nlist: int | None = None,
        precision: Precision = "fp32",
        margin: int = IVF_PROBE_MARGIN,
    ) -> FaissIVFIndex:
        """Train the cells on the vectors given, then add them, probing ``margin`` times the
        calibrated cells. Needs ~40 vectors per cell."""
        _one_openmp_thread()  # training included
        rows = as_rows(vectors, vectors.shape[1])
        dim = rows.shape[1]
        nlist = nlist or max(1, min(int(4 * math.sqrt(len(rows))), len(rows) // 40))
        quantizer = faiss.IndexFlatIP(dim)
        index: Any
        if precision == "fp16":
            index = faiss.IndexIVFScalarQuantizer(
                quantizer, dim, nlist, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
            )
            # Codes of the vectors, not of residuals: fp16 has no value range to fit, and an exact
            # fp16 index promoted to IVF then keeps exactly the vectors it held.
            index.by_residual = False
        else:
            index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
        index.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]
        index.train(rows)
        built = cls(dim, index)
        built._index.add_with_ids(rows, np.asarray(ids, dtype=np.int64))
        built.calibrate(rows, np.asarray(ids, dtype=np.int64), margin=margin)
        return built

    def calibrate(
        self,
        rows: np.ndarray,
        ids: np.ndarray,
        target: float = IVF_TARGET_RECALL,
        k: int = 10,
        margin: int = IVF_PROBE_MARGIN,
    ) -> float:
        """Set the smallest ``nprobe`` (doubling) whose recall@k reaches ``target`` on probe queries
        drawn near the partition's own vectors: how clustered the data is decides, not a constant.

        A probe is a stored vector moved as far as its nearest neighbour typically is, so it
        falls between points like a new query does. Returns the recall reached.
        """
        rng = np.random.default_rng(0)
        sample = rows[rng.choice(len(rows), size=min(200, len(rows)), replace=False)]
        if len(rows) <= k:
            return 1.0
        neighbour = np.sort(sample @ rows.T, axis=1)[:, -2]  # the best match other than itself
        similarity = float(np.clip(np.median(neighbour), 0.05, 0.999))
        noise = rng.normal(size=sample.shape)
        noise /= np.linalg.norm(noise, axis=1, keepdims=True)
        probes = sample + noise * math.sqrt(1 / similarity**2 - 1)
        probes = (probes / np.linalg.norm(probes, axis=1, keepdims=True)).astype(np.float32)
        scores = probes @ rows.T
        truth = [set(ids[t].tolist()) for t in np.argpartition(-scores, k - 1, axis=1)[:, :k]]
        nprobe = max(1, self.nlist // 64)
        while True:
            self.nprobe = nprobe
            found = self.search_many(probes, k)
            recall = float(np.mean([len(t & {i for i, _ in f}) / k for t, f in zip(truth, found, strict=True)]))
            if recall >= target or nprobe >= self.nlist:
                self.nprobe = min(self.nlist, nprobe * margin)
                return recall
            nprobe = min(self.nlist, nprobe * 2)

    @classmethod
    def load(cls, path: Path) -> FaissIVFIndex:
        index = faiss.read_index(str(path))
        return cls(index.d, index)

    @property
    def nlist(self) -> int:
        return int(self._ivf.nlist)

    @property
    def nprobe(self) -> int:
        return int(self._ivf.nprobe)

    @nprobe.setter
    def nprobe(self, value: int) -> None:
        self._ivf.nprobe = int(value)

    def search(self, query: np.ndarray, k: int, allowed_ids: Collection[int] | None = None) -> Hits:
        """Filtered searches scan the allowed vectors exactly: the probed cells may hold none of them."""
        if allowed_ids is None or len(allowed_ids) > len(self) * EXACT_FILTER_SHARE:
            return super().search(query, k, allowed_ids)
        if k <= 0 or not allowed_ids:
            return []
        wanted = np.fromiter(allowed_ids, dtype=np.int64)
        try:
            rows = self._index.reconstruct_batch(wanted)
        except RuntimeError:  # some id is not in the index: keep the ones that are
            wanted = np.asarray([i for i in wanted if self._holds(int(i))], dtype=np.int64)
            if len(wanted) == 0:
                return []
            rows = self._index.reconstruct_batch(wanted)
        scores = rows @ as_rows(query, self._dim)[0]
        order = np.argsort(-scores, kind="stable")[:k]
        return [(int(wanted[i]), float(scores[i])) for i in order]

    def _holds(self, id_: int) -> bool:
        try:
            self._index.reconstruct(id_)
        except RuntimeError:
            return False
        return True

    def _selector(self, ids: np.ndarray) -> Any:
        return faiss.IDSelectorArray(ids)  # the hash-table direct map removes only by array

    def ids(self) -> np.ndarray:
        invlists = self._ivf.invlists
        assert invlists is not None
        parts = [
            faiss.rev_swig_ptr(invlists.get_ids(cell), invlists.list_size(cell)).copy()
            for cell in range(self.nlist)
            if invlists.list_size(cell)
        ]
        return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)

    def _params(self, selector: Any) -> Any:
        if selector is None:
            return faiss.SearchParametersIVF(nprobe=self.nprobe)  # type: ignore[call-arg]
        return faiss.SearchParametersIVF(nprobe=self.nprobe, sel=selector)  # type: ignore[call-arg]


def choose_backend(count: int, device: str, ivf_threshold: int = IVF_THRESHOLD) -> Backend:
    """torch on a GPU (exact, fp16); on CPU exact FAISS until ``ivf_threshold`` vectors, IVF after."""
    if device.startswith("cuda"):
        return "torch"
    return "faiss-ivf" if count >= ivf_threshold else "faiss-flat"


def index_precision(backend: Backend, device: str, precision: Precision) -> Precision:
    """The precision :func:`build_index` gives an index of ``backend`` asked for ``precision``:
    the torch backend's follows its device (fp16 on CUDA), the FAISS ones hold what is asked."""
    if backend == "torch":
        return "fp16" if device.startswith("cuda") else "fp32"
    return precision


def build_index(
    backend: Backend,
    dim: int,
    ids: Sequence[int],
    vectors: np.ndarray,
    device: str = "cpu",
    precision: Precision = "fp32",
) -> VectorIndex:
    """A new index of ``backend`` holding ``vectors`` under ``ids``, at ``precision`` (FAISS)."""
    index: VectorIndex
    if backend == "faiss-ivf":
        index = FaissIVFIndex.build(ids, vectors, precision=precision)
    elif backend == "torch":
        from retrieval.torch_index import TorchIndex

        index = TorchIndex(dim, device)
        index.add(ids, vectors)
    else:
        index = FaissFlatIndex(dim, precision=precision)
        index.add(ids, vectors)
    return index


def load_index(backend: Backend, path: Path, device: str = "cpu") -> VectorIndex:
    """A saved index; a FAISS file knows its own precision."""
    if backend == "torch":
        from retrieval.torch_index import TorchIndex

        return TorchIndex.load(path, device)
    if backend == "faiss-ivf":
        return FaissIVFIndex.load(path)
    return FaissFlatIndex.load(path)


def index_file(backend: Backend) -> str:
    return "dense.npz" if backend == "torch" else "dense.faiss"
