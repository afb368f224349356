"""The forgetting curve: strength decays with time since reinforcement and lasts longer with use."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from memory_service.services.forgetting import decayed, strength
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
