"""The LLM memory manager through litellm's mock_response: each decision, bad answers, fallback."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from agents.consolidation import (
    ConsolidationError,
    FallbackMemoryManager,
    KnownMemory,
    LLMMemoryManager,
    RuleMemoryManager,
    build_memory_manager,
)
from agents.extraction import CandidateFact

JAN, MAR = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 3, 1, tzinfo=UTC)
CANDIDATE = CandidateFact("user", "location", "User moved to Berlin.", "fact", MAR, False, 0.8, ("ep_2",))
NEGATION = CandidateFact("user", "location", "User no longer lives in Lisbon.", "fact", MAR, True, 0.8, ("ep_3",))
KNOWN = [
    KnownMemory(11, "user", "location", "User lives in Lisbon.", "active", JAN, None, 0.7, ("ep_1",)),
    KnownMemory(12, "user", "preference:sushi", "User loves sushi.", "active", JAN, None, 0.2, ("ep_1",)),
]


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A real model call must be impossible here: only mock_response answers."""
    original = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise AssertionError(f"no network in LLM manager tests (tried {address!r})")
        return original(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield


def manager(answer: Any) -> LLMMemoryManager:
    return LLMMemoryManager("gpt-4o-mini", mock_response=json.dumps(answer) if isinstance(answer, dict) else answer)


@pytest.mark.parametrize(
    ("answer", "candidate", "expected"),
    [
        ({"event": "ADD", "target": None, "text": None}, CANDIDATE, ("ADD", None, False, "User moved to Berlin.")),
        (
            {"event": "UPDATE", "target": 1, "text": "User lives in Berlin.", "supersede": True},
            CANDIDATE,
            ("UPDATE", 11, True, "User lives in Berlin."),
        ),
        (
            {"event": "UPDATE", "target": 2, "text": "User loves sushi and ramen.", "supersede": False},
            CANDIDATE,
            ("UPDATE", 12, False, "User loves sushi and ramen."),
        ),
        ({"event": "DELETE", "target": 1}, NEGATION, ("DELETE", 11, False, "User lives in Lisbon.")),
        ({"event": "NOOP", "target": 1, "reason": "known"}, CANDIDATE, ("NOOP", 11, False, "User lives in Lisbon.")),
    ],
    ids=["add", "update-supersede", "update-merge", "delete", "noop"],
)
def test_each_decision_from_the_model(
    answer: dict[str, Any], candidate: CandidateFact, expected: tuple[str, int | None, bool, str]
) -> None:
    decision = manager(answer).decide(candidate, KNOWN)
    assert (decision.event, decision.target, decision.supersede, decision.text) == expected
    assert decision.decided_by == "llm:gpt-4o-mini"
    if decision.event == "DELETE":
        assert decision.invalid_at == MAR
    if decision.supersede:
        assert decision.valid_at == MAR


@pytest.mark.parametrize(
    "answer",
    ["not json", json.dumps({"event": "MERGE", "target": 1}), json.dumps({"event": "DELETE", "target": 7})],
    ids=["not-json", "unknown-event", "unshown-target"],
)
def test_unusable_answers_are_refused(answer: str) -> None:
    with pytest.raises(ConsolidationError):
        manager(answer).decide(CANDIDATE, KNOWN)


@pytest.mark.parametrize("failure", [Exception("provider down"), "garbage"], ids=["unreachable", "unusable"])
def test_the_rules_decide_when_the_model_fails(failure: Any) -> None:
    fallback = FallbackMemoryManager(LLMMemoryManager("gpt-4o-mini", mock_response=failure), RuleMemoryManager())
    decision = fallback.decide(CANDIDATE, KNOWN)
    assert (decision.event, decision.target, decision.supersede) == ("UPDATE", 11, True)
    assert decision.decided_by == "rules" and "fallback" in decision.reason


def test_replays_never_reach_the_model() -> None:
    replay = CandidateFact("user", "location", "User lives in Lisbon.", "fact", JAN, False, 0.8, ("ep_1",))
    decision = manager(Exception("must not be called")).decide(replay, KNOWN)
    assert decision.event == "NOOP" and decision.target == 11 and not decision.reinforce


def test_factory_picks_rules_without_a_model_and_falls_back_with_one() -> None:
    assert isinstance(build_memory_manager(None), RuleMemoryManager)
    built = build_memory_manager("gpt-4o-mini")
    assert isinstance(built, FallbackMemoryManager) and built.name == "llm:gpt-4o-mini|rules"
