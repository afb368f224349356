"""The deterministic memory manager: similarity, slots, negation and time decide.

The procedure, for one candidate against the related memories it is given:

1. a replay (same statement from episodes already recorded, or a negation already applied)
   is a NOOP, so consolidating the same candidates twice changes nothing;
2. a negated candidate ("no longer lives in Madrid") invalidates the active memory of its slot
   (or, failing that, the closest active memory of its attribute family) with a DELETE; one
   that names its value ("quit Siemens") ends only a memory naming that value; with nothing to
   invalidate, the negative statement is itself added;
3. an active memory saying the same (equal words, or cosine >= ``duplicate``) is a NOOP;
   an invalidated one is too when the candidate dates from before it stopped being true;
4. on a single-valued attribute (location, job, employer, diet, partner...) a candidate for an
   occupied slot replaces the current value (UPDATE with supersede) when it is not older than
   it, and is added as an already-invalid past value when it is older;
5. on a multi-valued attribute (likes, pets...) a close restatement of the slot's value
   (cosine >= ``merge``) is merged in place (UPDATE); anything else is added.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from agents.consolidation.attributes import family, is_single_valued, normalized, same_slot
from agents.consolidation.models import Decision, KnownMemory
from agents.extraction.models import CandidateFact


@dataclass(frozen=True, slots=True)
class ConsolidationThresholds:
    """Cosine similarities (the embedder's, in [-1, 1]) at which a candidate meets a memory.

    Set by hand for all-MiniLM-L6-v2 and not yet tuned on a benchmark: the semantic layer's
    tests pin the decisions they produce, and a change is measured with ``bench.keys_quality``
    (fact keys) before it becomes a default.
    """

    duplicate: float = 0.92
    """At or above: the same fact said again (NOOP). High, because a NOOP loses the new wording;
    MiniLM scores paraphrases with the same content words above it, different values below."""
    merge: float = 0.85
    """At or above, on a multi-valued slot: a restatement merged in place (UPDATE) rather than
    a second value beside it. Below ``duplicate``, so a reworded value replaces the old text."""
    negation: float = 0.6
    """At or above: a negation with no slot of its own ends the closest memory of its attribute
    family. Low, because the negated text ("no longer in Madrid") shares little with the fact."""


def replay_of(candidate: CandidateFact, known: Sequence[KnownMemory]) -> Decision | None:
    """NOOP when the candidate was consolidated before: same words from the same episodes, or a
    negation from episodes that already ended a memory."""
    sources = set(candidate.source_episode_ids)
    if not sources:
        return None
    words = normalized(candidate.statement)
    for memory in known:
        if memory.status == "deleted":
            continue
        learned = normalized(memory.text) == words and sources <= set(memory.source_episode_ids)
        ended = candidate.negated and sources <= set(memory.invalidated_by)
        if learned or ended:
            return Decision(
                "NOOP", memory.text, memory.key, reinforce=False, reason="already consolidated from these episodes"
            )
    return None


class RuleMemoryManager:
    """Decides ADD / UPDATE / DELETE / NOOP without a model; see the module docstring."""

    name = "rules"

    def __init__(self, thresholds: ConsolidationThresholds | None = None) -> None:
        self.thresholds = thresholds or ConsolidationThresholds()

    def decide(self, candidate: CandidateFact, known: Sequence[KnownMemory]) -> Decision:
        replay = replay_of(candidate, known)
        if replay is not None:
            return replay
        text = candidate.statement
        live = [m for m in known if m.status == "active"]
        slot = [m for m in live if same_slot(m.subject, m.attribute, candidate.subject, candidate.attribute)]
        if candidate.negated:
            return self._negation(candidate, live, slot)
        words = normalized(text)
        same = [m for m in live if self._says_the_same(m, candidate, words)]
        if same:
            best = max(same, key=lambda m: m.similarity)
            return Decision("NOOP", best.text, best.key, reason="already known")
        past = [
            m
            for m in known
            if m.status == "invalid"
            and self._says_the_same(m, candidate, words)
            and _before(candidate.valid_at, m.invalid_at)
        ]
        if past:
            best = max(past, key=lambda m: m.similarity)
            return Decision("NOOP", best.text, best.key, reason="a past fact already known")
        if slot and is_single_valued(candidate.attribute):
            current = max(slot, key=lambda m: _sort_time(m.valid_at))
            if _before(candidate.valid_at, current.valid_at):
                return Decision(
                    "ADD",
                    text,
                    valid_at=candidate.valid_at,
                    invalid_at=current.valid_at,
                    reason=f"older than the current {candidate.attribute}",
                )
            return Decision(
                "UPDATE",
                text,
                current.key,
                supersede=True,
                valid_at=candidate.valid_at,
                reason=f"a newer {candidate.attribute} replaces the current one",
            )
        if slot:
            closest = max(slot, key=lambda m: m.similarity)
            if closest.similarity >= self.thresholds.merge:
                return Decision("UPDATE", text, closest.key, reason="a restatement of the same fact")
        return Decision("ADD", text, valid_at=candidate.valid_at, reason="new")

    def _negation(self, candidate: CandidateFact, live: list[KnownMemory], slot: list[KnownMemory]) -> Decision:
        targets = slot or [
            m
            for m in live
            if m.subject.lower() == candidate.subject.lower()
            and family(m.attribute) == family(candidate.attribute)
            and m.similarity >= self.thresholds.negation
        ]
        # A negation older than the value it would end says nothing about that value.
        targets = [m for m in targets if not _before(candidate.valid_at, m.valid_at)]
        if candidate.value:
            # "I quit Siemens" ends the memory naming Siemens, never a newer employer beside it.
            value = normalized(candidate.value)
            targets = [m for m in targets if value in normalized(m.text)]
        if targets:
            target = max(targets, key=lambda m: m.similarity)
            return Decision(
                "DELETE",
                target.text,
                target.key,
                invalid_at=candidate.valid_at,
                reason=f"no longer true: {candidate.statement}",
            )
        return Decision("ADD", candidate.statement, valid_at=candidate.valid_at, reason="a negative fact")

    def _says_the_same(self, memory: KnownMemory, candidate: CandidateFact, words: str) -> bool:
        if normalized(memory.text) == words:
            return True
        return memory.subject.lower() == candidate.subject.lower() and memory.similarity >= self.thresholds.duplicate


def _before(first: datetime | None, second: datetime | None) -> bool:
    """``first`` is strictly earlier than ``second``; unknown times are never earlier."""
    return first is not None and second is not None and first < second


def _sort_time(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else float("-inf")
