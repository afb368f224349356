"""Consolidation: decide what each candidate fact does to the semantic memories already known.

A :class:`MemoryManager` takes a :class:`~agents.extraction.CandidateFact` and the related
:class:`KnownMemory` values the caller found, and returns a :class:`Decision`: ADD, UPDATE
(merge in place, or supersede a single-valued fact with a newer one), DELETE (invalidate,
never erase) or NOOP (already known: reinforce). The deterministic :class:`RuleMemoryManager`
needs no model; :class:`LLMMemoryManager` asks one and :class:`FallbackMemoryManager` puts
the rules behind it. Nothing here knows about the store.
"""

from agents.consolidation.attributes import is_single_valued, normalized
from agents.consolidation.base import MemoryManager
from agents.consolidation.factory import build_memory_manager
from agents.consolidation.fallback import FallbackMemoryManager
from agents.consolidation.llm_manager import ConsolidationError, DecisionReply, LLMMemoryManager
from agents.consolidation.models import EVENTS, Decision, Event, KnownMemory, MemoryStatus
from agents.consolidation.rules import RuleMemoryManager, replay_of

__all__ = [
    "EVENTS",
    "ConsolidationError",
    "Decision",
    "DecisionReply",
    "Event",
    "FallbackMemoryManager",
    "KnownMemory",
    "LLMMemoryManager",
    "MemoryManager",
    "MemoryStatus",
    "RuleMemoryManager",
    "build_memory_manager",
    "is_single_valued",
    "normalized",
    "replay_of",
]
