"""The fact extractor interface: a batch of episodes in, candidate facts out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from agents.extraction.models import EpisodeText, ExtractionResult


@runtime_checkable
class Extractor(Protocol):
    """Turns a batch of new episodes into candidate facts.

    Implementations take plain episodes and return plain facts; consolidation against stored
    memories (ADD / UPDATE / DELETE / NOOP) happens later, elsewhere.
    """

    def extract(self, episodes: Sequence[EpisodeText]) -> ExtractionResult: ...
