"""Post-fusion adjustments, by hand-computed cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from pydantic import ValidationError

from retrieval import rerank
from retrieval.config import DEFAULT_RECIPE, RECIPES, RecipeError, SearchConfig, UnknownRecipeError, recipe

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def test_boost_multiplies_only_inside_the_half_open_window() -> None:
    moments = {1: NOW - timedelta(days=10), 2: NOW - timedelta(days=1), 3: NOW}
    boosted = rerank.boost_in_window([(1, 1.0), (2, 0.8), (3, 0.7)], moments, NOW - timedelta(days=2), NOW, 0.5)
    assert boosted == [(2, pytest.approx(1.2)), (1, 1.0), (3, 0.7)]


def test_recency_blend_halves_per_half_life() -> None:
    moments = {1: NOW - timedelta(days=30), 2: NOW}
    blended = dict(rerank.blend_recency([(1, 1.0), (2, 0.5)], moments, NOW, 0.5, 30.0))
    assert blended[1] == pytest.approx(0.5 * 1.0 + 0.5 * 0.5)
    assert blended[2] == pytest.approx(0.5 * 0.5 + 0.5 * 1.0)
    assert rerank.blend_recency([(1, 1.0)], moments, NOW, 0.0, 30.0) == [(1, 1.0)]


def test_mmr_picks_the_relevant_item_then_the_different_one() -> None:
    vectors = {1: [1.0, 0.0], 2: [1.0, 0.0], 3: [0.0, 1.0]}

    def vector_of(ids: list[int]) -> np.ndarray:
        return np.array([vectors[i] for i in ids], dtype=np.float32)

    picked = rerank.maximal_marginal_relevance([(1, 1.0), (2, 0.9), (3, 0.5)], vector_of, 0.5, 2)
    assert [pk for pk, _ in picked] == [1, 3]
    assert rerank.maximal_marginal_relevance([(1, 1.0), (2, 0.9)], vector_of, 1.0, 2)[1][0] == 2


def test_groups_score_best_plus_decayed_rest() -> None:
    scored = [(1, 1.0), (2, 0.9), (3, 0.8), (4, 0.5), (5, 0.4)]
    groups = rerank.aggregate_groups(scored, {1: "a", 2: "b", 3: "b", 4: "b", 5: None}, 0.5)  # type: ignore[dict-item]
    assert [(g.key, g.members) for g in groups] == [("b", (2, 3, 4)), ("a", (1,))]
    assert groups[0].score == pytest.approx(0.9 + 0.4 + 0.125)
    max_pooled = rerank.aggregate_groups(scored, {1: "a", 2: "b", 3: "b"}, 0.0)
    assert [g.key for g in max_pooled] == ["a", "b"]


def test_recipes_are_data_and_unknown_names_fail() -> None:
    assert recipe(None) is RECIPES[DEFAULT_RECIPE]
    assert recipe("bm25").rankings() == ("lexical",)
    with pytest.raises(UnknownRecipeError):
        recipe("nope")
    with pytest.raises(ValidationError):
        SearchConfig(name="x", rrf_k=0)


def test_a_recipe_variant_changes_only_the_settings_it_names() -> None:
    variant = recipe("hybrid:short_turn_terms=12, answer_weight=0.25")
    base = RECIPES["hybrid"]
    assert (variant.short_turn_terms, variant.answer_weight) == (12, 0.25)
    assert variant.model_dump(exclude={"name", "short_turn_terms", "answer_weight"}) == base.model_dump(
        exclude={"name", "short_turn_terms", "answer_weight"}
    )
    assert recipe("hybrid:short_turn_terms=12, answer_weight=0.25") is variant  # parsed once
    for bad, message in [
        ("nope:rrf_k=5", "unknown search recipe 'nope'"),
        ("hybrid:rrf_k", "not setting=value"),
        ("hybrid:name=other", "not setting=value"),
        ("hybrid:rrf_k=0", "rrf_k: Input should be greater than or equal to 1"),
    ]:
        with pytest.raises(RecipeError, match=message):
            recipe(bad)
    with pytest.raises(ValidationError):
        SearchConfig(name="x", surprise=True)  # type: ignore[call-arg]


def test_role_weights_scale_only_the_named_roles_and_reorder() -> None:
    scored = [(1, 1.0), (2, 0.8), (3, 0.5)]
    roles = {1: "assistant", 2: "user", 3: "person"}
    assert rerank.weight_by_role(scored, roles, {"assistant": 0.5}) == [(2, 0.8), (1, 0.5), (3, 0.5)]
    assert rerank.weight_by_role(scored, roles, {}) == scored


def test_length_weight_scales_only_turns_shorter_than_full_terms() -> None:
    weighted = rerank.weight_by_length([(1, 1.0), (2, 0.9), (3, 0.8)], {1: 2, 2: 20, 3: 40}, 8)
    assert weighted == [(2, 0.9), (3, 0.8), (1, pytest.approx(0.25))]
    assert rerank.weight_by_length([(1, 1.0)], {1: 2}, 0) == [(1, 1.0)]
