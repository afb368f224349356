"""SearchService: one search over the asked layers. It embeds the query once, reads the user once,
asks each layer through the same contract (:class:`~memory_service.layers.base.LayerSearcher`)
and fuses their rankings by weighted reciprocal rank."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from memory_service.domain import Layer, SearchHit, SearchQuery
from memory_service.errors import InvalidInputError
from memory_service.layers.base import LayerQuery, LayerSearcher, QueryVector, SearchPartition
from memory_service.store import partitions as partition_store
from memory_service.store.database import Database
from memory_service.store.partitions import Partition
from retrieval.batching import EmbeddingBatcher
from retrieval.config import RecipeError, SearchConfig, recipe
from retrieval.embedder import Embedder
from retrieval.fusion import reciprocal_rank_fusion

SUPPORTED_LAYERS: tuple[Layer, ...] = ("episodic", "semantic", "graph")

Retrievals = Callable[[int, Sequence[SearchHit], datetime, datetime | None], None]
"""Told which hits a caller got (user pk, hits, now, as_of): retrieval reinforces memories."""


class SearchService:
    """Answers ``POST /v1/search``: the user's memories in the asked layers, fused, best first."""

    def __init__(
        self,
        db: Database,
        query_embedder: Embedder,
        layers: Sequence[LayerSearcher],
        *,
        query_batch_size: int = 64,
        on_retrieved: Retrievals | None = None,
    ) -> None:
        self.db = db
        # Concurrent searches share forward passes (on a faster runtime where one is faithful).
        self.queries = EmbeddingBatcher(query_embedder, max_batch=query_batch_size, name="query-batcher")
        self.layers: Mapping[Layer, LayerSearcher] = {searcher.layer: searcher for searcher in layers}
        self._on_retrieved = on_retrieved

    def close(self) -> None:
        self.queries.close()

    def search(self, namespace: str, query: SearchQuery) -> list[SearchHit]:
        """Rank the user's memories in the asked layers; several layers are fused by reciprocal rank."""
        self._check_layers(query)
        config = _recipe(query.recipe)
        now = query.now or datetime.now(UTC)
        # Embedded while the store is read and the lexical rankings run (the worker releases the GIL).
        vector = QueryVector(self.queries.submit(query.query) if config.dense else None)
        with self.db.read() as db:
            user = partition_store.find_named_user(db, namespace, query.user_id)
            if user is None:
                vector.cancel()
                return []
            partition = SearchPartition(Partition(user.namespace_id, user.id), user.revision)
        asked = LayerQuery(query, config, now)
        weights: dict[Layer, float] = {
            "episodic": 1.0,
            "semantic": config.semantic_weight,
            "graph": config.graph_weight,
        }
        ranked = [
            (self.layers[layer].search(partition, asked, vector), weights[layer])
            for layer in SUPPORTED_LAYERS
            if layer in query.layers
        ]
        hits = ranked[0][0][: query.top_k] if len(ranked) == 1 else fuse_layers(ranked, config.rrf_k)[: query.top_k]
        if self._on_retrieved is not None and query.reinforce:
            self._on_retrieved(partition.partition.user_pk, hits, now, query.as_of)
        return hits

    def _check_layers(self, query: SearchQuery) -> None:
        available = tuple(layer for layer in SUPPORTED_LAYERS if layer in self.layers)
        unsupported = [layer for layer in query.layers if layer not in available]
        if unsupported:
            raise InvalidInputError(
                f"layer(s) {', '.join(unsupported)} are not available on this server; "
                f"available: {', '.join(available)}",
                details={"layers": unsupported},
            )


def fuse_layers(ranked: Sequence[tuple[Sequence[SearchHit], float]], k: int) -> list[SearchHit]:
    """One ranking from each layer's, by weighted reciprocal rank; scores become the fused ones."""
    by_key = {(hit.layer, hit.id): hit for hits, _ in ranked for hit in hits}
    fused = reciprocal_rank_fusion(
        [[(hit.layer, hit.id) for hit in hits] for hits, _ in ranked], [weight for _, weight in ranked], k=k
    )
    return [replace(by_key[key], score=score) for key, score in fused]


def _recipe(name: str | None) -> SearchConfig:
    try:
        return recipe(name)
    except RecipeError as error:
        raise InvalidInputError(str(error), details={"recipe": name}) from None
