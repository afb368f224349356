"""The graph extractor interface, its result and the error a misbehaving backend raises."""

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


class GraphExtractionError(RuntimeError):
    """A model answered, but never with usable output, even after retries.

    Carries the tokens spent on the failed attempts so callers can still account for them.
    """

    def __init__(self, model: str, attempts: int, problem: str, prompt_tokens: int = 0, completion_tokens: int = 0):
        super().__init__(
            f"graph extraction model {model!r} gave unusable output {attempts} time(s); last problem: {problem}. "
            "Use a model that supports JSON output, or leave the LLM unset to use the rule-based graph extractor."
        )
        self.model = model
        self.attempts = attempts
        self.problem = problem
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = completion_tokens
