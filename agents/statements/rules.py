"""The offline reading: one rules pass over a batch, read into statements.

Two rule tables read each turn: the fact rules (:mod:`agents.extraction.rules`), which know how
people phrase states, preferences, events and plans, and the relation rules
(:mod:`agents.graph_extraction.rules`), which know names: employers, places, relatives, pets.
This module joins their readings of a turn into one list of statements. On a single-valued
slot (home, employer, job, partner...) a relation and a fact saying the same are one
statement, carrying the fact's sentence and the relation's value; a relation no fact reads
becomes a statement of its own, so the semantic layer learns every current value the graph
does (and every ending: "I quit Siemens" ends the employer in both). A multi-valued relation
(a relative, a pet, a visit) whose value a fact of the turn already names stays graph-only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from agents.extraction.models import CandidateFact, EpisodeText, FactKind, speaker_subject
from agents.extraction.rules import RuleBasedExtractor
from agents.graph_extraction.rules import RuleGraphExtractor
from agents.statements.model import Statement, StatementBatch
from agents.statements.order import in_saying_order
from agents.statements.slots import is_single_valued, slot_for_predicate, slot_of
from graph.candidates import EntityCandidate, RelationCandidate
from graph.names import normalize_name

RELATION_CONFIDENCE = 0.6
"""Confidence of a statement only the relation rules read: they match a name after a fixed verb
("work at", "moved to"), a narrower shape than the fact rules' whole clause, so slightly surer
than their default 0.5, and below what a fact rule gives a clause it recognises whole."""


class RuleStatementExtractor:
    """Both rule tables over each turn, joined into statements; no model, deterministic."""

    name = "rules"

    def __init__(self, facts: RuleBasedExtractor | None = None, relations: RuleGraphExtractor | None = None) -> None:
        self._facts = facts or RuleBasedExtractor()
        self._relations = relations or RuleGraphExtractor()

    def extract(self, episodes: Sequence[EpisodeText]) -> StatementBatch:
        graph = self._relations.extract(episodes)
        by_episode: dict[str, list[RelationCandidate]] = {}
        for relation in graph.relations:
            by_episode.setdefault(relation.episode_ids[0], []).append(relation)
        types = {normalize_name(entity.name): entity for entity in graph.entities}
        statements: list[Statement] = []
        for episode in episodes:
            facts = self._facts.extract_episode(episode)
            relations = by_episode.get(episode.id, [])
            statements.extend(join(episode, facts, relations, types))
        return StatementBatch(in_saying_order(statements), tuple(graph.entities), backend=self.name)


def fact_statement(fact: CandidateFact, observed_at: datetime) -> Statement:
    """A fact rule's reading as a statement: a negated fact says its slot's value stopped."""
    holds = not fact.negated
    return Statement(
        subject=fact.subject,
        attribute=fact.attribute,
        text=fact.statement,
        kind=fact.kind,
        observed_at=observed_at,
        polarity="holds" if holds else "stopped",
        valid_from=fact.valid_at if holds else None,
        valid_until=None if holds else fact.valid_at,
        confidence=fact.confidence,
        source_episode_ids=fact.source_episode_ids,
    )


def relation_statement(
    relation: RelationCandidate, speaker: str, entities: dict[str, EntityCandidate]
) -> Statement | None:
    """A relation rule's reading as a statement about the speaker, None when it is about no one
    the episode speaks for."""
    inverse = normalize_name(relation.source) != normalize_name(speaker)
    if inverse and (relation.target is None or normalize_name(relation.target) != normalize_name(speaker)):
        return None
    value = relation.source if inverse else relation.target
    entity = entities.get(normalize_name(value)) if value else None
    slot = slot_for_predicate(relation.predicate)
    holds = not relation.ended
    return Statement(
        subject=speaker,
        attribute=slot.attribute if slot else _attribute(relation.predicate, entity, value),
        text=relation.fact,
        kind=_kind(relation.predicate),
        observed_at=relation.observed_at,
        polarity="holds" if holds else "stopped",
        value=value,
        value_type=slot.value_type if slot else (entity.type if entity else "other"),
        predicate=relation.predicate,
        inverse=inverse,
        valid_from=relation.valid_at,
        valid_until=relation.invalid_at,
        confidence=RELATION_CONFIDENCE,
        source_episode_ids=relation.episode_ids,
    )


def join(
    episode: EpisodeText,
    facts: Sequence[CandidateFact],
    relations: Sequence[RelationCandidate],
    entities: dict[str, EntityCandidate],
) -> list[Statement]:
    """One turn's statements: its facts, each single-valued one joined with the relation that
    names its value, and the relations no fact reads."""
    speaker = speaker_subject(episode.role)
    joined = [fact_statement(fact, episode.occurred_at) for fact in facts]
    if speaker is None:
        return joined
    extra: list[Statement] = []
    for relation in relations:
        read = relation_statement(relation, speaker, entities)
        if read is None:
            continue
        if not is_single_valued(read.attribute):
            extra.append(replace(read, graph_only=_mentioned(read, joined)))
            continue
        match = _same_reading(read, joined)
        if match is None:
            extra.append(read)
            continue
        index, fact = match
        joined[index] = replace(
            fact,
            value=read.value,
            value_type=read.value_type,
            predicate=read.predicate,
            inverse=read.inverse,
            valid_from=fact.valid_from or read.valid_from,
            valid_until=fact.valid_until or (read.valid_until if not fact.holds else None),
        )
    return joined + extra


def _same_reading(read: Statement, facts: Sequence[Statement]) -> tuple[int, Statement] | None:
    """The fact statement saying what a single-valued relation says: same subject, slot and
    polarity, naming the relation's value; for an ending that names no value, any ending of the
    turn (its sentence names what ended better than "User retired on 1 March 2024.")."""
    slot = slot_of(read.attribute)
    candidates = [
        (index, fact)
        for index, fact in enumerate(facts)
        if fact.predicate is None and fact.holds == read.holds and fact.subject == read.subject
    ]
    for index, fact in candidates:
        if slot_of(fact.attribute) == slot and normalize_name(read.value or "") in normalize_name(fact.text):
            return index, fact
    if read.value is None and not read.holds and candidates:
        return candidates[0]  # "I retired": the fact's words say what ended; the relation ends the job
    return None


def _mentioned(read: Statement, facts: Sequence[Statement]) -> bool:
    """Whether a fact of the turn already names a multi-valued relation's value ("User has a dog
    named Max." for ``owns Max``): the relation then stays a graph edge and adds no sentence."""
    value = normalize_name(read.value or "")
    return bool(value) and any(f.subject == read.subject and value in normalize_name(f.text) for f in facts)


_FAMILIES = {"owns": "possession", "likes": "preference", "visited": "event:visit", "attended": "event:attend"}
"""The slot family of a multi-valued relation's predicate (relatives are read from the predicate)."""


def _attribute(predicate: str, entity: EntityCandidate | None, value: str | None) -> str:
    """A slot for a multi-valued relation: relatives by relation, pets and things by kind."""
    if predicate.endswith("_of"):
        return f"relationship:{predicate.removesuffix('_of')}"
    detail = (entity.summary.removeprefix("a ").removeprefix("an ") if entity and entity.summary else value) or ""
    words = normalize_name(detail).split()
    family = _FAMILIES.get(predicate, predicate)
    if predicate == "owns" and entity is not None and entity.type == "other" and entity.summary:
        family = "pet"  # the relation rules type named pets "other" and things "thing"
    return f"{family}:{'_'.join(words[:3]) or 'unspecified'}"


def _kind(predicate: str) -> FactKind:
    if predicate in ("visited", "attended", "bought"):
        return "event"
    if predicate == "likes":
        return "preference"
    if predicate in ("works_at", "job_title", "studies_at", "comes_from", "age"):
        return "profile"
    return "fact"
