"""Apply extracted candidates to a graph: resolve names to entities, then add or end relations.

Returns every row it touched, so the store writes exactly the change in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from graph.candidates import EntityCandidate, RelationCandidate
from graph.model import USER_ENTITY, Entity, EntityType, Relation
from graph.names import canonical_key
from graph.rows import Row, entity_to_row, relation_to_row
from graph.temporal_graph import TemporalGraph

Embed = Callable[[Sequence[str]], np.ndarray]
"""Texts -> unit vectors, one row per text (float32, shape ``(n, dim)``)."""


@dataclass
class GraphChanges:
    """What one batch did. ``entities`` / ``relations`` hold each touched row's final state;
    ``entities_merged`` counts mentions resolved to an entity known under another name."""

    entities: dict[int, Entity] = field(default_factory=dict)
    relations: dict[int, Relation] = field(default_factory=dict)
    entities_created: int = 0
    entities_merged: int = 0
    relations_added: int = 0
    relations_reinforced: int = 0
    relations_invalidated: int = 0

    def entity_rows(self) -> list[Row]:
        return [entity_to_row(self.entities[i]) for i in sorted(self.entities)]

    def relation_rows(self) -> list[Row]:
        return [relation_to_row(self.relations[i]) for i in sorted(self.relations)]


def apply_extraction(
    graph: TemporalGraph,
    entities: Sequence[EntityCandidate],
    relations: Sequence[RelationCandidate],
    *,
    learned_at: datetime | None = None,
    embed: Embed | None = None,
) -> GraphChanges:
    """Resolve and store one extraction, relations in the order given.

    ``learned_at`` is the relations' ``created_at``; None uses each candidate's ``observed_at``
    (replaying history as it happened). ``embed`` adds name embeddings used for resolution.
    """
    changes = GraphChanges()
    types: dict[str, EntityType] = {canonical_key(c.name): c.type for c in entities}
    vectors = _embed_names(embed, [c.name for c in entities])
    ids: dict[str, int] = {}
    for candidate in entities:
        _upsert(graph, changes, ids, candidate, vectors.get(candidate.name))

    def entity_id(name: str) -> int:
        key = canonical_key(name)
        if key not in ids:
            kind: EntityType = "person" if key == USER_ENTITY else types.get(key, "other")
            _upsert(graph, changes, ids, EntityCandidate(name, kind), None)
        return ids[key]

    for proposed in relations:
        created_at = learned_at or proposed.observed_at
        source = entity_id(proposed.source)
        target = entity_id(proposed.target) if proposed.target is not None else None
        if proposed.ended:
            at = proposed.invalid_at or proposed.valid_at or proposed.observed_at
            ended = graph.end_relations(
                source, proposed.predicate, target, at=at, learned_at=created_at, episode_ids=proposed.episode_ids
            )
            changes.relations.update((r.id, r) for r in ended)
            changes.relations_invalidated += len(ended)
            continue
        assert target is not None  # enforced by RelationCandidate
        change = graph.add_relation(
            source,
            proposed.predicate,
            target,
            proposed.fact,
            created_at=created_at,
            valid_at=proposed.valid_at,
            invalid_at=proposed.invalid_at,
            episode_ids=proposed.episode_ids,
        )
        changes.relations[change.relation.id] = change.relation
        changes.relations.update((r.id, r) for r in change.invalidated)
        changes.relations_reinforced += change.reinforced
        changes.relations_added += not change.reinforced
        changes.relations_invalidated += len(change.invalidated)
    return changes


def _upsert(
    graph: TemporalGraph,
    changes: GraphChanges,
    ids: dict[str, int],
    candidate: EntityCandidate,
    vector: tuple[float, ...] | None,
) -> None:
    change = graph.upsert_entity(
        candidate.name, candidate.type, summary=candidate.summary, aliases=candidate.aliases, embedding=vector
    )
    if change.created:
        changes.entities_created += 1
    elif canonical_key(candidate.name) != canonical_key(change.entity.name):
        changes.entities_merged += 1  # resolved through an alias, a given name or similarity
    changes.entities[change.entity.id] = change.entity
    ids[canonical_key(candidate.name)] = change.entity.id


def _embed_names(embed: Embed | None, names: list[str]) -> dict[str, tuple[float, ...]]:
    unique = list(dict.fromkeys(names))
    if embed is None or not unique:
        return {}
    matrix = np.asarray(embed(unique), dtype=np.float32)
    return {name: tuple(float(x) for x in row) for name, row in zip(unique, matrix, strict=True)}
