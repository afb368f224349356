"""The statement extractor for a configuration: rules alone, or a model with rules behind it.

A model that cannot be reached (:class:`agents.llm.LLMError`) or keeps answering unusably
(:class:`StatementExtractionError`) must not stop memory from growing, so that batch is read by
the rules instead, with the reason kept in the batch's warnings (see
:func:`agents.fallback.extract_with_fallback`). Any other exception is a bug and propagates.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from agents.extraction.models import EpisodeText
from agents.fallback import extract_with_fallback
from agents.statements.base import StatementExtractionError, StatementExtractor
from agents.statements.llm import LLMStatementExtractor
from agents.statements.model import StatementBatch
from agents.statements.rules import RuleStatementExtractor

logger = logging.getLogger(__name__)


def _name(extractor: StatementExtractor) -> str:
    return str(getattr(extractor, "name", type(extractor).__name__))


def _warn(batch: StatementBatch, reason: str) -> StatementBatch:
    return replace(batch, warnings=(*batch.warnings, f"fell back to {batch.backend}: {reason}"))


class FallbackStatementExtractor:
    """``primary`` first; ``fallback`` for the batch when the primary's model fails."""

    def __init__(self, primary: StatementExtractor, fallback: StatementExtractor) -> None:
        self.primary = primary
        self.fallback = fallback

    @property
    def name(self) -> str:
        return f"{_name(self.primary)}|{_name(self.fallback)}"

    def extract(self, episodes: Sequence[EpisodeText]) -> StatementBatch:
        return extract_with_fallback(
            self.primary,
            self.fallback,
            episodes,
            unusable=StatementExtractionError,
            log=logger,
            primary_label=_name(self.primary),
            fallback_label=_name(self.fallback),
            finish=_warn,
        )


def build_statement_extractor(llm_model: str | None, **completion_kwargs: Any) -> StatementExtractor:
    """The rules when no model is named; otherwise that model, falling back to the rules.

    ``completion_kwargs`` go to every model call (``api_base``, ``timeout_s``, ``mock_response``).
    """
    rules = RuleStatementExtractor()
    if llm_model is None or not llm_model.strip():
        return rules
    return FallbackStatementExtractor(LLMStatementExtractor(llm_model.strip(), **completion_kwargs), rules)
