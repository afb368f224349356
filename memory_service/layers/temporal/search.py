"""The graph layer's ranking: relation facts of a user's temporal graph answering a query."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from graph.search import Embed
from graph.search import search as search_graph
from memory_service.domain import Layer, SearchHit
from memory_service.layers.base import LayerQuery, QueryVector, SearchPartition
from memory_service.layers.temporal.domain import ENTITY_ID_PREFIX, RELATION_ID_PREFIX, graph_public_id
from memory_service.layers.temporal.service import GraphService, LoadedGraph
from retrieval.embedder import Embedder


class GraphSearcher:
    """Ranks a partition's relations by words, meaning and time; current ones lead unless asked about the past."""

    layer: Layer = "graph"

    def __init__(self, graphs: GraphService, embedder: Embedder) -> None:
        self.graphs = graphs
        self.embedder = embedder

    def search(self, partition: SearchPartition, query: LayerQuery, query_vector: QueryVector) -> list[SearchHit]:
        """Relation facts answering the query, best first, as layer ``graph`` hits.

        Scores are the graph ranking's, in [0, 1], higher is better. ``as_of`` searches the graph
        as it stood at that moment (relations learned by then and true then) and ranks as if
        asked then. Without a query vector (a recipe without dense ranking) facts are matched
        by words only.
        """
        user_pk = partition.partition.user_pk
        request = query.request
        now = request.as_of or query.now
        loaded = self.graphs.loaded_graph(user_pk)
        vector = query_vector.get() if query.config.dense else None
        with loaded.lock:
            embed = self._memo(loaded, query.text, vector) if vector is not None else None
            hits = search_graph(loaded.graph, query.text, now, embed, k=query.depth, as_of=request.as_of)
            return [
                SearchHit(
                    id=graph_public_id(RELATION_ID_PREFIX, user_pk, hit.relation.id),
                    layer="graph",
                    text=hit.text,
                    score=hit.score,
                    valid_at=hit.valid_at,
                    invalid_at=hit.invalid_at,
                    provenance=hit.provenance,
                    metadata={
                        "source": hit.source.name,
                        "predicate": hit.relation.predicate,
                        "target": hit.target.name,
                        "source_id": graph_public_id(ENTITY_ID_PREFIX, user_pk, hit.source.id),
                        "target_id": graph_public_id(ENTITY_ID_PREFIX, user_pk, hit.target.id),
                        "current": hit.current,
                        "created_at": hit.relation.created_at.isoformat(),
                        "expired_at": hit.relation.expired_at.isoformat() if hit.relation.expired_at else None,
                    },
                )
                for hit in hits
            ]

    def _memo(self, loaded: LoadedGraph, query: str, query_vector: np.ndarray) -> Embed:
        """Texts -> unit vectors: the query's as given, facts from the graph's memo or the embedder."""
        asked = {query: np.asarray(query_vector, dtype=np.float32)}

        def embed(texts: Sequence[str]) -> np.ndarray:
            missing = list(dict.fromkeys(t for t in texts if t not in asked and t not in loaded.vectors))
            if missing:
                loaded.vectors.update(zip(missing, self.embedder.embed_batch(missing), strict=True))
            if not texts:
                return np.zeros((0, self.embedder.dim), np.float32)
            rows = [asked[t] if t in asked else loaded.vectors[t] for t in texts]
            return np.stack(rows).astype(np.float32, copy=False)

        return embed
