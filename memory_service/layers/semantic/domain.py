"""Domain values of the semantic layer: what the semantic service takes and returns.

Frozen dataclasses, free of HTTP and SQL (light enough for the HTTP SDK to import through the
schemas), converted to API schemas at the edges.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

MemoryStatus = Literal["active", "invalid", "deleted"]
MemoryEvent = Literal["ADD", "UPDATE", "DELETE", "NOOP"]
Actor = Literal["extractor", "api", "admin"]
MEMORY_ID_PREFIX = "mem_"


def memory_public_id(pk: int) -> str:
    return f"{MEMORY_ID_PREFIX}{pk}"


def parse_memory_id(public_id: str) -> int | None:
    """The primary key behind a public memory id, or None when it is not one."""
    if not public_id.startswith(MEMORY_ID_PREFIX):
        return None
    digits = public_id[len(MEMORY_ID_PREFIX) :]
    return int(digits) if digits.isdigit() and len(digits) < 19 else None


@dataclass(frozen=True)
class Memory:
    """One semantic memory. ``provenance`` holds the ids of the episodes it was learned from."""

    pk: int
    user_id: str
    subject: str
    attribute: str
    text: str
    kind: str
    status: MemoryStatus
    valid_at: datetime | None
    invalid_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
    confidence: float
    importance: float
    reinforcements: int
    last_reinforced_at: datetime | None
    accesses: int
    last_accessed_at: datetime | None
    provenance: tuple[str, ...]
    metadata: Mapping[str, Any]
    lineage_pk: int

    @property
    def id(self) -> str:
        return memory_public_id(self.pk)


@dataclass(frozen=True)
class MemoryChange:
    """One entry of a memory's history."""

    pk: int
    memory_pk: int
    version: int
    event: MemoryEvent
    old_text: str | None
    new_text: str | None
    actor: Actor
    episode_ids: tuple[str, ...]
    at: datetime
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def memory_id(self) -> str:
        return memory_public_id(self.memory_pk)


@dataclass(frozen=True)
class MemoryEdit:
    """A person's change to a memory. ``fields`` names the fields given; the others stay as they
    are, so ``invalid_at=None`` among the given fields clears it."""

    text: str | None = None
    valid_at: datetime | None = None
    invalid_at: datetime | None = None
    metadata: Mapping[str, Any] | None = None
    fields: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ExtractionCounts:
    """A user's extraction tasks by status."""

    user_id: str
    pending: int = 0
    running: int = 0
    done: int = 0
    failed: int = 0

    @property
    def idle(self) -> bool:
        return self.pending == 0 and self.running == 0


@dataclass(frozen=True)
class ConsolidationReport:
    """How many decisions of each kind one consolidation applied."""

    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0


ProfileSectionName = Literal["identity", "home", "work", "relationships", "diet_and_health", "pets", "preferences"]


@dataclass(frozen=True)
class ProfileEntry:
    """One fact of a profile: the memory behind it, and whether its slot holds one value at a time."""

    memory_id: str
    attribute: str
    text: str
    valid_at: datetime | None
    invalid_at: datetime | None
    provenance: tuple[str, ...]
    single_valued: bool
    importance: float
    confidence: float


@dataclass(frozen=True)
class ProfileSection:
    """The entries of one section: single-valued slots first, then the capped list; ``omitted``
    counts the list's entries left out by the cap."""

    name: ProfileSectionName
    entries: tuple[ProfileEntry, ...] = ()
    omitted: int = 0


@dataclass(frozen=True)
class Profile:
    """A user's core profile: every section, in a fixed order, empty ones included."""

    user_id: str
    subject: str
    as_of: datetime | None
    sections: tuple[ProfileSection, ...]

    @property
    def entries(self) -> tuple[ProfileEntry, ...]:
        return tuple(entry for section in self.sections for entry in section.entries)
