"""Internal domain values: what the service layer takes and returns.

Frozen dataclasses, free of HTTP and SQL, converted to API schemas at the edges.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

Role = Literal["user", "assistant", "person", "system", "tool", "event"]
"""Who a turn is from: ``person`` is someone other than the user in a conversation between people
(their name in ``metadata["speaker"]``), ``assistant`` an AI."""
Layer = Literal["episodic", "semantic", "graph"]
Granularity = Literal["turn", "session"]
DEFAULT_NAMESPACE = "default"
T = TypeVar("T")
EPISODE_ID_PREFIX = "ep_"


def episode_public_id(pk: int) -> str:
    return f"{EPISODE_ID_PREFIX}{pk}"


def parse_episode_id(public_id: str) -> int | None:
    """The primary key behind a public episode id, or None when it is not one."""
    if not public_id.startswith(EPISODE_ID_PREFIX):
        return None
    digits = public_id[len(EPISODE_ID_PREFIX) :]
    return int(digits) if digits.isdigit() else None


def parse_episode_ids(public_ids: Iterable[str]) -> tuple[int, ...]:
    """The primary keys behind those of ``public_ids`` that are episode ids, in order."""
    return tuple(pk for public_id in public_ids if (pk := parse_episode_id(public_id)) is not None)


@dataclass(frozen=True)
class NewMessage:
    role: Role
    content: str
    occurred_at: datetime | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Episode:
    pk: int
    session_id: str
    user_id: str
    agent_id: str | None
    role: Role
    content: str
    position: int
    occurred_at: datetime
    created_at: datetime
    metadata: Mapping[str, Any]

    @property
    def id(self) -> str:
        return episode_public_id(self.pk)


@dataclass(frozen=True)
class SessionSummary:
    session_id: str
    user_id: str
    agent_id: str | None
    created_at: datetime
    message_count: int
    first_occurred_at: datetime | None
    last_occurred_at: datetime | None


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    next_cursor: str | None


@dataclass(frozen=True)
class TimeWindow:
    """A half-open interval [start, end) of event time; either side may be open."""

    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class SearchQuery:
    query: str
    user_id: str
    layers: tuple[Layer, ...] = ("episodic",)
    top_k: int = 10
    now: datetime | None = None
    as_of: datetime | None = None
    time_range: TimeWindow | None = None
    session_ids: tuple[str, ...] | None = None
    roles: tuple[Role, ...] | None = None
    recipe: str | None = None
    granularity: Granularity = "turn"
    neighbors: int = 0
    reinforce: bool = True
    """Returned semantic memories count as retrieved (their forgetting curve restarts)."""


@dataclass(frozen=True)
class SearchHit:
    """One ranked memory. ``score`` is the fused score: higher is more relevant.

    At session granularity ``id`` is the session id, ``text`` its best matching turns and
    ``provenance`` the matching episodes. ``context`` holds the turns around a turn hit
    when the query asked for neighbours.
    """

    id: str
    layer: Layer
    text: str
    score: float
    session_id: str | None = None
    role: Role | None = None
    occurred_at: datetime | None = None
    valid_at: datetime | None = None
    invalid_at: datetime | None = None
    provenance: tuple[str, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)
    granularity: Granularity = "turn"
    context: tuple[Episode, ...] = ()


@dataclass(frozen=True)
class UserDeletion:
    user_id: str
    sessions: int
    episodes: int


@dataclass(frozen=True)
class EpisodesForgotten:
    """What forgetting a session or an episode removed, layer by layer.

    Memories and relations drawn only from the forgotten episodes are removed; those with other
    sources are kept and lose the forgotten ids from their provenance ("pruned").
    """

    session_id: str | None
    episode_ids: tuple[str, ...]
    memories_removed: int = 0
    memories_pruned: int = 0
    relations_removed: int = 0
    relations_pruned: int = 0

    @property
    def episodes(self) -> int:
        return len(self.episode_ids)
