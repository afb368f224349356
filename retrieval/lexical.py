"""Incremental BM25 over an in-memory inverted index.

Episodes arrive one batch at a time and searches interleave with writes, so the index must
take additions and deletions without a rebuild (a library that re-indexes everything, such as
bm25s, needs ~5 s for 100k documents on this class of machine). Postings are kept per term as
growing arrays; scoring is vectorized with NumPy over the postings of the query's terms only.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from retrieval.tokenize import tokenize

K1 = 1.2
B = 0.75
WARM_POSTINGS = 256
"""Postings at least this long are converted to arrays when an index is built in bulk."""


class _Column:
    """A NumPy array and the values appended since it was last read: appends are list appends
    (fast), and a read converts only that tail (a common term's postings run to tens of
    thousands at 100k documents; a search after a write must not convert them all again)."""

    def __init__(self, dtype: type) -> None:
        self._dtype = dtype
        self._array: np.ndarray = np.zeros(0, dtype=dtype)
        self._tail: list[Any] = []

    def __len__(self) -> int:
        return len(self._array) + len(self._tail)

    def append(self, value: Any) -> None:
        self._tail.append(value)

    def extend(self, values: Iterable[Any]) -> None:
        self._tail.extend(values)

    def array(self) -> np.ndarray:
        if self._tail:
            self._array = np.concatenate([self._array, np.asarray(self._tail, dtype=self._dtype)])
            self._tail = []
        return self._array

    def get(self, index: int) -> Any:
        converted = len(self._array)
        return self._array[index] if index < converted else self._tail[index - converted]

    def set(self, index: int, value: Any) -> None:
        converted = len(self._array)
        if index < converted:
            self._array[index] = value
        else:
            self._tail[index - converted] = value


@dataclass
class _Postings:
    slots: _Column = field(default_factory=lambda: _Column(np.int64))
    freqs: _Column = field(default_factory=lambda: _Column(np.float32))
    live: int = 0

    def extend(self, slots: list[int], freqs: list[int]) -> None:
        self.slots.extend(slots)
        self.freqs.extend(freqs)
        self.live += len(slots)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return self.slots.array(), self.freqs.array()


def term_counts(text: str) -> Counter[str]:
    """How often each term occurs in ``text``: what the index keeps of a document."""
    return Counter(tokenize(text))


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

    def terms_in(self, doc_id: int) -> int:
        """How many terms (stopwords out, repeats counted) a document was indexed with; 0 if unknown."""
        slot = self._slot_of.get(doc_id)
        return 0 if slot is None else int(self._lengths.get(slot))

    def add(self, ids: Sequence[int], texts: Sequence[str]) -> None:
        """Index documents; an id already present is replaced."""
        if len(ids) != len(texts):
            raise ValueError("ids and texts differ in length")
        self.add_counts(ids, [term_counts(text) for text in texts])

    def add_counts(self, ids: Sequence[int], counts: Sequence[Mapping[str, int]]) -> None:
        """Index documents given as term counts (of :func:`term_counts`), for a caller that has
        them already: round keys sum their turns' counts rather than tokenizing the text twice."""
        if len(ids) != len(counts):
            raise ValueError("ids and counts differ in length")
        self.remove([i for i in ids if i in self._slot_of])
        # Postings are gathered per term first: one list extend per term, not one per posting.
        gathered: dict[str, tuple[list[int], list[int]]] = {}
        for doc_id, doc in zip(ids, counts, strict=True):
            slot = len(self._ids)
            self._ids.append(doc_id)
            self._slot_of[doc_id] = slot
            length = sum(doc.values())
            self._lengths.append(length)
            self._alive.append(True)
            self._terms.append(tuple(doc))
            self._total_length += length
            for term, freq in doc.items():
                entry = gathered.get(term)
                if entry is None:
                    gathered[term] = ([slot], [freq])
                else:
                    entry[0].append(slot)
                    entry[1].append(freq)
        for term, (slots, freqs) in gathered.items():
            postings = self._postings.get(term)
            if postings is None:
                postings = self._postings[term] = _Postings()
            postings.extend(slots, freqs)

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
            self._total_length -= int(self._lengths.get(slot))
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
