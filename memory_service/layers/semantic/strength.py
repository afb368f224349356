"""The forgetting curve of semantic memories (MemoryBank, after Ebbinghaus).

Strength ``R = exp(-t / S)``: ``t`` is the time since the memory was last reinforced (learned,
said again, or retrieved), ``S`` its stability, ``base_days * (1 + reinforcements + accesses)``,
so a memory that keeps coming up, in conversation or in answers, fades more slowly. R is in
(0, 1]; 1 is freshly reinforced.
"""

from __future__ import annotations

import math
from datetime import datetime

SECONDS_PER_DAY = 86_400.0


def strength(
    now: datetime,
    last_reinforced_at: datetime,
    reinforcements: int,
    base_days: float,
    *,
    last_accessed_at: datetime | None = None,
    accesses: int = 0,
) -> float:
    """R in (0, 1]; ``base_days`` is the stability, in days, of a memory never reinforced.

    A retrieval counts as a reinforcement, as recall does in MemoryBank: the clock restarts at
    the later of the last reinforcement and the last access, and each of both adds one unit of
    stability. A reinforcement in the future of ``now`` counts as just now.
    """
    anchor = last_reinforced_at if last_accessed_at is None else max(last_reinforced_at, last_accessed_at)
    elapsed_days = max(0.0, (now - anchor).total_seconds() / SECONDS_PER_DAY)
    stability = base_days * (1 + max(0, reinforcements) + max(0, accesses))
    return math.exp(-elapsed_days / stability)


def decayed(score: float, memory_strength: float, weight: float) -> float:
    """``score`` with ``weight`` of it scaled by strength: weight 0 leaves it, 1 scales it whole."""
    return score * ((1.0 - weight) + weight * memory_strength)
