"""Pick the extractor for a configuration: rules alone, or an LLM with rules behind it."""

from __future__ import annotations

from typing import Any

from agents.extraction.base import Extractor
from agents.extraction.fallback import FallbackExtractor
from agents.extraction.llm_extractor import LLMExtractor
from agents.extraction.rules import RuleBasedExtractor


def build_extractor(llm_model: str | None, **completion_kwargs: Any) -> Extractor:
    """The rule-based extractor when no model is named; otherwise that model, falling back to rules.

    ``completion_kwargs`` go to every model call (``api_base``, ``timeout_s``, ...).
    """
    rules = RuleBasedExtractor()
    if llm_model is None or not llm_model.strip():
        return rules
    return FallbackExtractor(LLMExtractor(llm_model.strip(), **completion_kwargs), rules)
