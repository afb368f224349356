"""Incremental BM25 over an in-memory inverted index.

Episodes arrive one batch at a time and searches interleave with writes, so the index must
take additions and deletions without a rebuild (a library that re-indexes everything, such as
bm25s, needs ~5 s for 100k documents on this class of machine). Postings are kept per term as
growing arrays; scoring is vectorized with NumPy over the postings of the query's terms only.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from retrieval.tokenize import tokenize

K1 = 1.2
B = 0.75
WARM_POSTINGS = 256
"""Postings at least this long are converted to arrays when an index is built in bulk."""


class _Column:
    """Values appended to a list (fast), read as a NumPy array that is extended with only the
    values added since the last read: a search after a write converts the new tail, not the
    whole column (a common term's postings run to tens of thousands at 100k documents)."""

    def __init__(self, dtype: type) -> None:
        self.values: list[Any] = []
        self._dtype = dtype
        self._array: np.ndarray = np.zeros(0, dtype=dtype)

    def array(self) -> np.ndarray:
        if len(self._array) < len(self.values):
            tail: np.ndarray = np.asarray(self.values[len(self._array) :], dtype=self._dtype)
            self._array = np.concatenate([self._array, tail])
        return self._array

    def set(self, index: int, value: Any) -> None:
        """Change a value in place (in the list and, if already converted, in the array)."""
        self.values[index] = value
        if index < len(self._array):
            self._array[index] = value


@dataclass
class _Postings:
    slots: _Column = field(default_factory=lambda: _Column(np.int64))
    freqs: _Column = field(default_factory=lambda: _Column(np.float32))
    live: int = 0

    def append(self, slot: int, freq: int) -> None:
        self.slots.values.append(slot)
        self.freqs.values.append(freq)
        self.live += 1

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return self.slots.array(), self.freqs.array()


class BM25Index:
    """BM25 (Okapi, k1=1.2, b=0.75, Lucene's non-negative idf). Scores: higher is better, >= 0."""

    def __init__(self) -> None:
        self._postings: dict[str, _Postings] = {}
        self._slot_of: dict[int, int] = {}
        self._ids: list[int] = []
        self._lengths = _Column(np.float32)
        self._alive = _Column(np.bool_)
        self._terms: list[tuple[str, ...]] = []
        self._total_length = 0

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, doc_id: int) -> bool:
        return doc_id in self._slot_of

    def add(self, ids: Sequence[int], texts: Sequence[str]) -> None:
        """Index documents; an id already present is replaced."""
        if len(ids) != len(texts):
            raise ValueError("ids and texts differ in length")
        self.remove([i for i in ids if i in self._slot_of])
        for doc_id, text in zip(ids, texts, strict=True):
            counts = Counter(tokenize(text))
            slot = len(self._ids)
            self._ids.append(doc_id)
            self._slot_of[doc_id] = slot
            length = sum(counts.values())
            self._lengths.values.append(length)
            self._alive.values.append(True)
            self._terms.append(tuple(counts))
            self._total_length += length
            for term, freq in counts.items():
                self._postings.setdefault(term, _Postings()).append(slot, freq)

    def warm(self, min_postings: int = WARM_POSTINGS) -> None:
        """Convert the long columns now (after a bulk build), so that no search pays for them
        later; short postings convert in microseconds when first searched, and most terms are rare."""
        self._lengths.array()
        self._alive.array()
        for postings in self._postings.values():
            if postings.live >= min_postings:
                postings.arrays()

    def remove(self, ids: Iterable[int]) -> None:
        """Forget documents; unknown ids are ignored. Their slots become tombstones."""
        for doc_id in ids:
            slot = self._slot_of.pop(doc_id, None)
            if slot is None:
                continue
            self._alive.set(slot, False)
            self._total_length -= self._lengths.values[slot]
            for term in self._terms[slot]:
                self._postings[term].live -= 1

    def search(self, query: str, k: int, allowed_ids: Collection[int] | None = None) -> list[tuple[int, float]]:
        """The ``k`` best (id, score) pairs with a positive score, best first."""
        terms = set(tokenize(query))
        n_docs = len(self._slot_of)
        if not terms or n_docs == 0 or k <= 0:
            return []
        lengths = self._lengths.array()
        avg_length = max(self._total_length / n_docs, 1e-9)
        scores = np.zeros(len(self._ids), dtype=np.float32)
        for term in terms:
            postings = self._postings.get(term)
            if postings is None or postings.live == 0:
                continue
            idf = math.log(1.0 + (n_docs - postings.live + 0.5) / (postings.live + 0.5))
            slots, freqs = postings.arrays()
            norm = K1 * (1.0 - B + B * lengths[slots] / avg_length)
            scores[slots] += idf * freqs * (K1 + 1.0) / (freqs + norm)
        mask = self._alive.array() & (scores > 0)
        if allowed_ids is not None:
            allowed = np.zeros(len(self._ids), dtype=bool)
            allowed_slots = [self._slot_of[i] for i in allowed_ids if i in self._slot_of]
            allowed[allowed_slots] = True
            mask &= allowed
        candidates = np.flatnonzero(mask)
        if candidates.size == 0:
            return []
        if candidates.size > k:
            top = np.argpartition(-scores[candidates], k - 1)[:k]
            candidates = candidates[top]
        order = candidates[np.argsort(-scores[candidates], kind="stable")]
        return [(self._ids[slot], float(scores[slot])) for slot in order]
