"""The contract every memory layer keeps with the search: one partition, one query, one vector.

The search (``memory_service/search.py``) reads the user once, starts embedding the query once,
and hands each asked layer the same three things; a layer ranks its own partition and returns
hits, best first. A new layer implements :class:`LayerSearcher` and is registered in the runtime;
nothing else changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import numpy as np
from sqlalchemy.orm import Session

from memory_service.domain import Layer, SearchHit, SearchQuery
from memory_service.store.partitions import Partition
from retrieval.batching import QUERY_TIMEOUT_S
from retrieval.config import SearchConfig


@dataclass(frozen=True)
class SearchPartition:
    """Whose memories a search reads, as the store had them when the search began."""

    partition: Partition
    revision: int
    """The user's episodic revision: an index older than this is brought up to date first."""


@dataclass(frozen=True)
class LayerQuery:
    """A search as every layer reads it: the caller's request with its recipe and moment resolved."""

    request: SearchQuery
    config: SearchConfig
    now: datetime
    """The moment relative phrases are read from (``request.now``, else the time of the search)."""

    @property
    def text(self) -> str:
        return self.request.query

    @property
    def depth(self) -> int:
        """Candidates a layer hands to the fusion of layers: the recipe's, or top_k when larger."""
        return max(self.config.candidates, self.request.top_k)


class QueryVector:
    """The query's embedding, computed once while the layers start on their lexical work.

    ``get`` waits for it on first use; ``None`` when the recipe ranks by words only.
    """

    def __init__(self, pending: Future[np.ndarray] | None) -> None:
        self._pending = pending
        self._vector: np.ndarray | None = None

    def get(self) -> np.ndarray | None:
        if self._vector is None and self._pending is not None:
            self._vector = self._pending.result(timeout=QUERY_TIMEOUT_S)
        return self._vector

    def cancel(self) -> None:
        if self._pending is not None:
            self._pending.cancel()


class LayerSearcher(Protocol):
    """One layer's ranking of one partition."""

    layer: Layer

    def search(self, partition: SearchPartition, query: LayerQuery, query_vector: QueryVector) -> list[SearchHit]:
        """The partition's memories answering ``query``, best first; scores higher is better."""
        ...


class FactSource(Protocol):
    """What the episodic layer's fact-augmented round keys read of the semantic layer."""

    def revision(self, db: Session, user_pk: int) -> int:
        """The user's semantic revision: round keys holding older facts are re-keyed."""
        ...

    def current_facts(self, db: Session, user_pk: int) -> Sequence[tuple[str, Sequence[str]]]:
        """(text, source episode ids) of each currently valid fact of the user."""
        ...
