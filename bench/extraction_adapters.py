"""How each extractor's output is read by the extraction benchmark: one adapter per extractor.

``facts`` and ``graph`` score the two rule tables alone; ``statements`` scores every statement the
service's one reading of a turn makes, and ``semantic`` the part of it the semantic layer keeps
(its facts view). An adapter turns an extractor's output into :class:`Predicted` values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from agents.extraction import CandidateFact, EpisodeText, RuleBasedExtractor, speaker_subject
from agents.graph_extraction.rules import RuleGraphExtractor
from agents.statements import RuleStatementExtractor, Statement, facts_view


@dataclass(frozen=True, slots=True)
class Predicted:
    """An extractor's statement in the form the scorer compares."""

    subject: str
    attribute: str
    polarity: str
    text: str
    valid_from: datetime | None = None
    valid_until: datetime | None = None


Adapter = Callable[[Sequence[EpisodeText]], list[Predicted]]


GRAPH_FAMILIES = {
    "lives_in": "location",
    "works_at": "employer",
    "job_title": "job",
    "studies_at": "education",
    "comes_from": "origin",
    "owns": "possession",
    "likes": "preference",
    "visited": "event",
    "attended": "event",
    "bought": "event",
}
"""Graph predicates and the fact family each stands for; relative predicates are below."""

RELATIVE_PREDICATES = frozenset({"married_to", "partner_of", "engaged_to"})
RELATIVE_SUFFIX = "_of"


def _fact(fact: CandidateFact) -> Predicted:
    """A candidate fact as the scorer reads it: negated facts are "stopped" (the scorer reads a
    stopped fact's ``valid_from`` as when it ended), its value said after its sentence."""
    return Predicted(
        subject=fact.subject,
        attribute=fact.attribute,
        polarity="stopped" if fact.negated else "holds",
        text=fact.statement if not fact.value else f"{fact.statement} {fact.value}",
        valid_from=fact.valid_at,
    )


def facts_adapter(episodes: Sequence[EpisodeText]) -> list[Predicted]:
    """RuleBasedExtractor: the fact rules alone."""
    return [_fact(fact) for fact in RuleBasedExtractor().extract(episodes).facts]


def graph_family(predicate: str) -> str | None:
    if predicate in GRAPH_FAMILIES:
        return GRAPH_FAMILIES[predicate]
    if predicate in RELATIVE_PREDICATES or predicate.endswith(RELATIVE_SUFFIX):
        return "relationship"
    return None


def graph_adapter(episodes: Sequence[EpisodeText]) -> list[Predicted]:
    """RuleGraphExtractor: relations as facts of the family their predicate stands for.

    Relatives are stored from either end ("Ana --sister_of--> user"), so the subject is the end
    that is a speaker; an ended relation is "stopped" at its ``invalid_at``. The text is the
    relation's fact followed by its target's name.
    """
    speakers = {subject.casefold() for episode in episodes if (subject := speaker_subject(episode.role))}
    out = []
    for relation in RuleGraphExtractor().extract(episodes).relations:
        kind = graph_family(relation.predicate)
        if kind is None:
            kind = relation.predicate
        target = relation.target
        subject, other = relation.source, target
        if kind == "relationship" and target and target.casefold() in speakers and subject.casefold() not in speakers:
            subject, other = target, relation.source
        out.append(
            Predicted(
                subject=subject,
                attribute=kind,
                polarity="stopped" if relation.ended else "holds",
                text=" ".join(part for part in (relation.fact, other) if part),
                valid_from=relation.valid_at,
                valid_until=relation.invalid_at,
            )
        )
    return out


def _statement(statement: Statement) -> Predicted:
    """A statement as the scorer reads it: its sentence with its value, in its own slot."""
    text = statement.text if not statement.value else f"{statement.text} {statement.value}"
    return Predicted(
        subject=statement.subject,
        attribute=statement.attribute,
        polarity=statement.polarity,
        text=text,
        valid_from=statement.valid_from,
        valid_until=statement.valid_until,
    )


def statements_adapter(episodes: Sequence[EpisodeText]) -> list[Predicted]:
    """Every statement of the service's offline reading, graph-only ones included."""
    return [_statement(s) for s in RuleStatementExtractor().extract(episodes).statements]


def semantic_adapter(episodes: Sequence[EpisodeText]) -> list[Predicted]:
    """What the semantic layer learns from the reading: its facts view."""
    return [_fact(fact) for fact in facts_view(RuleStatementExtractor().extract(episodes))]


ADAPTERS: dict[str, Adapter] = {
    "facts": facts_adapter,
    "graph": graph_adapter,
    "statements": statements_adapter,
    "semantic": semantic_adapter,
}
"""Extractors the benchmark can score, by name; one line adds another."""
