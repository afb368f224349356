"""Contradiction rules: what a new relation does to the relations already known.

Pure decisions over plain relations, so the rules can be read as a table and tested as one.
A *functional* predicate allows one current target per source (a person lives in one city,
works at one employer); other predicates (likes, visited, friend_of, owns) accumulate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from graph.model import Relation

DEFAULT_FUNCTIONAL_PREDICATES = frozenset(
    {
        "lives_in",
        "works_at",
        "studies_at",
        "job_title",
        "partner_of",
        "married_to",
        "engaged_to",
        "dating",
        "age",
    }
)
"""Predicates whose newer current relation retires the older one with the same source."""

DEFAULT_INSTANT_PREDICATES = frozenset({"visited", "attended", "bought", "met"})
"""Predicates naming dated occurrences: repeats on different days are kept apart."""


@dataclass(frozen=True, slots=True)
class Decision:
    """How to store a new relation.

    ``reinforce``: an existing relation the new one repeats (add provenance, store nothing new);
    ``retire``: current relations that end when the new one starts; ``invalid_at``: set when
    the new relation is about the past and a relation known to be newer already replaced it.
    """

    reinforce: Relation | None = None
    retire: tuple[Relation, ...] = ()
    invalid_at: datetime | None = None


def decide(
    predicate: str,
    target_id: int,
    starts_at: datetime,
    same_source: Iterable[Relation],
    functional: bool,
    instant: bool = False,
) -> Decision:
    """Decide what a new ``predicate -> target_id`` relation, true from ``starts_at``, does
    among the (non-retracted) relations of the same source.

    ``instant`` predicates name dated occurrences (visited, attended): a repeat on another day is
    another occurrence, not a repeat.
    """
    rivals: list[Relation] = []
    for known in same_source:
        if known.predicate != predicate or known.is_retracted:
            continue
        if known.target_id == target_id:
            if instant:
                if known.starts_at.date() == starts_at.date():
                    return Decision(reinforce=known)
            elif known.is_current or known.valid_at_time(starts_at):
                return Decision(reinforce=known)
        if functional and known.is_current and known.target_id != target_id:
            rivals.append(known)
    later = [r for r in rivals if r.starts_at > starts_at]
    if later:
        return Decision(invalid_at=min(r.starts_at for r in later))
    return Decision(retire=tuple(rivals))


def retire(relation: Relation, at: datetime, learned_at: datetime, by: Iterable[str] = ()) -> Relation:
    """The relation ended in the world at ``at``; the service stopped holding it at ``learned_at``,
    told by the episodes ``by``."""
    ended_by = relation.ended_by + tuple(i for i in dict.fromkeys(by) if i not in relation.ended_by)
    return replace(relation, invalid_at=max(at, relation.starts_at), expired_at=learned_at, ended_by=ended_by)


def reinforce(relation: Relation, valid_at: datetime | None, episode_ids: Iterable[str]) -> Relation:
    """A repeat adds its episodes to the provenance and may move a known start earlier."""
    merged = relation.episode_ids + tuple(i for i in dict.fromkeys(episode_ids) if i not in relation.episode_ids)
    starts = [v for v in (relation.valid_at, valid_at) if v is not None]
    return replace(relation, episode_ids=merged, valid_at=min(starts) if starts else None)
