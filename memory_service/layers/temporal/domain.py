"""Domain values of the temporal graph as the service hands them out.

Frozen dataclasses, free of HTTP, SQL and the graph library (light enough for the HTTP SDK to
import through the schemas). Graph ids are unique within a user, so public ids carry both:
``ent_<user>_<entity>`` and ``rel_<user>_<relation>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

TimeAxis = Literal["valid", "known"]
ENTITY_ID_PREFIX = "ent_"
RELATION_ID_PREFIX = "rel_"


def graph_public_id(prefix: str, user_pk: int, local_id: int) -> str:
    return f"{prefix}{user_pk}_{local_id}"


def parse_graph_id(prefix: str, public_id: str) -> tuple[int, int] | None:
    """(user primary key, graph id) behind a public id, or None when it is not one."""
    if not public_id.startswith(prefix):
        return None
    user, _, local = public_id[len(prefix) :].partition("_")
    if not (user.isdigit() and local.isdigit()) or len(user) > 18 or len(local) > 18:
        return None
    return int(user), int(local)


@dataclass(frozen=True)
class GraphEntity:
    id: str
    name: str
    type: str
    summary: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class GraphEdge:
    """A relation with both clocks: ``valid_at``/``invalid_at`` (the world), ``created_at``/
    ``expired_at`` (what the service held); ``provenance`` are the stating episodes' ids."""

    id: str
    source_id: str
    source: str
    predicate: str
    target_id: str
    target: str
    fact: str
    valid_at: datetime | None
    invalid_at: datetime | None
    created_at: datetime
    expired_at: datetime | None
    provenance: tuple[str, ...]
    current: bool


@dataclass(frozen=True)
class GraphEntityDetail:
    """An entity with its history: every relation touching it, oldest start first."""

    entity: GraphEntity
    relations: tuple[GraphEdge, ...]


@dataclass(frozen=True)
class GraphNeighbor:
    entity: GraphEntity
    distance: int
