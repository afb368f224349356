"""What every vector index backend shares: the protocol, the names of backends and precisions,
and the hit lists searches return.

The FAISS backends (:mod:`retrieval.vector_index`) and the torch one (:mod:`retrieval.torch_index`)
both build on this module, so neither imports the other.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

Backend = Literal["faiss-flat", "faiss-ivf", "torch"]
Precision = Literal["fp32", "fp16"]
"""How an index holds its vectors: fp16 halves their bytes; scores are still computed in fp32."""

Hits = list[tuple[int, float]]


class VectorIndex(Protocol):
    """Scores are inner products of unit vectors (higher is better)."""

    backend: Backend

    @property
    def dim(self) -> int: ...

    @property
    def precision(self) -> Precision: ...

    def __len__(self) -> int: ...

    def add(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        """Add vectors; an id already present is replaced."""
        ...

    def remove(self, ids: Sequence[int]) -> None: ...

    def search(self, query: np.ndarray, k: int, allowed_ids: Collection[int] | None = None) -> Hits:
        """The ``k`` nearest (id, score) pairs, best first; only ``allowed_ids`` if given."""
        ...

    def search_many(self, queries: np.ndarray, k: int) -> list[Hits]:
        """One ranking per query row, computed in one call."""
        ...

    def ids(self) -> np.ndarray: ...

    def vectors(self, ids: Sequence[int]) -> np.ndarray:
        """The stored vectors of ``ids`` (each must be present), one row per id."""
        ...

    def save(self, path: Path) -> None: ...


def as_rows(vectors: np.ndarray, dim: int) -> np.ndarray:
    return np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, dim)


def to_hits(ids: np.ndarray, scores: np.ndarray) -> Hits:
    return [(int(i), float(s)) for i, s in zip(ids, scores, strict=True) if i != -1]
