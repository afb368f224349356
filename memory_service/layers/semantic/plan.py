"""Deciding a batch of candidate facts against a user's memories, before anything is written.

The decisions of one batch depend on each other (a batch may say "I live in Lisbon" and then
"I moved to Berlin"), so each candidate is decided against a working copy of the user's
memories that already holds the earlier decisions' effects. Deciding may call an LLM, so it
happens outside any transaction; the service then applies the resulting steps in one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from agents.consolidation import Decision, KnownMemory, MemoryManager
from agents.consolidation.attributes import same_slot
from agents.extraction import CandidateFact
from retrieval.lexical import BM25Index

RELATED_DEPTH = 8
"""Memories found by each of dense and lexical similarity for one candidate (plus its slot)."""


@dataclass
class WorkingMemory:
    """A memory as the batch has left it so far. ``key`` is its primary key, or negative for a
    memory the batch creates."""

    key: int
    subject: str
    attribute: str
    text: str
    status: str
    valid_at: datetime | None
    invalid_at: datetime | None
    vector: np.ndarray
    sources: list[str] = field(default_factory=list)
    invalidated_by: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    """One decision and the candidate it was made for; ``created`` is the key of the memory the
    decision creates (ADD, or UPDATE with supersede)."""

    candidate: CandidateFact
    decision: Decision
    created: int | None = None


class Plan:
    """The working copy of one user's memories and the steps decided against it."""

    def __init__(
        self,
        memories: Sequence[WorkingMemory],
        embed: Callable[[list[str]], np.ndarray],
        *,
        now: datetime,
        depth: int = RELATED_DEPTH,
    ) -> None:
        self.memories = {m.key: m for m in memories}
        self.steps: list[Step] = []
        self._embed = embed
        self._now = now
        self._depth = depth
        self._next_key = -1
        self._lexical = BM25Index()
        self._lexical.add(list(self.memories), [m.text for m in self.memories.values()])

    def decide(self, manager: MemoryManager, candidates: Sequence[CandidateFact], vectors: np.ndarray) -> list[Step]:
        for candidate, vector in zip(candidates, vectors, strict=True):
            decision = manager.decide(candidate, self.related(candidate, vector))
            self.steps.append(self._take(candidate, decision, vector))
        return self.steps

    def related(self, candidate: CandidateFact, vector: np.ndarray) -> list[KnownMemory]:
        """The memories of the candidate's slot, and the closest by dense and by lexical similarity."""
        if not self.memories:
            return []
        keys = list(self.memories)
        matrix = np.stack([self.memories[k].vector for k in keys])
        similarity = dict(zip(keys, (matrix @ vector).tolist(), strict=True))
        chosen = {
            k
            for k, m in self.memories.items()
            if same_slot(m.subject, m.attribute, candidate.subject, candidate.attribute)
        }
        chosen.update(sorted(keys, key=lambda k: similarity[k], reverse=True)[: self._depth])
        chosen.update(k for k, _ in self._lexical.search(candidate.statement, self._depth))
        ordered = sorted(chosen, key=lambda k: similarity[k], reverse=True)
        return [self._known(self.memories[k], similarity[k]) for k in ordered]

    def _take(self, candidate: CandidateFact, decision: Decision, vector: np.ndarray) -> Step:
        """Apply the decision to the working copy."""
        sources = list(candidate.source_episode_ids)
        target = self.memories.get(decision.target) if decision.target is not None else None
        if decision.event == "ADD":
            return Step(candidate, decision, self._create(candidate, decision, vector))
        assert target is not None  # a Decision other than ADD always names one the manager was shown
        if decision.event == "DELETE":
            target.status = "invalid"
            target.invalid_at = decision.invalid_at or self._now
            target.invalidated_by = _union(target.invalidated_by, sources)
        elif decision.event == "NOOP":
            if decision.reinforce and target.status == "active":
                target.sources = _union(target.sources, sources)
        elif decision.supersede:
            target.status = "invalid"
            target.invalid_at = decision.valid_at or self._now
            target.invalidated_by = _union(target.invalidated_by, sources)
            return Step(candidate, decision, self._create(candidate, decision, vector))
        else:
            if decision.text != target.text:
                target.vector = vector if decision.text == candidate.statement else self._embed([decision.text])[0]
                target.text = decision.text
                self._lexical.remove([target.key])
                self._lexical.add([target.key], [target.text])
            target.sources = _union(target.sources, sources)
        return Step(candidate, decision)

    def _create(self, candidate: CandidateFact, decision: Decision, vector: np.ndarray) -> int:
        key = self._next_key
        self._next_key -= 1
        if decision.text != candidate.statement:
            vector = self._embed([decision.text])[0]
        self.memories[key] = WorkingMemory(
            key=key,
            subject=candidate.subject,
            attribute=candidate.attribute,
            text=decision.text,
            status="invalid" if decision.invalid_at is not None else "active",
            valid_at=decision.valid_at,
            invalid_at=decision.invalid_at,
            vector=vector,
            sources=list(candidate.source_episode_ids),
        )
        self._lexical.add([key], [decision.text])
        return key

    @staticmethod
    def _known(memory: WorkingMemory, similarity: float) -> KnownMemory:
        return KnownMemory(
            key=memory.key,
            subject=memory.subject,
            attribute=memory.attribute,
            text=memory.text,
            status="invalid" if memory.status == "invalid" else "active",
            valid_at=memory.valid_at,
            invalid_at=memory.invalid_at,
            similarity=float(similarity),
            source_episode_ids=tuple(memory.sources),
            invalidated_by=tuple(memory.invalidated_by),
        )


def _union(first: Sequence[str], second: Sequence[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))
