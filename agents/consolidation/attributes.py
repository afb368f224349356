"""Which attributes hold one value at a time, and how texts are compared.

A person lives in one place, has one job and one diet at a time, so a newer fact about them
replaces the current one; they may like many foods and keep many pets, so such facts add up.
"""

from __future__ import annotations

import re

SINGLE_VALUED_FAMILIES = frozenset(
    {
        "location",
        "residence",
        "home",
        "job",
        "occupation",
        "employer",
        "diet",
        "relationship_status",
        "marital_status",
        "age",
        "name",
    }
)
SINGLE_VALUED_ATTRIBUTES = frozenset({"relationship:partner", "relationship:spouse"})
_WORDS = re.compile(r"[a-z0-9]+")


def family(attribute: str) -> str:
    """The part of an attribute before its first colon: ``pet:dog`` -> ``pet``."""
    return attribute.split(":", 1)[0].strip().lower()


def is_single_valued(attribute: str) -> bool:
    return attribute.lower() in SINGLE_VALUED_ATTRIBUTES or family(attribute) in SINGLE_VALUED_FAMILIES


def same_slot(subject_a: str, attribute_a: str, subject_b: str, attribute_b: str) -> bool:
    """Two facts fill the same slot: same subject and same attribute, ignoring case."""
    return subject_a.lower() == subject_b.lower() and attribute_a.lower() == attribute_b.lower()


def normalized(text: str) -> str:
    """Lower-case words only: "User lives in Madrid." and "user lives in madrid" are equal."""
    return " ".join(_WORDS.findall(text.lower()))
