"""The graph extractor interface and its result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from agents.extraction.models import EpisodeText
from graph.candidates import EntityCandidate, RelationCandidate


@dataclass(frozen=True, slots=True)
class GraphExtraction:
    """Entities and relations found in a batch of episodes, with the tokens spent finding them.

    Relations name their ends by entity name; :func:`graph.ingest.apply_extraction` resolves them.
    """

    entities: list[EntityCandidate] = field(default_factory=list)
    relations: list[RelationCandidate] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    backend: str = "rules"


@runtime_checkable
class GraphExtractor(Protocol):
    """Turns episodes into candidate entities and relations; storing them happens elsewhere."""

    def extract(self, episodes: Sequence[EpisodeText]) -> GraphExtraction: ...
