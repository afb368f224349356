"""Plain values of consolidation: what is already known, and what to do with a new fact.

Frozen dataclasses, no I/O. The service loads :class:`KnownMemory` values from its store (with a
similarity to the candidate already computed) and applies each :class:`Decision` it gets back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

Event = Literal["ADD", "UPDATE", "DELETE", "NOOP"]
EVENTS: tuple[str, ...] = get_args(Event)
MemoryStatus = Literal["active", "invalid", "deleted"]


@dataclass(frozen=True, slots=True)
class KnownMemory:
    """A stored memory related to a candidate.

    ``key`` is the caller's handle for it, returned in a decision's ``target``. ``similarity`` is
    the cosine similarity of its text to the candidate's statement, in [-1, 1]; higher is closer.
    ``source_episode_ids`` (where it was learned) and ``invalidated_by`` (the episodes that ended
    it) let a replay of the same episodes be recognised.
    """

    key: int
    subject: str
    attribute: str
    text: str
    status: MemoryStatus
    valid_at: datetime | None
    invalid_at: datetime | None
    similarity: float
    source_episode_ids: tuple[str, ...] = ()
    invalidated_by: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with one candidate fact.

    * ``ADD``: store ``text`` as a new memory (already invalid when ``invalid_at`` is set: an old
      fact learned late).
    * ``UPDATE``: change ``target``. With ``supersede`` the target stops being true at
      ``valid_at`` and a new version holding ``text`` replaces it (a newer value of a
      single-valued attribute); without, the target's text becomes ``text`` in place (a merge).
    * ``DELETE``: ``target`` stopped being true at ``invalid_at``; it is invalidated, never erased.
    * ``NOOP``: already known as ``target``; it is reinforced unless ``reinforce`` is off (a replay
      of episodes already consolidated teaches nothing new).
    """

    event: Event
    text: str
    target: int | None = None
    supersede: bool = False
    reinforce: bool = True
    valid_at: datetime | None = None
    invalid_at: datetime | None = None
    reason: str = ""
    decided_by: str = "rules"

    def __post_init__(self) -> None:
        if self.event not in EVENTS:
            raise ValueError(f"event must be one of {', '.join(EVENTS)}; got {self.event!r}")
        if self.event != "ADD" and self.target is None:
            raise ValueError(f"a {self.event} decision needs a target memory")
