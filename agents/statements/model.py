"""One extraction's output: statements about people, from which both memory layers are derived.

A :class:`Statement` says that something holds (or stopped, or never held) for a subject, from
when and until when, with how much confidence and from which episodes. It carries both views:
the semantic layer reads its slot (``attribute``) and sentence (``text``); the graph reads its
``predicate`` and ``value`` as a relation between two entities. One extraction pass produces them
once, so the two layers cannot disagree about what was said.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from agents.extraction.models import FACT_KINDS, FactKind
from graph.candidates import EntityCandidate
from graph.model import ENTITY_TYPES, EntityType

Polarity = Literal["holds", "stopped", "negated"]
"""``holds``: true from ``valid_from``; ``stopped``: it ended ("I quit Siemens"), at ``valid_until``
or the statement's time; ``negated``: said not to hold ("I have never owned a car")."""
POLARITIES: tuple[str, ...] = get_args(Polarity)


@dataclass(frozen=True, slots=True)
class Statement:
    """What one or more episodes state about a subject.

    ``attribute`` is the slot it fills (family before the colon: ``employer``, ``location``,
    ``relationship:sister``); two statements with equal subject and attribute are about the same
    thing, and on a single-valued slot (see :mod:`agents.statements.slots`) a newer one replaces
    the older. ``text`` is one third-person sentence ("User works at Google."). ``value`` is the
    object as said ("Google"), None when the statement names none. ``predicate`` is the graph
    relation it makes (``works_at``) when its value is an entity; ``inverse`` points that relation
    from the value to the subject ("Ana sister_of User"). ``observed_at`` is when it was said.
    """

    subject: str
    attribute: str
    text: str
    kind: FactKind
    observed_at: datetime
    polarity: Polarity = "holds"
    value: str | None = None
    value_type: EntityType = "other"
    predicate: str | None = None
    inverse: bool = False
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    confidence: float = 0.5
    source_episode_ids: tuple[str, ...] = ()
    graph_only: bool = False
    """Kept out of the semantic view: a multi-valued relation whose value a fact of the same turn
    already names in its own words ("User has a dog named Max."); a second sentence would repeat it."""

    def __post_init__(self) -> None:
        if self.kind not in FACT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(FACT_KINDS)}; got {self.kind!r}")
        if self.polarity not in POLARITIES:
            raise ValueError(f"polarity must be one of {', '.join(POLARITIES)}; got {self.polarity!r}")
        if self.value_type not in ENTITY_TYPES:
            raise ValueError(f"value_type must be one of {', '.join(ENTITY_TYPES)}; got {self.value_type!r}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must be within [0, 1]; got {self.confidence}")
        if not self.subject.strip() or not self.attribute.strip() or not self.text.strip():
            raise ValueError("subject, attribute and text must not be empty")
        for name in ("observed_at", "valid_from", "valid_until"):
            moment = getattr(self, name)
            if moment is not None and moment.utcoffset() is None:
                raise ValueError(f"{name} must be timezone-aware, e.g. tzinfo=UTC")

    @property
    def holds(self) -> bool:
        return self.polarity == "holds"

    @property
    def ends_at(self) -> datetime:
        """When a statement that did not hold on stopped: its stated end, start or saying time."""
        return self.valid_until or self.valid_from or self.observed_at


@dataclass(frozen=True, slots=True)
class StatementBatch:
    """The statements found in one batch of episodes, with what finding them cost.

    ``entities`` are the named things the batch mentions (with types, summaries and aliases),
    the statements' values among them and others mentioned in passing, for the graph's nodes.
    ``backend`` names what read the batch (``"rules"``, ``"llm:<model>"``); token counts cover
    every model call for the batch, failed attempts too; ``warnings`` say why a fallback answered.
    """

    statements: tuple[Statement, ...] = ()
    entities: tuple[EntityCandidate, ...] = ()
    backend: str = "rules"
    prompt_tokens: int = 0
    completion_tokens: int = 0
    warnings: tuple[str, ...] = ()
