"""The one table of slots: which attribute a graph predicate fills, and which hold one value at a time.

A person lives in one place, works for one employer and has one diet at a time, so a newer
value replaces the current one, in the semantic layer (consolidation) and in the graph
(functional predicates) alike; likes, pets and visits add up. Both layers read this table, so
they agree on what "current" means for every slot.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.model import EntityType


@dataclass(frozen=True, slots=True)
class Slot:
    """An attribute (``family`` or ``family:detail``), the predicate that states it as a graph
    relation (None: the graph has no relation for it), and whether it holds one value at a time."""

    attribute: str
    predicate: str | None
    single_valued: bool
    value_type: EntityType = "other"


SLOTS: tuple[Slot, ...] = (
    Slot("location", "lives_in", True, "place"),
    Slot("employer", "works_at", True, "organization"),
    Slot("job", "job_title", True, "thing"),
    Slot("education:school", "studies_at", True, "organization"),
    Slot("relationship:partner", "partner_of", True, "person"),
    Slot("relationship:spouse", "married_to", True, "person"),
    Slot("relationship:fiance", "engaged_to", True, "person"),
    Slot("relationship:dating", "dating", True, "person"),
    Slot("age", "age", True),
    Slot("origin", "comes_from", False, "place"),
    Slot("diet", None, True),
    Slot("possession:car", None, True),  # the car one drives: "sold my Civic, bought a Tesla" replaces it
    Slot("name", None, True),
    Slot("residence", None, True),
    Slot("home", None, True),
    Slot("occupation", None, True),
    Slot("relationship_status", None, True),
    Slot("marital_status", None, True),
)

_BY_ATTRIBUTE = {slot.attribute: slot for slot in SLOTS}
_BY_PREDICATE = {slot.predicate: slot for slot in SLOTS if slot.predicate}

FUNCTIONAL_PREDICATES = frozenset(slot.predicate for slot in SLOTS if slot.single_valued and slot.predicate)
"""Graph predicates allowing one current target per source: the single-valued slots' predicates."""


def family(attribute: str) -> str:
    """The part of an attribute before its first colon: ``pet:dog`` -> ``pet``."""
    return attribute.split(":", 1)[0].strip().lower()


def slot_of(attribute: str) -> Slot | None:
    """The slot an attribute fills: itself when listed, else its family's, else None."""
    key = attribute.strip().lower()
    return _BY_ATTRIBUTE.get(key) or _BY_ATTRIBUTE.get(family(key))


def is_single_valued(attribute: str) -> bool:
    slot = slot_of(attribute)
    return slot is not None and slot.single_valued


def slot_for_predicate(predicate: str) -> Slot | None:
    return _BY_PREDICATE.get(predicate)
