"""The extractor interface and the error an extractor raises when its backend misbehaves."""

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


class ExtractionError(RuntimeError):
    """A model answered, but never with usable output, even after retries.

    Carries the tokens spent on the failed attempts so callers can still account for them.
    """

    def __init__(self, model: str, attempts: int, problem: str, prompt_tokens: int = 0, completion_tokens: int = 0):
        super().__init__(
            f"extraction model {model!r} gave unusable output {attempts} time(s); last problem: {problem}. "
            "Use a model that supports JSON output, or leave the LLM unset to use the rule-based extractor."
        )
        self.model = model
        self.attempts = attempts
        self.problem = problem
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = completion_tokens
