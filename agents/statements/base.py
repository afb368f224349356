"""The statement extractor interface and the error a misbehaving model backend raises."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from agents.errors import UnusableOutputError
from agents.extraction.models import EpisodeText
from agents.statements.model import StatementBatch


@runtime_checkable
class StatementExtractor(Protocol):
    """Reads a batch of episodes once into statements; both memory layers are derived from them."""

    def extract(self, episodes: Sequence[EpisodeText]) -> StatementBatch: ...


class StatementExtractionError(UnusableOutputError):
    """The extraction model answered, but never with usable output, even after retries."""

    task = "statement extraction"
    offline = "rule-based extractor"
