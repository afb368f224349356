"""Vector indexes: one protocol and a FAISS backend with exact inner-product search."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Protocol

import faiss
import numpy as np


class VectorIndex(Protocol):
    """Ids are int64 keys owned by the store; scores are inner products (higher is better)."""

    @property
    def dim(self) -> int: ...

    def __len__(self) -> int: ...

    def add(self, ids: Sequence[int], vectors: np.ndarray) -> None: ...

    def remove(self, ids: Sequence[int]) -> None: ...

    def search(
        self, query: np.ndarray, k: int, allowed_ids: Collection[int] | None = None
    ) -> list[tuple[int, float]]: ...

    def save(self, path: Path) -> None: ...


class FaissFlatIndex:
    """Exact search (``IndexFlatIP`` behind an id map): the right choice for partitions of up to
    ~100k vectors, where a scan costs milliseconds and recall is 1 by construction."""

    def __init__(self, dim: int, index: faiss.Index | None = None) -> None:
        self._dim = dim
        self._index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    @classmethod
    def load(cls, path: Path) -> FaissFlatIndex:
        index = faiss.read_index(str(path))
        return cls(index.d, index)

    @property
    def dim(self) -> int:
        return self._dim

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        """Add vectors; an id already present is replaced."""
        if len(ids) == 0:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(ids), self._dim)
        id_array = np.asarray(ids, dtype=np.int64)
        self._index.remove_ids(faiss.IDSelectorBatch(id_array))
        self._index.add_with_ids(vectors, id_array)

    def remove(self, ids: Sequence[int]) -> None:
        if len(ids):
            self._index.remove_ids(faiss.IDSelectorBatch(np.asarray(ids, dtype=np.int64)))

    def search(self, query: np.ndarray, k: int, allowed_ids: Collection[int] | None = None) -> list[tuple[int, float]]:
        """The ``k`` nearest (id, inner product) pairs, best first; only ``allowed_ids`` if given."""
        if len(self) == 0 or k <= 0:
            return []
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, self._dim)
        params = None
        if allowed_ids is not None:
            if not allowed_ids:
                return []
            selector = faiss.IDSelectorBatch(np.fromiter(allowed_ids, dtype=np.int64))
            params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
            k = min(k, len(allowed_ids))
        k = min(k, len(self))
        scores, ids = self._index.search(query, k, params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i != -1]

    def vectors(self, ids: Sequence[int]) -> np.ndarray:
        """The stored vectors of ``ids`` (each must be in the index), one row per id."""
        if len(ids) == 0:
            return np.zeros((0, self._dim), dtype=np.float32)
        return np.stack([self._index.reconstruct(int(i)) for i in ids]).astype(np.float32, copy=False)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        faiss.write_index(self._index, str(tmp))
        tmp.replace(path)
