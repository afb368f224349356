"""The forgetting curve of semantic memories (MemoryBank, after Ebbinghaus).

Strength ``R = exp(-t / S)``: ``t`` is the time since the memory was last reinforced (learned,
or said again), ``S`` its stability, ``base_days * (1 + reinforcements)``, so a memory that keeps
coming up fades more slowly. R is in (0, 1]; 1 is freshly reinforced.
"""

from __future__ import annotations

import math
from datetime import datetime

SECONDS_PER_DAY = 86_400.0


def strength(now: datetime, last_reinforced_at: datetime, reinforcements: int, base_days: float) -> float:
    """R in (0, 1]; a reinforcement in the future of ``now`` counts as just now."""
    elapsed_days = max(0.0, (now - last_reinforced_at).total_seconds() / SECONDS_PER_DAY)
    stability = base_days * (1 + max(0, reinforcements))
    return math.exp(-elapsed_days / stability)


def decayed(score: float, memory_strength: float, weight: float) -> float:
    """``score`` with ``weight`` of it scaled by strength: weight 0 leaves it, 1 scales it whole."""
    return score * ((1.0 - weight) + weight * memory_strength)
