"""The rule-based extractor does useful, well-formed work on real benchmark conversations."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agents.extraction import FACT_KINDS, CandidateFact, EpisodeText, RuleBasedExtractor
from memory_service.evaluation.datasets import load_locomo, load_longmemeval
from tests.conftest import shared_data_dir

ORACLE = shared_data_dir() / "longmemeval" / "longmemeval_oracle_dev.json"
LOCOMO = shared_data_dir() / "locomo" / "locomo_dev.json"
ATTRIBUTE = re.compile(r"[a-z][a-z_]*(?::[a-z0-9_]+)*")


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"benchmark sample not found at {path}; set MEMORY_SHARED_DATA")
    return path


def longmemeval_user_turns() -> list[list[EpisodeText]]:
    seen: set[str] = set()
    batches = []
    for question in load_longmemeval(need(ORACLE)):
        for session in question.sessions:
            if session.session_id in seen:
                continue
            seen.add(session.session_id)
            batches.append(
                [
                    EpisodeText(f"{session.session_id}_{index}", "user", turn.content, session.date, session.session_id)
                    for index, turn in enumerate(session.turns, start=1)
                    if turn.role == "user"
                ]
            )
    return batches


def locomo_turns() -> list[list[EpisodeText]]:
    conversation = load_locomo(need(LOCOMO)).conversations[0]
    return [
        [EpisodeText(turn.dia_id, turn.speaker, turn.raw_text, session.date) for turn in session.turns]
        for session in conversation.sessions
    ]


def run(batches: list[list[EpisodeText]]) -> tuple[int, list[tuple[CandidateFact, list[EpisodeText]]]]:
    extractor = RuleBasedExtractor()
    found = [(fact, batch) for batch in batches for fact in extractor.extract(batch).facts]
    return sum(len(batch) for batch in batches), found


def assert_well_formed(fact: CandidateFact, batch: list[EpisodeText]) -> None:
    label = "User" if fact.subject == "user" else fact.subject
    assert fact.statement.startswith(f"{label} ") or fact.statement.startswith(f"{label}'s "), fact
    assert fact.statement.endswith(".") and "?" not in fact.statement, fact
    assert 3 <= len(fact.statement.split()) <= 30, fact
    assert not re.search(r"\b(?:you|your|I|my|me)\b", fact.statement), fact
    assert ATTRIBUTE.fullmatch(fact.attribute), fact
    assert fact.kind in FACT_KINDS
    assert fact.valid_at is not None and fact.valid_at.tzinfo is not None
    ids = {episode.id for episode in batch}
    assert fact.source_episode_ids and set(fact.source_episode_ids) <= ids, fact


def test_longmemeval_user_turns_yield_well_formed_facts() -> None:
    turns, found = run(longmemeval_user_turns())
    assert turns > 150
    assert len(found) >= 0.25 * turns, f"only {len(found)} facts from {turns} turns"
    for fact, batch in found:
        assert_well_formed(fact, batch)
        assert fact.subject == "user"
    kinds = Counter(fact.kind for fact, _ in found)
    assert {"event", "plan", "preference", "fact"} <= set(kinds), kinds
    by_statement = {fact.statement: fact for fact, _ in found}
    assert by_statement["User has a cat named Luna."].attribute == "pet:cat"
    goal = by_statement["User's goal is to reach 1000 miles."]  # "by the end of summer", said on 2023-05-05
    assert (goal.kind, goal.valid_at) == ("plan", datetime(2023, 6, 1, tzinfo=UTC))


def test_locomo_facts_are_about_the_named_speaker() -> None:
    turns, found = run(locomo_turns())
    assert turns == 419
    assert len(found) >= 0.08 * turns, f"only {len(found)} facts from {turns} turns"
    for fact, batch in found:
        assert_well_formed(fact, batch)
    assert {fact.subject for fact, _ in found} == {"Caroline", "Melanie"}
    by_statement = {fact.statement: fact for fact, _ in found}
    support_group = by_statement["Caroline went to a LGBTQ support group."]
    assert support_group.valid_at == datetime(2023, 5, 7, tzinfo=UTC)  # "yesterday", said on 8 May 2023
    assert support_group.source_episode_ids == ("D1:3",)
    assert by_statement["Melanie ran a charity race for mental health."].valid_at == datetime(2023, 5, 20, tzinfo=UTC)
