"""Graph relations for life changes: new and ended employers and homes, sales, pets named after
the fact, break-ups and retirement.

Kept apart from :mod:`agents.graph_extraction.rules` so that module stays the reader of states;
each reader here gets the sentence's ``relate`` and ``named`` helpers and applies its patterns.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

from agents.graph_extraction import patterns as p
from graph.model import EntityType


class Relate(Protocol):
    """How a reader records one relation (see ``rules._relate``)."""

    def __call__(
        self, predicate: str, target: str | None, kind: EntityType, fact: str, *, ended: bool = False
    ) -> None: ...


Named = Callable[[re.Match[str], str], str | None]


def read_changes(text: str, who: str, on: str, relate: Relate, named: Named) -> None:
    """Apply the change patterns to one statement sentence said by ``who`` (``on``: " on 7 May 2023" or "")."""
    for m in p.SWITCH_JOB.finditer(text):
        if (new := named(m, "name")) is not None:
            relate("works_at", new, "organization", f"{who} started working at {new}{on}.")
            old = named(m, "old")
            if old and m.group(0).split()[1].lower() == "left":  # "quit X" is read by the QUIT pattern
                relate("works_at", old, "organization", f"{who} left {old}{on}.", ended=True)
    for m in p.EMPLOYED.finditer(text):
        if org := named(m, "name"):
            relate("works_at", org, "organization", f"{who} works at {org}.")
    for m in p.MOVE_FROM.finditer(text):
        old, new = named(m, "old"), named(m, "name")
        if old and new:
            relate("lives_in", old, "place", f"{who} moved away from {old}{on}.", ended=True)
            relate("lives_in", new, "place", f"{who} moved to {new}{on}.")
    for pattern in p.MOVE_AWAY:
        for m in pattern.finditer(text):
            if place := named(m, "name" if m.group("name") else "there"):
                relate("lives_in", place, "place", f"{who} no longer lives in {place}.", ended=True)
    for m in p.LEFT_FOR_HOME.finditer(text):
        if place := named(m, "name"):
            relate("lives_in", place, "place", f"{who} moved to {place}{on}.")
    for m in p.SOLD.finditer(text):
        if thing := named(m, "name"):
            relate("owns", thing, "thing", f"{who} sold {thing}{on}.", ended=True)
    for m in p.PET_NAME_AFTER.finditer(text):
        if pet := named(m, "name"):
            kind = m.group("kind").lower()
            relate("owns", pet, "other", f"{who} has a {kind} named {pet}.")
    for m in p.BOUGHT_AFTER_SALE.finditer(text):
        if thing := named(m, "name"):
            relate("bought", thing, "thing", f"{who} bought {thing}{on}.")
    for m in p.BROKE_UP.finditer(text):
        divorced = m.group("how").lower() == "divorced"
        partner = named(m, "name") if m.group("name") else None
        predicate = "married_to" if divorced else "partner_of"
        what = "got divorced" if divorced else "broke up"
        relate(predicate, partner, "person", f"{who} {what}{f' with {partner}' if partner else ''}{on}.", ended=True)
    for _ in p.RETIRED.finditer(text):
        relate("works_at", None, "organization", f"{who} retired{on}.", ended=True)
        break
