"""Hybrid ranking over plain indexes, checked against reciprocal-rank fusion worked by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pytest

from retrieval.config import recipe
from retrieval.hybrid import LexicalRankings, Scope, fused_ranking, lexical_rankings
from retrieval.keys import RoundKeys, TurnRef, unit
from retrieval.lexical import BM25Index
from retrieval.vector_index import FaissFlatIndex, VectorIndex

T = datetime(2024, 5, 1, tzinfo=UTC)
TEXTS = ["any ideas for my trip to Kyoto?", "visit the Fushimi Inari shrine early", "my dog is Pixel", "cute"]
VECTORS = np.stack([unit(np.eye(4, dtype=np.float32)[i]) for i in range(4)])


@dataclass
class _Indexes:
    dense: VectorIndex
    lexical: BM25Index
    rounds: RoundKeys


def _indexes() -> _Indexes:
    """Two rounds: turns 1 (user) + 2 (assistant), and 3 (user) + 4 (assistant)."""
    turns = [TurnRef(pk, 10, "user" if pk % 2 else "assistant", T) for pk in range(1, 5)]
    dense = FaissFlatIndex(4)
    dense.add([1, 2, 3, 4], VECTORS)
    lexical = BM25Index()
    lexical.add([1, 2, 3, 4], TEXTS)
    rounds = RoundKeys(FaissFlatIndex(4))
    rounds.add_turns(turns, TEXTS, VECTORS)
    return _Indexes(dense, lexical, rounds)


def test_dense_and_lexical_turns_fuse_by_weighted_reciprocal_rank() -> None:
    config = recipe("hybrid").model_copy(
        update={"round_weight": 0.0, "dense_weight": 1.0, "lexical_weight": 1.0, "rrf_k": 60}
    )
    indexes = _indexes()
    scope = Scope.of(indexes, None, config)
    lexical = lexical_rankings(indexes, "Kyoto trip", config, 10, scope)
    assert lexical == LexicalRankings([1])
    fused = fused_ranking(indexes, lexical, VECTORS[1], config, 10, scope)
    # dense ranks 2 first (its own vector), then 1, 3, 4 at cosine 0; BM25 ranks only 1.
    dense_order = [pk for pk, _ in indexes.dense.search(VECTORS[1], 10)]
    assert dense_order[0] == 2
    expected = {pk: 1 / (60 + rank) for rank, pk in enumerate(dense_order, start=1)}
    expected[1] += 1 / 61
    assert [pk for pk, _ in fused] == sorted(expected, key=lambda pk: -expected[pk])
    assert dict(fused) == pytest.approx(expected)


def test_a_matching_round_credits_its_opener_and_less_its_reply() -> None:
    config = recipe("hybrid").model_copy(
        update={"dense_weight": 1.0, "lexical_weight": 1.0, "round_weight": 1.0, "round_reply_weight": 0.5}
    )
    indexes = _indexes()
    scope = Scope.of(indexes, None, config)
    # "shrine" is only in turn 2, a reply: its round (anchor 1) matches too.
    lexical = lexical_rankings(indexes, "shrine", config, 10, scope)
    assert lexical == LexicalRankings(turns=[2], rounds=[1])
    fused = dict(fused_ranking(indexes, lexical, None, config, 10, scope))
    k = config.rrf_k
    assert fused == pytest.approx({2: 1 / (k + 1) + 0.5 / (k + 1), 1: 1 / (k + 1)})


def test_the_scope_limits_every_ranking() -> None:
    config = recipe("hybrid").model_copy(update={"round_weight": 1.0})
    indexes = _indexes()
    scope = Scope.of(indexes, {3, 4}, config)
    assert scope.anchors == {3}
    lexical = lexical_rankings(indexes, "Kyoto shrine Pixel", config, 10, scope)
    assert lexical == LexicalRankings(turns=[3], rounds=[3])
    fused = fused_ranking(indexes, lexical, VECTORS[0], config, 10, scope)
    assert {pk for pk, _ in fused} <= {3, 4}
