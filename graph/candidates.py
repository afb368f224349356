"""What an extractor proposes to the graph: entities by name and relations between names.

Extractors know names, not ids; :func:`graph.ingest.apply_extraction` resolves the names to
entities and applies the temporal rules. Plain frozen values, shared by every extractor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from graph.model import ENTITY_TYPES, EntityType


@dataclass(frozen=True, slots=True)
class EntityCandidate:
    """A named thing an episode mentions; ``aliases`` are other names it goes by there."""

    name: str
    type: EntityType = "other"
    summary: str = ""
    aliases: tuple[str, ...] = ()
    episode_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("entity candidate name must not be empty")
        if self.type not in ENTITY_TYPES:
            raise ValueError(f"entity type must be one of {', '.join(ENTITY_TYPES)}; got {self.type!r}")


@dataclass(frozen=True, slots=True)
class RelationCandidate:
    """A statement ``source --predicate--> target`` found in episodes.

    ``observed_at`` is when the stating episode happened (the default time the service learned
    it); ``valid_at`` when it became true (None: unknown); ``invalid_at`` when it stopped, if the
    episode says so. ``ended`` marks statements that only say a relation is over ("I quit my job
    at Acme"): ``invalid_at`` is then the end, and a None ``target`` means any current target.
    """

    source: str
    predicate: str
    target: str | None
    fact: str
    observed_at: datetime
    valid_at: datetime | None = None
    invalid_at: datetime | None = None
    ended: bool = False
    episode_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.target is None and not self.ended:
            raise ValueError("a relation candidate needs a target unless it only ends relations")
        for name in ("observed_at", "valid_at", "invalid_at"):
            value = getattr(self, name)
            if value is not None and value.utcoffset() is None:
                raise ValueError(f"{name} must be timezone-aware, e.g. tzinfo=UTC")
