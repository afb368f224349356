"""Pick the memory manager for a configuration: rules alone, or an LLM with rules behind it."""

from __future__ import annotations

from typing import Any

from agents.consolidation.base import MemoryManager
from agents.consolidation.fallback import FallbackMemoryManager
from agents.consolidation.llm_manager import LLMMemoryManager
from agents.consolidation.rules import RuleMemoryManager


def build_memory_manager(llm_model: str | None, **completion_kwargs: Any) -> MemoryManager:
    """The deterministic manager when no model is named; otherwise that model, falling back to rules."""
    rules = RuleMemoryManager()
    if llm_model is None or not llm_model.strip():
        return rules
    return FallbackMemoryManager(LLMMemoryManager(llm_model.strip(), **completion_kwargs), rules)
