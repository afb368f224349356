"""The order a batch's statements are applied in, with repeats merged.

Within one moment an ending comes before a beginning: "I quit Siemens, now I work at Google"
must end Siemens and then start Google, never start Google and then end the employer it just
set. Statements saying the same thing again (same subject, slot, polarity and sentence) are one
statement citing every episode that said it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from agents.statements.model import Statement


def effective_time(statement: Statement) -> datetime:
    """When a statement takes effect: its start when it holds, its end when it stopped."""
    if statement.holds:
        return statement.valid_from or statement.observed_at
    return statement.ends_at


def merged(statements: Iterable[Statement]) -> list[Statement]:
    """One statement per (subject, attribute, polarity, sentence, graph side): sources joined,
    the highest confidence kept, in first-said order."""
    found: dict[tuple[str, str, str, str, bool], Statement] = {}
    for statement in statements:
        key = (
            statement.subject,
            statement.attribute,
            statement.polarity,
            statement.text.lower(),
            statement.graph_only,
        )
        seen = found.get(key)
        if seen is None:
            found[key] = statement
            continue
        sources = tuple(dict.fromkeys(seen.source_episode_ids + statement.source_episode_ids))
        found[key] = replace(
            seen,
            source_episode_ids=sources,
            confidence=max(seen.confidence, statement.confidence),
            value=seen.value or statement.value,
            predicate=seen.predicate or statement.predicate,
        )
    return list(found.values())


def in_saying_order(statements: Iterable[Statement]) -> tuple[Statement, ...]:
    """Merged statements by the time they take effect, endings before beginnings at one time."""
    return tuple(sorted(merged(statements), key=lambda s: (effective_time(s), s.holds)))
