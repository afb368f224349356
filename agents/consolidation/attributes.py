"""How consolidation compares slots and texts; which slots hold one value is :mod:`agents.statements.slots`.

A person lives in one place, has one job and one diet at a time, so a newer fact about them
replaces the current one; they may like many foods and keep many pets, so such facts add up.
The graph reads the same table, so both layers agree on which values replace each other.
"""

from __future__ import annotations

import re

from agents.statements.slots import family, is_single_valued

__all__ = ["family", "is_single_valued", "normalized", "same_slot"]

_WORDS = re.compile(r"[a-z0-9]+")


def same_slot(subject_a: str, attribute_a: str, subject_b: str, attribute_b: str) -> bool:
    """Two facts fill the same slot: same subject and same attribute, ignoring case."""
    return subject_a.lower() == subject_b.lower() and attribute_a.lower() == attribute_b.lower()


def normalized(text: str) -> str:
    """Lower-case words only: "User lives in Madrid." and "user lives in madrid" are equal."""
    return " ".join(_WORDS.findall(text.lower()))
