"""Entity resolution: is a newly mentioned name an entity the graph already holds?

Evidence, strongest first: equal normalized names or aliases (with the known-alias table),
a unique person whose given name matches, an acronym of a multi-word name, and for things
other than people, embedding similarity of the names above a threshold. People are only ever
merged on name evidence: two full names with different surnames are two people, however close
their embeddings are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import numpy as np

from graph.model import Entity, EntityType
from graph.names import (
    acronym,
    canonical_key,
    is_acronym,
    is_descriptive,
    is_nickname_of,
    normalize_name,
    person_tokens,
)

DEFAULT_SIMILARITY_THRESHOLD = 0.86
"""Cosine similarity of two names' unit embeddings above which non-person entities merge."""


@dataclass(frozen=True, slots=True)
class Mention:
    """A name as an extractor proposed it, with what else it knows about the thing."""

    name: str
    type: EntityType = "other"
    aliases: tuple[str, ...] = ()
    embedding: tuple[float, ...] | None = None

    def key_set(self) -> set[str]:
        return {key for key in (canonical_key(n) for n in (self.name, *self.aliases)) if key}


def entity_keys(entity: Entity) -> set[str]:
    """Every key an entity answers to: its name's and its aliases' canonical keys."""
    return {key for key in (canonical_key(n) for n in (entity.name, *entity.aliases)) if key}


def types_compatible(a: EntityType, b: EntityType) -> bool:
    """Equal types, or one of them unknown ("other")."""
    return a == b or "other" in (a, b)


def _full_name(entity: Entity) -> str:
    """The longest proper name an entity goes by (descriptive stand-ins excluded)."""
    names = [n for n in (entity.name, *entity.aliases) if not is_descriptive(n)]
    return max(names, key=lambda n: len(person_tokens(n)), default=entity.name)


def surnames_conflict(entity: Entity, name: str) -> bool:
    """Both carry a surname and the surnames differ: "Ana Silva" vs "Ana Costa"."""
    if is_descriptive(name):
        return False
    known, new = person_tokens(_full_name(entity)), person_tokens(name)
    return len(known) > 1 and len(new) > 1 and known[-1] != new[-1]


def _compatible(entity: Entity, mention: Mention) -> bool:
    if not types_compatible(entity.type, mention.type):
        return False
    is_person = "person" in (entity.type, mention.type)
    return not (is_person and surnames_conflict(entity, mention.name))


class EntityResolver:
    """Finds the existing entity a mention denotes, or None when it is new.

    ``threshold`` is the cosine similarity (unit vectors, higher is more similar) above which
    two non-person names are taken as one entity when no name rule decided.
    """

    def __init__(self, threshold: float = DEFAULT_SIMILARITY_THRESHOLD) -> None:
        self.threshold = threshold

    def resolve(self, mention: Mention, entities: Mapping[int, Entity], keys: Mapping[str, set[int]]) -> int | None:
        """The id of the entity ``mention`` denotes among ``entities`` (``keys``: key -> ids)."""
        found = self._by_key(mention, entities, keys)
        if found is None and mention.type in ("person", "other"):
            found = self._by_given_name(mention, entities.values())
        if found is None and mention.type != "person":
            found = self._by_acronym(mention, entities.values())
        if found is None and mention.type != "person" and mention.embedding is not None:
            found = self._by_embedding(mention, entities.values())
        return found

    @staticmethod
    def _by_key(mention: Mention, entities: Mapping[int, Entity], keys: Mapping[str, set[int]]) -> int | None:
        hits = sorted({i for key in mention.key_set() for i in keys.get(key, ())})
        usable = [i for i in hits if _compatible(entities[i], mention)]
        if not usable:
            return None
        exact = [i for i in usable if canonical_key(entities[i].name) == canonical_key(mention.name)]
        return (exact or usable)[0]

    @staticmethod
    def _by_given_name(mention: Mention, entities: Iterable[Entity]) -> int | None:
        """A one-word person name ("Ana", "Mel") and exactly one known person it can be.

        A full name ("Ana Silva") may also take over a one-word person ("Ana") when no other
        person shares that given name; with two candidates nothing is merged.
        """
        tokens = person_tokens(mention.name)
        if not tokens or is_descriptive(mention.name):
            return None
        people = [e for e in entities if e.type == "person" and not is_descriptive(e.name)]
        if len(tokens) == 1:
            same = [e for e in people if person_tokens(e.name)[:1] == tokens]
            if not same:
                same = [e for e in people if is_nickname_of(mention.name, e.name)]
        else:
            same = [e for e in people if person_tokens(e.name)[:1] == tokens[:1]]
            if any(len(person_tokens(_full_name(e))) > 1 for e in same):
                return None  # a known full name exists; the key lookup would have found a match
        return same[0].id if len(same) == 1 and not surnames_conflict(same[0], mention.name) else None

    @staticmethod
    def _by_acronym(mention: Mention, entities: Iterable[Entity]) -> int | None:
        mine = mention.name.lower() if is_acronym(mention.name) else None
        spelled = acronym(mention.name)
        for entity in entities:
            if entity.type == "person" or not types_compatible(entity.type, mention.type):
                continue
            if mine and acronym(entity.name) == mine:
                return entity.id
            if spelled and is_acronym(entity.name) and entity.name.lower().replace(".", "") == spelled:
                return entity.id
        return None

    def _by_embedding(self, mention: Mention, entities: Iterable[Entity]) -> int | None:
        pool = [
            e
            for e in entities
            if e.embedding is not None and e.type != "person" and types_compatible(e.type, mention.type)
        ]
        if not pool or mention.embedding is None:
            return None
        matrix = np.asarray([e.embedding for e in pool], dtype=np.float32)
        scores = matrix @ np.asarray(mention.embedding, dtype=np.float32)
        best = int(np.argmax(scores))
        return pool[best].id if float(scores[best]) >= self.threshold else None


def absorb_mention(entity: Entity, mention: Mention, summary: str) -> Entity:
    """An entity updated with what a new mention of it adds."""
    name = entity.name
    if (is_descriptive(name) and not is_descriptive(mention.name)) or (
        entity.type == "person" and len(person_tokens(mention.name)) > len(person_tokens(name))
    ):
        name = mention.name
    names = {entity.name, mention.name, *entity.aliases, *mention.aliases}
    aliases = frozenset(n for n in names if canonical_key(n) != canonical_key(name))
    return replace(
        entity,
        name=name,
        normalized_name=normalize_name(name),
        type=mention.type if entity.type == "other" else entity.type,
        summary=entity.summary or summary,
        aliases=aliases,
        embedding=entity.embedding if entity.embedding is not None else mention.embedding,
    )
