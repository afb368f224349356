"""Rank fusion: combine ranked lists from different retrievers into one ranking."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

Key = TypeVar("Key", bound=Hashable)

RRF_K = 60


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[Key]],
    weights: Sequence[float] | None = None,
    k: int = RRF_K,
) -> list[tuple[Key, float]]:
    """Reciprocal-rank fusion (Cormack et al., 2009): score(d) = sum_i w_i / (k + rank_i(d)).

    Ranks are 1-based; a list that misses an item contributes nothing for it. Returns (item,
    score) pairs, best first; ties keep the order in which items were first seen. Scores are
    in (0, sum(weights) / (k + 1)]; higher is better.
    """
    if weights is None:
        weights = [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking is needed")
    scores: dict[Key, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: pair[1], reverse=True)
