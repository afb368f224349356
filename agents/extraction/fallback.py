"""An extractor that uses a primary backend and falls back to another when it fails.

Falls back as :func:`agents.fallback.extract_with_fallback` describes, on :class:`agents.llm.LLMError`
or :class:`ExtractionError`; the reason is also recorded in the result's ``warnings``, so whoever
reads the facts can tell they came from the fallback.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from agents.extraction.base import ExtractionError, Extractor
from agents.extraction.models import EpisodeText, ExtractionResult
from agents.fallback import extract_with_fallback

logger = logging.getLogger(__name__)


def _name(extractor: Extractor) -> str:
    return str(getattr(extractor, "name", type(extractor).__name__))


def _warn(result: ExtractionResult, reason: str) -> ExtractionResult:
    return replace(result, warnings=(*result.warnings, f"fell back to {result.backend}: {reason}"))


class FallbackExtractor:
    """``primary`` first; ``fallback`` for the batch when the primary's model fails."""

    def __init__(self, primary: Extractor, fallback: Extractor) -> None:
        self.primary = primary
        self.fallback = fallback

    @property
    def name(self) -> str:
        return f"{_name(self.primary)}|{_name(self.fallback)}"

    def extract(self, episodes: Sequence[EpisodeText]) -> ExtractionResult:
        return extract_with_fallback(
            self.primary,
            self.fallback,
            episodes,
            unusable=ExtractionError,
            log=logger,
            primary_label=_name(self.primary),
            fallback_label=_name(self.fallback),
            finish=_warn,
        )
