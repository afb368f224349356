"""An extractor that uses a primary backend and falls back to another when it fails.

Falls back on both failures of an LLM backend: :class:`agents.llm.LLMError` (the model cannot
be reached) and :class:`ExtractionError` (it answered, but never usably, even after retries).
A model that keeps answering garbage is as useless for the batch as one that is down, and
the episodes should still yield facts; either way a warning is logged and recorded in the
result's ``warnings``, and the tokens the failed attempts spent stay in the result's counts.
Any other exception is a bug and propagates.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from agents.extraction.base import ExtractionError, Extractor
from agents.extraction.models import EpisodeText, ExtractionResult
from agents.llm import LLMError

logger = logging.getLogger(__name__)


def _name(extractor: Extractor) -> str:
    return str(getattr(extractor, "name", type(extractor).__name__))


class FallbackExtractor:
    """``primary`` first; ``fallback`` for the batch when the primary's model fails."""

    def __init__(self, primary: Extractor, fallback: Extractor) -> None:
        self.primary = primary
        self.fallback = fallback

    @property
    def name(self) -> str:
        return f"{_name(self.primary)}|{_name(self.fallback)}"

    def extract(self, episodes: Sequence[EpisodeText]) -> ExtractionResult:
        spent = (0, 0)
        try:
            return self.primary.extract(episodes)
        except LLMError as exc:
            reason = f"{_name(self.primary)} unavailable ({exc})"
        except ExtractionError as exc:
            reason = f"{_name(self.primary)} gave unusable output ({exc.problem})"
            spent = (exc.prompt_tokens, exc.completion_tokens)
        logger.warning("%s; extracting %d episode(s) with %s instead", reason, len(episodes), _name(self.fallback))
        result = self.fallback.extract(episodes)
        return replace(
            result,
            prompt_tokens=result.prompt_tokens + spent[0],
            completion_tokens=result.completion_tokens + spent[1],
            warnings=(*result.warnings, f"fell back to {result.backend}: {reason}"),
        )
