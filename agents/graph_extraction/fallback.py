"""The graph extractor to run: rules offline, or a model that falls back to rules.

A model that cannot be reached (:class:`agents.llm.LLMError`) or keeps answering unusably
(:class:`GraphExtractionError`) must not stop the graph from growing, so the batch goes to the
rule-based extractor instead, with a warning (see :func:`agents.fallback.extract_with_fallback`).
Any other exception is a bug and propagates.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from agents.extraction import EpisodeText
from agents.fallback import extract_with_fallback
from agents.graph_extraction.base import GraphExtraction, GraphExtractionError, GraphExtractor
from agents.graph_extraction.llm import LLMGraphExtractor
from agents.graph_extraction.rules import RuleGraphExtractor

log = logging.getLogger(__name__)


class FallbackGraphExtractor:
    """``primary`` first; ``fallback`` for the batch when the primary's model fails."""

    def __init__(self, primary: GraphExtractor, fallback: GraphExtractor) -> None:
        self.primary = primary
        self.fallback = fallback

    def extract(self, episodes: Sequence[EpisodeText]) -> GraphExtraction:
        return extract_with_fallback(
            self.primary,
            self.fallback,
            episodes,
            unusable=GraphExtractionError,
            log=log,
            primary_label="graph extraction model",
            fallback_label="the rule-based extractor",
        )


def build_graph_extractor(llm_model: str | None, **completion_kwargs: Any) -> GraphExtractor:
    """Rules when no model is named; otherwise that model, falling back to rules."""
    rules = RuleGraphExtractor()
    if llm_model is None or not llm_model.strip():
        return rules
    return FallbackGraphExtractor(LLMGraphExtractor(llm_model.strip(), **completion_kwargs), rules)
