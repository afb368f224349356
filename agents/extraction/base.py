"""The extractor interface and the error an extractor raises when its backend misbehaves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from agents.errors import UnusableOutputError
from agents.extraction.models import EpisodeText, ExtractionResult


@runtime_checkable
class Extractor(Protocol):
    """Turns a batch of new episodes into candidate facts.

    Implementations take plain episodes and return plain facts; consolidation against stored
    memories (ADD / UPDATE / DELETE / NOOP) happens later, elsewhere.
    """

    def extract(self, episodes: Sequence[EpisodeText]) -> ExtractionResult: ...


class ExtractionError(UnusableOutputError):
    """The fact extraction model answered, but never with usable output, even after retries."""
