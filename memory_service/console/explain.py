"""Why a fused search ranked its hits as it did: each hit's rank in its own layer and what that rank
added to the fused score.

Pure: the layers' rankings, the recipe's weights and ``rrf_k`` in; rows out. The fused score is
``sum over layers of weight / (rrf_k + rank)`` (ranks 1-based), the same reciprocal-rank fusion the
search runs, so the contributions of a row add up to its fused score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from memory_service.domain import Layer, SearchHit


@dataclass(frozen=True)
class Contribution:
    layer: Layer
    rank: int
    weight: float
    share: float
    """``weight / (rrf_k + rank)``: what this layer's rank adds to the fused score."""


@dataclass(frozen=True)
class ExplainedHit:
    hit: SearchHit
    fused_rank: int
    contributions: tuple[Contribution, ...]

    @property
    def explained_score(self) -> float:
        return sum(c.share for c in self.contributions)


def layer_weights(semantic_weight: float, graph_weight: float) -> dict[Layer, float]:
    """The weight of each layer's ranking in the fusion: episodic is the unit the others are set against."""
    return {"episodic": 1.0, "semantic": semantic_weight, "graph": graph_weight}


def explain(
    fused: Sequence[SearchHit],
    rankings: Mapping[Layer, Sequence[SearchHit]],
    weights: Mapping[Layer, float],
    rrf_k: int,
) -> list[ExplainedHit]:
    """Each fused hit with its rank in every layer that found it and that rank's share of its score."""
    ranks = {layer: {hit.id: rank for rank, hit in enumerate(hits, start=1)} for layer, hits in rankings.items()}
    explained = []
    for position, hit in enumerate(fused, start=1):
        rank = ranks.get(hit.layer, {}).get(hit.id)
        shares = (
            (Contribution(hit.layer, rank, weights[hit.layer], weights[hit.layer] / (rrf_k + rank)),)
            if rank is not None
            else ()
        )
        explained.append(ExplainedHit(hit, position, shares))
    return explained
