"""The two views of one batch of statements: candidate facts for the semantic layer, and
entities and relations for the graph.

Both are read off the same statements, so a value the graph holds as current is a fact the
semantic layer holds as current, and an ending ends both.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.extraction.models import CandidateFact
from agents.statements.model import Statement, StatementBatch
from graph.candidates import EntityCandidate, RelationCandidate
from graph.names import normalize_name


@dataclass(frozen=True, slots=True)
class GraphView:
    """What the graph stores from a batch: entities by name and relations between names."""

    entities: tuple[EntityCandidate, ...] = ()
    relations: tuple[RelationCandidate, ...] = ()


def as_fact(statement: Statement) -> CandidateFact:
    """A statement as the semantic layer's candidate: a statement that does not hold is a negated
    fact dated when it stopped."""
    holds = statement.holds
    return CandidateFact(
        subject=statement.subject,
        attribute=statement.attribute,
        statement=statement.text,
        kind=statement.kind,
        valid_at=statement.valid_from if holds else statement.ends_at,
        negated=not holds,
        confidence=statement.confidence,
        source_episode_ids=statement.source_episode_ids,
        value=statement.value,
    )


def facts_view(batch: StatementBatch) -> tuple[CandidateFact, ...]:
    """Every statement the semantic layer keeps, in the batch's order."""
    return tuple(as_fact(s) for s in batch.statements if not s.graph_only)


def as_relation(statement: Statement) -> RelationCandidate | None:
    """A statement as a graph relation, None when it names no predicate (or no value to hold)."""
    if statement.predicate is None or (statement.holds and statement.value is None):
        return None
    source, target = statement.subject, statement.value
    if statement.inverse and target is not None:
        source, target = target, source
    holds = statement.holds
    return RelationCandidate(
        source=source,
        predicate=statement.predicate,
        target=target,
        fact=statement.text,
        observed_at=statement.observed_at,
        valid_at=statement.valid_from if holds else None,
        invalid_at=statement.valid_until if holds else statement.ends_at,
        ended=not holds,
        episode_ids=statement.source_episode_ids,
    )


def graph_view(batch: StatementBatch) -> GraphView:
    """The batch's entities (each statement's value among them, typed) and its relations."""
    entities = {normalize_name(e.name): e for e in batch.entities}
    relations = []
    for statement in batch.statements:
        relation = as_relation(statement)
        if relation is None:
            continue
        relations.append(relation)
        if normalize_name(statement.subject) not in entities:
            entities[normalize_name(statement.subject)] = EntityCandidate(
                statement.subject, "person", episode_ids=statement.source_episode_ids
            )
        value = statement.value
        if value is not None and normalize_name(value) not in entities:
            entities[normalize_name(value)] = EntityCandidate(
                value, statement.value_type, episode_ids=statement.source_episode_ids
            )
    return GraphView(tuple(entities.values()), tuple(relations))
