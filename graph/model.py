"""The graph's domain values: entities, bi-temporal relations and the changes a mutation makes.

Two clocks per relation, as in bi-temporal databases: ``valid_at`` / ``invalid_at`` say when a
fact was true in the world; ``created_at`` / ``expired_at`` say when the service started and
stopped holding it as current. A relation retired by a newer one keeps its row (history) with
both ``invalid_at`` and ``expired_at`` set; a relation withdrawn as wrong has ``expired_at`` but
no ``invalid_at`` (it never ended in the world because it never held).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, get_args

EntityType = Literal["person", "place", "organization", "thing", "event", "other"]
ENTITY_TYPES: tuple[str, ...] = get_args(EntityType)

USER_ENTITY = "user"
"""Name of the entity standing for the person the service remembers for."""


@dataclass(frozen=True, slots=True)
class Entity:
    """A node: a person, place, organization, thing or event the episodes talk about.

    ``normalized_name`` is the resolution key (see :func:`graph.names.normalize_name`);
    ``embedding`` is a unit vector of the name, or None when no embedder was given.
    """

    id: int
    name: str
    normalized_name: str
    type: EntityType = "other"
    summary: str = ""
    aliases: frozenset[str] = frozenset()
    embedding: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        if self.type not in ENTITY_TYPES:
            raise ValueError(f"entity type must be one of {', '.join(ENTITY_TYPES)}; got {self.type!r}")


@dataclass(frozen=True, slots=True)
class Relation:
    """A directed edge ``source --predicate--> target`` with its fact sentence and two clocks.

    ``predicate`` is snake_case (``works_at``, ``sister_of``). ``valid_at`` None means the start
    in the world is unknown; the relation then counts from ``created_at``. ``episode_ids`` are
    the episodes that stated it (provenance), in the order they were seen; ``ended_by`` those that ended it.
    """

    id: int
    source_id: int
    target_id: int
    predicate: str
    fact: str
    valid_at: datetime | None
    invalid_at: datetime | None
    created_at: datetime
    expired_at: datetime | None = None
    episode_ids: tuple[str, ...] = ()
    ended_by: tuple[str, ...] = ()
    """The episodes that ended it (a newer value of a functional predicate, or a statement that it
    stopped): forgetting them all lets the relation stand again."""

    def __post_init__(self) -> None:
        for name in ("valid_at", "invalid_at", "created_at", "expired_at"):
            value = getattr(self, name)
            if value is not None and value.utcoffset() is None:
                raise ValueError(f"relation {self.id}: {name} must be timezone-aware, e.g. tzinfo=UTC")

    @property
    def starts_at(self) -> datetime:
        """When the relation counts as true from: ``valid_at``, else when it was learned."""
        return self.valid_at if self.valid_at is not None else self.created_at

    @property
    def is_current(self) -> bool:
        """True in the world now, as far as the service knows."""
        return self.invalid_at is None and self.expired_at is None

    @property
    def is_retracted(self) -> bool:
        """Withdrawn as wrong (expired without ever ending in the world): hidden from every view."""
        return self.expired_at is not None and self.invalid_at is None

    def valid_at_time(self, t: datetime) -> bool:
        """Whether the relation held in the world at ``t`` (retracted ones never did)."""
        if self.is_retracted or self.starts_at > t:
            return False
        return self.invalid_at is None or t < self.invalid_at


@dataclass(frozen=True, slots=True)
class EntityChange:
    """What :meth:`TemporalGraph.upsert_entity` did: the row to write, and whether it is new."""

    entity: Entity
    created: bool


@dataclass(frozen=True, slots=True)
class RelationChange:
    """What adding a relation did; every relation here is a row to insert or update.

    ``relation`` is the new row, or the existing one reinforced by a repeat (``reinforced``);
    ``invalidated`` are current relations it retired, with ``invalid_at`` / ``expired_at`` set.
    """

    relation: Relation
    reinforced: bool = False
    invalidated: tuple[Relation, ...] = ()


@dataclass(frozen=True, slots=True)
class MergeChange:
    """Two entities merged: the kept entity's new row, the removed id and the re-pointed relations."""

    entity: Entity
    removed_entity_id: int
    relations: tuple[Relation, ...] = field(default=())
