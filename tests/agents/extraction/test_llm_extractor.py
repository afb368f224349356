"""The LLM path, through litellm's own mock_response: parsing, retries, ids, token counts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from agents import llm
from agents.extraction import EpisodeText, ExtractionError, LLMExtractor
from agents.extraction.prompt import build_messages
from tests.agents.extraction.conftest import NOW

MODEL = "gpt-4o-mini"
# litellm's mock responses report 10 prompt and 20 completion tokens per call
MOCK_PROMPT_TOKENS, MOCK_COMPLETION_TOKENS = 10, 20

EPISODES = [
    EpisodeText("e1", "user", "I moved to Berlin last month.", NOW, "s1"),
    EpisodeText("e2", "assistant", "Berlin is a great city!", NOW, "s1"),
    EpisodeText("e3", "user", "I'm vegetarian since 2024-03-01, by the way.", NOW, "s1"),
]


def fact(**changes: Any) -> dict[str, Any]:
    base = {
        "subject": "user",
        "attribute": "location",
        "statement": "User lives in Berlin.",
        "kind": "fact",
        "when": "last month",
        "negated": False,
        "confidence": 0.9,
        "source_ids": ["e1"],
    }
    return {**base, **changes}


def reply(*facts: dict[str, Any]) -> str:
    return json.dumps({"facts": list(facts)})


class Scripted:
    """Calls the real :func:`agents.llm.complete` with a different mock answer each time, recording messages."""

    def __init__(self, *answers: str) -> None:
        self._answers: Iterator[str] = iter(answers)
        self.calls: list[list[dict[str, str]]] = []

    def __call__(self, model: str, messages: list[dict[str, str]], **kwargs: Any) -> llm.Completion:
        self.calls.append(list(messages))
        return llm.complete(model, messages, **{**kwargs, "mock_response": next(self._answers)})


def test_good_json_becomes_candidate_facts() -> None:
    answer = reply(
        fact(),
        fact(
            subject="User",
            attribute="Diet",
            statement="User is vegetarian",
            kind="Profile",
            when="2024-03-01",
            source_ids=["e3"],
        ),
    )
    result = LLMExtractor(MODEL, mock_response=answer).extract(EPISODES)

    assert result.backend == "llm:gpt-4o-mini"
    assert (result.prompt_tokens, result.completion_tokens) == (MOCK_PROMPT_TOKENS, MOCK_COMPLETION_TOKENS)
    assert result.warnings == ()
    moved, diet = result.facts
    assert (moved.subject, moved.attribute, moved.statement, moved.kind) == (
        "user",
        "location",
        "User lives in Berlin.",
        "fact",
    )
    assert moved.valid_at == datetime(2023, 4, 1, tzinfo=UTC)  # "last month" resolved against e1's time
    assert moved.source_episode_ids == ("e1",)
    assert moved.confidence == 0.9
    assert (diet.subject, diet.attribute, diet.statement, diet.kind) == (
        "user",
        "diet",
        "User is vegetarian.",
        "profile",
    )
    assert diet.valid_at == datetime(2024, 3, 1, tzinfo=UTC)


def test_missing_when_means_the_episode_time_and_unresolvable_means_unknown() -> None:
    answer = reply(fact(when=None), fact(attribute="origin", statement="User is from Ulm.", when="as a child"))
    first, second = LLMExtractor(MODEL, mock_response=answer).extract(EPISODES).facts
    assert first.valid_at == NOW
    assert second.valid_at is None


def test_plan_times_point_ahead() -> None:
    answer = reply(fact(attribute="plan:trip_rome", statement="User plans a trip to Rome.", kind="plan", when="August"))
    (plan,) = LLMExtractor(MODEL, mock_response=answer).extract(EPISODES).facts
    assert plan.valid_at == datetime(2023, 8, 1, tzinfo=UTC)


def test_markdown_fences_are_tolerated() -> None:
    answer = f"```json\n{reply(fact())}\n```"
    assert len(LLMExtractor(MODEL, mock_response=answer).extract(EPISODES).facts) == 1


def test_unknown_ids_are_dropped() -> None:
    answer = reply(
        fact(source_ids=["e1", "e99"]),
        fact(attribute="pet:dog", statement="User has a dog.", source_ids=["made-up"]),
    )
    result = LLMExtractor(MODEL, mock_response=answer).extract(EPISODES)
    assert [(item.statement, item.source_episode_ids) for item in result.facts] == [("User lives in Berlin.", ("e1",))]
    assert result.warnings == ("dropped 1 fact(s) citing episode ids not in the batch",)


def test_malformed_output_is_retried_with_the_problem_named() -> None:
    scripted = Scripted('{"facts": [', reply(fact()))
    result = LLMExtractor(MODEL, complete=scripted).extract(EPISODES)

    assert [item.statement for item in result.facts] == ["User lives in Berlin."]
    assert len(scripted.calls) == 2
    retry = scripted.calls[1]
    assert retry[:2] == build_messages(EPISODES)
    assert retry[2] == {"role": "assistant", "content": '{"facts": ['}
    assert retry[3]["role"] == "user" and "not valid JSON" in retry[3]["content"]
    assert (result.prompt_tokens, result.completion_tokens) == (2 * MOCK_PROMPT_TOKENS, 2 * MOCK_COMPLETION_TOKENS)


def test_schema_errors_are_retried_too() -> None:
    scripted = Scripted(reply(fact(kind="opinion")), reply(fact()))
    result = LLMExtractor(MODEL, complete=scripted).extract(EPISODES)
    assert len(result.facts) == 1
    assert "facts.0.kind" in scripted.calls[1][3]["content"]


def test_persistent_garbage_raises_a_clear_error() -> None:
    extractor = LLMExtractor(MODEL, max_retries=2, mock_response="Sure! Here are the facts you asked for.")
    with pytest.raises(ExtractionError) as caught:
        extractor.extract(EPISODES)
    error = caught.value
    assert "'gpt-4o-mini'" in str(error) and "3 time(s)" in str(error) and "not valid JSON" in str(error)
    assert (error.model, error.attempts) == (MODEL, 3)
    assert (error.prompt_tokens, error.completion_tokens) == (3 * MOCK_PROMPT_TOKENS, 3 * MOCK_COMPLETION_TOKENS)


def test_missing_fields_are_named_in_the_error() -> None:
    broken = {key: value for key, value in fact().items() if key != "statement"}
    with pytest.raises(ExtractionError, match=r"facts\.0\.statement: Field required"):
        LLMExtractor(MODEL, max_retries=0, mock_response=reply(broken)).extract(EPISODES)


def test_an_unreachable_model_raises_llm_error() -> None:
    with pytest.raises(llm.LLMError, match="gpt-4o-mini"):
        LLMExtractor(MODEL, mock_response=Exception("connection refused")).extract(EPISODES)


def test_an_empty_batch_makes_no_call() -> None:
    def refuse(*args: Any, **kwargs: Any) -> llm.Completion:
        raise AssertionError("no model call expected")

    result = LLMExtractor(MODEL, complete=refuse).extract([])
    assert (result.facts, result.prompt_tokens) == ((), 0)


def test_the_prompt_carries_date_ids_and_times() -> None:
    system, user = build_messages(EPISODES)
    assert system["role"] == "system" and '{"facts": [...]}' in system["content"]
    assert user["content"].startswith("Conversation date: 2023-05-30 (Tuesday)")
    assert "[id=e1] 2023-05-30T23:40+00:00 user: I moved to Berlin last month." in user["content"]
    assert "[id=e2] 2023-05-30T23:40+00:00 assistant:" in user["content"]


def test_max_retries_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        LLMExtractor(MODEL, max_retries=-1)
