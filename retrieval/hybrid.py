"""Hybrid ranking of a partition's turns: dense and BM25 over single turns and round keys, fused.

Each ranking a recipe turns on is taken ``depth`` deep and fused by weighted reciprocal rank.
The lexical rankings are computed apart (:func:`lexical_rankings`) so a caller can run them
while the query is still being embedded, then hand them to :func:`fused_ranking`.

Callers hold whatever lock guards the indexes while either function runs.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from retrieval.config import SearchConfig
from retrieval.fusion import reciprocal_rank_fusion
from retrieval.keys import RoundKeys
from retrieval.lexical import BM25Index
from retrieval.vector_index import VectorIndex


class TurnIndexes(Protocol):
    """The indexes of one partition's turns that a hybrid ranking reads (read at use: a write
    may replace ``dense`` with a grown index between the lexical and the fused ranking)."""

    dense: VectorIndex
    lexical: BM25Index
    rounds: RoundKeys


@dataclass(frozen=True)
class Scope:
    """The turns a search may return (None: all) and the round keys holding at least one."""

    turns: Collection[int] | None
    anchors: set[int] | None

    @classmethod
    def of(cls, indexes: TurnIndexes, allowed: Collection[int] | None, config: SearchConfig) -> Scope:
        uses_rounds = config.round_weight > 0
        return cls(allowed, indexes.rounds.allowed_anchors(allowed) if uses_rounds else None)


@dataclass(frozen=True)
class LexicalRankings:
    """BM25 rankings of single turns (turn ids) and of round keys (anchor ids), best first."""

    turns: list[int] = field(default_factory=list)
    rounds: list[int] = field(default_factory=list)


def lexical_rankings(
    indexes: TurnIndexes, text: str, config: SearchConfig, depth: int, scope: Scope
) -> LexicalRankings:
    """The BM25 rankings ``config`` asks for, within ``scope``."""
    if not config.lexical:
        return LexicalRankings()
    turns = [pk for pk, _ in indexes.lexical.search(text, depth, scope.turns)]
    if config.round_weight <= 0:
        return LexicalRankings(turns)
    return LexicalRankings(turns, [anchor for anchor, _ in indexes.rounds.lexical.search(text, depth, scope.anchors)])


def fused_ranking(
    indexes: TurnIndexes,
    lexical: LexicalRankings,
    query_vector: np.ndarray | None,
    config: SearchConfig,
    depth: int,
    scope: Scope,
) -> list[tuple[int, float]]:
    """Turn ids with their fused scores (higher is better), best first.

    A matching round credits its opening turn with the round's rank at ``round_weight`` and
    its replies at ``round_weight * round_reply_weight``.
    """
    rankings: list[list[int]] = []
    weights: list[float] = []
    if query_vector is not None:
        rankings.append([pk for pk, _ in indexes.dense.search(query_vector, depth, scope.turns)])
        weights.append(config.dense_weight)
    if config.lexical:
        rankings.append(lexical.turns)
        weights.append(config.lexical_weight)
    if config.round_weight > 0:
        rounds = indexes.rounds
        ranked_rounds: list[tuple[list[int], float]] = []
        if query_vector is not None:
            dense = [anchor for anchor, _ in rounds.dense.search(query_vector, depth, scope.anchors)]
            ranked_rounds.append((dense, config.dense_weight))
        if config.lexical:
            ranked_rounds.append((lexical.rounds, config.lexical_weight))
        for ranked, weight in ranked_rounds:
            openers, replies = rounds.expand(ranked, scope.turns)
            rankings += [openers, replies]
            weights += [weight * config.round_weight, weight * config.round_weight * config.round_reply_weight]
    return reciprocal_rank_fusion(rankings, weights, k=config.rrf_k)
