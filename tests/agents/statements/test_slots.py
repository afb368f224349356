"""The one slot table: both layers read the same single-valued slots."""

from __future__ import annotations

import pytest

from agents.consolidation import is_single_valued as consolidation_single_valued
from agents.statements.slots import FUNCTIONAL_PREDICATES, SLOTS, is_single_valued, slot_for_predicate, slot_of
from graph.validity import DEFAULT_FUNCTIONAL_PREDICATES


def test_the_graphs_own_default_is_the_tables() -> None:
    """The graph library keeps a default for standalone use; it must say what the table says."""
    assert DEFAULT_FUNCTIONAL_PREDICATES == FUNCTIONAL_PREDICATES


def test_every_functional_predicate_fills_a_single_valued_slot() -> None:
    for predicate in FUNCTIONAL_PREDICATES:
        slot = slot_for_predicate(predicate)
        assert slot is not None and is_single_valued(slot.attribute)
        assert consolidation_single_valued(slot.attribute)


@pytest.mark.parametrize(
    ("attribute", "single"),
    [
        ("location", True),
        ("location:home", True),
        ("Employer", True),
        ("diet", True),
        ("relationship:partner", True),
        ("relationship:sister", False),
        ("education:school", True),
        ("education", False),
        ("preference:sushi", False),
        ("pet:dog", False),
        ("possession:car", True),
        ("possession:bike", False),
    ],
)
def test_single_valued_slots(attribute: str, single: bool) -> None:
    assert is_single_valued(attribute) is single


def test_attributes_are_listed_once() -> None:
    attributes = [slot.attribute for slot in SLOTS]
    assert len(attributes) == len(set(attributes))
    assert slot_of("location:home") is slot_of("location")
    assert slot_for_predicate("likes") is None
