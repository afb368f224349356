"""The forgetting curve: strength decays with time since reinforcement and lasts longer with use."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from memory_service.layers.semantic.index import IndexedMemory
from memory_service.layers.semantic.strength import decayed, strength
from retrieval.config import RECIPES, recipe

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def test_strength_decays_with_time_and_grows_with_reinforcement() -> None:
    assert strength(T0, T0, 0, 30) == 1.0
    assert math.isclose(strength(T0 + timedelta(days=30), T0, 0, 30), math.exp(-1))
    month_later = [strength(T0 + timedelta(days=30), T0, n, 30) for n in range(4)]
    assert month_later == sorted(month_later) and month_later[3] > month_later[0]
    assert strength(T0 + timedelta(days=90), T0, 0, 30) < strength(T0 + timedelta(days=10), T0, 0, 30)
    assert strength(T0, T0 + timedelta(days=1), 0, 30) == 1.0  # reinforced "after" now: fresh


def test_decay_is_off_by_default_and_a_recipe_turns_it_on() -> None:
    assert recipe(None).semantic_decay_weight == 0.0
    assert decayed(0.5, 0.1, 0.0) == 0.5
    assert math.isclose(decayed(0.5, 0.1, 1.0), 0.05)
    assert RECIPES["hybrid_forgetting"].semantic_decay_weight > 0


def test_a_retrieval_restarts_the_clock_and_adds_stability() -> None:
    month_later = T0 + timedelta(days=30)
    never_read = strength(month_later, T0, 0, 30)
    read_a_week_ago = strength(month_later, T0, 0, 30, last_accessed_at=month_later - timedelta(days=7), accesses=1)
    assert read_a_week_ago > never_read
    assert math.isclose(read_a_week_ago, math.exp(-7 / 60))
    # Read before the last reinforcement: the reinforcement stays the anchor, the read still adds stability.
    read_before = strength(month_later, T0, 0, 30, last_accessed_at=T0 - timedelta(days=1), accesses=1)
    assert math.isclose(read_before, math.exp(-30 / 60)) and read_before > never_read
    assert strength(month_later, T0, 1, 30) == read_before  # a retrieval weighs like a reinforcement


def test_the_index_sees_a_retrieval_as_strength() -> None:
    fact = IndexedMemory("active", T0, None, T0, T0, 0, None, 0, (), learned_at=T0)
    later = T0 + timedelta(days=30)
    read = fact.accessed(later - timedelta(days=1)).accessed(later - timedelta(days=20))
    assert (read.accesses, read.accessed_at) == (2, later - timedelta(days=1))
    assert read.strength(later, 30) > fact.strength(later, 30)
