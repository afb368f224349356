"""A memory manager that asks a primary manager and falls back to another when it fails.

Falls back when the model cannot be reached (:class:`agents.llm.LLMError`) and when it
answers unusably (:class:`ConsolidationError`): either way the candidate still gets a decision.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from agents.consolidation.base import MemoryManager
from agents.consolidation.llm_manager import ConsolidationError
from agents.consolidation.models import Decision, KnownMemory
from agents.extraction.models import CandidateFact
from agents.llm import LLMError

logger = logging.getLogger(__name__)


class FallbackMemoryManager:
    """``primary`` first; ``fallback`` for the candidate when the primary's model fails."""

    def __init__(self, primary: MemoryManager, fallback: MemoryManager) -> None:
        self.primary = primary
        self.fallback = fallback

    @property
    def name(self) -> str:
        return f"{self.primary.name}|{self.fallback.name}"

    def decide(self, candidate: CandidateFact, known: Sequence[KnownMemory]) -> Decision:
        try:
            return self.primary.decide(candidate, known)
        except (LLMError, ConsolidationError) as exc:
            logger.warning("%s failed (%s); deciding with %s instead", self.primary.name, exc, self.fallback.name)
            decision = self.fallback.decide(candidate, known)
            return replace(decision, reason=f"{decision.reason} (fallback: {self.primary.name} failed)")
