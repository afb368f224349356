"""Entities and relations as plain rows (dicts of column -> value) for a SQL store to persist.

Datetimes stay ``datetime`` (aware), aliases and provenance become sorted / ordered lists and
an embedding a list of floats, so a store maps each key to one column without knowing the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from graph.model import Entity, EntityType, Relation

Row = dict[str, Any]

ENTITY_COLUMNS = ("id", "name", "normalized_name", "type", "summary", "aliases", "embedding")
RELATION_COLUMNS = (
    "id",
    "source_id",
    "target_id",
    "predicate",
    "fact",
    "valid_at",
    "invalid_at",
    "created_at",
    "expired_at",
    "episode_ids",
    "ended_by",
)


def entity_to_row(entity: Entity) -> Row:
    return {
        "id": entity.id,
        "name": entity.name,
        "normalized_name": entity.normalized_name,
        "type": entity.type,
        "summary": entity.summary,
        "aliases": sorted(entity.aliases),
        "embedding": list(entity.embedding) if entity.embedding is not None else None,
    }


def entity_from_row(row: Mapping[str, Any]) -> Entity:
    embedding = row.get("embedding")
    return Entity(
        id=int(row["id"]),
        name=str(row["name"]),
        normalized_name=str(row["normalized_name"]),
        type=cast(EntityType, row.get("type") or "other"),
        summary=str(row.get("summary") or ""),
        aliases=frozenset(row.get("aliases") or ()),
        embedding=tuple(float(x) for x in embedding) if embedding is not None else None,
    )


def relation_to_row(relation: Relation) -> Row:
    return {
        "id": relation.id,
        "source_id": relation.source_id,
        "target_id": relation.target_id,
        "predicate": relation.predicate,
        "fact": relation.fact,
        "valid_at": relation.valid_at,
        "invalid_at": relation.invalid_at,
        "created_at": relation.created_at,
        "expired_at": relation.expired_at,
        "episode_ids": list(relation.episode_ids),
        "ended_by": list(relation.ended_by),
    }


def relation_from_row(row: Mapping[str, Any]) -> Relation:
    return Relation(
        id=int(row["id"]),
        source_id=int(row["source_id"]),
        target_id=int(row["target_id"]),
        predicate=str(row["predicate"]),
        fact=str(row["fact"]),
        valid_at=row.get("valid_at"),
        invalid_at=row.get("invalid_at"),
        created_at=row["created_at"],
        expired_at=row.get("expired_at"),
        episode_ids=tuple(str(i) for i in row.get("episode_ids") or ()),
        ended_by=tuple(str(i) for i in row.get("ended_by") or ()),
    )
