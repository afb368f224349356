"""Plain values that flow through extraction: episodes in, candidate facts out.

Frozen dataclasses, no I/O: the service converts its stored episodes to `EpisodeText` and
turns `CandidateFact` into semantic memories, so this package never sees the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

FactKind = Literal["fact", "preference", "event", "plan", "profile"]
"""What a fact is about:

* ``profile``: who the speaker is (name, age, origin, job, employer, education, diet, allergies);
* ``fact``: a current state of their world (where they live, relatives, pets, possessions,
  activities they keep up);
* ``preference``: likes, dislikes, favourites, interests;
* ``event``: something that happened at a point in time;
* ``plan``: something intended for the future.
"""

FACT_KINDS: tuple[str, ...] = get_args(FactKind)

USER_SUBJECT = "user"
"""Subject of facts about the person the service remembers for (the chat's "user" role)."""

NON_SPEAKER_ROLES = frozenset({"assistant", "system", "tool", "function", "developer", "ai", "bot", "model"})
"""Roles whose turns are not a person speaking about themselves."""


def speaker_subject(role: str) -> str | None:
    """The subject that first-person statements of a turn are about, or None for non-speakers.

    ``user`` / ``human`` turns speak for ``"user"``; any other role that is not a machine role is
    taken to be the speaker's name (multi-party logs such as LoCoMo, where both sides are people),
    so "I moved to Paris" said by ``Caroline`` becomes a fact about ``"Caroline"``.
    """
    cleaned = " ".join(role.split())
    lowered = cleaned.lower()
    if not cleaned or lowered in NON_SPEAKER_ROLES:
        return None
    if lowered in ("user", "human"):
        return USER_SUBJECT
    return cleaned


def subject_label(subject: str) -> str:
    """How a subject is written at the start of a statement: "User", or the person's name."""
    return "User" if subject == USER_SUBJECT else subject


@dataclass(frozen=True, slots=True)
class EpisodeText:
    """One stored turn, as extraction sees it.

    ``role`` is ``"user"``, ``"assistant"`` (or another machine role) or, in conversations between
    people, the speaker's name. ``occurred_at`` must be timezone-aware: relative phrases ("last
    month") are resolved against it.
    """

    id: str
    role: str
    content: str
    occurred_at: datetime
    session_id: str | None = None

    def __post_init__(self) -> None:
        if self.occurred_at.tzinfo is None or self.occurred_at.utcoffset() is None:
            raise ValueError(f"episode {self.id!r}: occurred_at must be timezone-aware, e.g. tzinfo=UTC")


@dataclass(frozen=True, slots=True)
class CandidateFact:
    """A fact proposed by an extractor, before consolidation against what is already known.

    ``attribute`` is a short lower-case key naming the slot the fact fills. The part before the
    first colon is the family (``location``, ``job``, ``employer``, ``diet``, ``pet``,
    ``relationship``, ``preference``, ``plan``, ``event``, ...); what follows narrows it to one
    slot (``relationship:sister``, ``preference:sushi``, ``pet:dog``), so two facts with equal
    subject and attribute are about the same thing and a newer one may replace an older one.

    ``valid_at`` is when the statement holds from (for events and plans: when it happens); None
    when a stated time could not be resolved. ``negated`` marks statements saying that something
    stopped being true ("no longer eats meat", "moved away from Berlin"). ``confidence`` is in
    [0, 1], higher is surer. ``value`` is the slot's value as said ("Siemens"), when the reading
    names one: a negation with a value ends only the memory holding that value.
    """

    subject: str
    attribute: str
    statement: str
    kind: FactKind
    valid_at: datetime | None = None
    negated: bool = False
    confidence: float = 0.5
    source_episode_ids: tuple[str, ...] = ()
    value: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in FACT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(FACT_KINDS)}; got {self.kind!r}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must be within [0, 1]; got {self.confidence}")
        if not self.subject or not self.attribute or not self.statement.strip():
            raise ValueError("subject, attribute and statement must not be empty")
        if self.valid_at is not None and self.valid_at.utcoffset() is None:
            raise ValueError("valid_at must be timezone-aware")


@dataclass(frozen=True, slots=True)
class ExtractionResult:
    """The facts found in one batch, with what producing them cost.

    ``backend`` names what produced the facts (``"rules"``, ``"llm:<model>"``). Token counts
    include every model call made for the batch, failed attempts too. ``warnings`` says why a
    fallback backend had to answer, when one did.
    """

    facts: tuple[CandidateFact, ...]
    backend: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    warnings: tuple[str, ...] = ()
