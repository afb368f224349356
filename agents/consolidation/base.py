"""The memory manager interface: one decision per candidate fact."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from agents.consolidation.models import Decision, KnownMemory
from agents.extraction.models import CandidateFact


@runtime_checkable
class MemoryManager(Protocol):
    """Decides what a candidate fact does to the memories related to it.

    ``known`` are the related memories the caller found (same slot, similar text), any status;
    the decision's ``target`` is one of their keys.
    """

    @property
    def name(self) -> str: ...

    def decide(self, candidate: CandidateFact, known: Sequence[KnownMemory]) -> Decision: ...
