"""The GPU backend of :class:`retrieval.vector_base.VectorIndex`: exact search on torch.

Torch is imported when an index is made, so CPU-only code paths never pay for it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.vector_base import Backend, Hits, Precision, as_rows, to_hits


class TorchIndex:
    """Exact search as one matrix product and a top-k on a torch device (fp16 on CUDA).

    The GPU path for machines whose FAISS build has no GPU support (the FAISS GPU wheels
    target CUDA 12); on CPU it runs in fp32 and serves as a reference.
    """

    backend: Backend = "torch"

    def __init__(self, dim: int, device: str = "cpu") -> None:
        import torch

        self._torch = torch
        self._dim = dim
        self.device = device
        self._dtype = torch.float16 if device.startswith("cuda") else torch.float32
        self.precision: Precision = "fp16" if self._dtype == torch.float16 else "fp32"
        self._matrix = torch.zeros((0, dim), dtype=self._dtype, device=device)
        self._ids = np.zeros(0, dtype=np.int64)
        self._row_of: dict[int, int] = {}

    @property
    def dim(self) -> int:
        return self._dim

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        if len(ids) == 0:
            return
        self.remove([i for i in ids if i in self._row_of])
        rows = self._torch.from_numpy(as_rows(vectors, self._dim)).to(self.device, self._dtype)
        self._matrix = self._torch.cat([self._matrix, rows])
        start = len(self._ids)
        self._ids = np.concatenate([self._ids, np.asarray(ids, dtype=np.int64)])
        self._row_of.update({int(i): start + n for n, i in enumerate(ids)})

    def remove(self, ids: Sequence[int]) -> None:
        drop = [self._row_of[int(i)] for i in ids if int(i) in self._row_of]
        if not drop:
            return
        keep = np.ones(len(self._ids), dtype=bool)
        keep[drop] = False
        self._matrix = self._matrix[self._torch.from_numpy(keep).to(self.device)]
        self._ids = self._ids[keep]
        self._row_of = {int(i): n for n, i in enumerate(self._ids)}

    def search(self, query: np.ndarray, k: int, allowed_ids: Collection[int] | None = None) -> Hits:
        if len(self) == 0 or k <= 0:
            return []
        if allowed_ids is None:
            return self.search_many(as_rows(query, self._dim), k)[0]
        rows = [self._row_of[i] for i in allowed_ids if i in self._row_of]
        if not rows:
            return []
        index = self._torch.tensor(rows, device=self.device)
        scores = self._matrix[index] @ self._query(as_rows(query, self._dim))[0]
        top = self._torch.topk(scores.float(), min(k, len(rows)))
        chosen = np.asarray(rows)[top.indices.cpu().numpy()]
        return to_hits(self._ids[chosen], top.values.cpu().numpy())

    def search_many(self, queries: np.ndarray, k: int) -> list[Hits]:
        rows = as_rows(queries, self._dim)
        if len(self) == 0 or k <= 0:
            return [[] for _ in range(len(rows))]
        scores = self._query(rows) @ self._matrix.T
        top = self._torch.topk(scores.float(), min(k, len(self)), dim=1)
        ids, values = top.indices.cpu().numpy(), top.values.cpu().numpy()
        return [to_hits(self._ids[i], v) for i, v in zip(ids, values, strict=True)]

    def ids(self) -> np.ndarray:
        return self._ids.copy()

    def vectors(self, ids: Sequence[int]) -> np.ndarray:
        rows = self._torch.tensor([self._row_of[int(i)] for i in ids], dtype=self._torch.long, device=self.device)
        return self._matrix[rows].float().cpu().numpy()

    def save(self, path: Path) -> None:
        """An ``.npz`` of ids and fp32 vectors (no pickles), written atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        with tmp.open("wb") as handle:
            np.savez(handle, ids=self._ids, vectors=self._matrix.float().cpu().numpy())
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, device: str = "cpu") -> TorchIndex:
        with np.load(path, allow_pickle=False) as data:
            vectors = data["vectors"]
            index = cls(int(vectors.shape[1]), device)
            index.add(data["ids"].tolist(), vectors)
        return index

    def _query(self, rows: np.ndarray) -> Any:
        return self._torch.from_numpy(rows).to(self.device, self._dtype)
