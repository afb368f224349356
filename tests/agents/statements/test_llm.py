"""The LLM path, through litellm's own mock_response: one call per batch, parsing, retries, ids, tokens."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from agents import llm
from agents.extraction import EpisodeText
from agents.statements import LLMStatementExtractor, StatementExtractionError, facts_view, graph_view
from agents.statements.prompt import build_messages
from tests.agents.extraction.conftest import NOW

MODEL = "gpt-4o-mini"
# litellm's mock responses report 10 prompt and 20 completion tokens per call
MOCK_PROMPT_TOKENS, MOCK_COMPLETION_TOKENS = 10, 20

EPISODES = [
    EpisodeText("e1", "user", "I moved to Berlin last month.", NOW, "s1"),
    EpisodeText("e2", "assistant", "Berlin is a great city!", NOW, "s1"),
    EpisodeText("e3", "user", "I quit Siemens and I'm vegetarian since 2024-03-01.", NOW, "s1"),
]


def said(**changes: Any) -> dict[str, Any]:
    base = {
        "subject": "user",
        "attribute": "location",
        "statement": "User lives in Berlin.",
        "kind": "fact",
        "polarity": "holds",
        "value": "Berlin",
        "value_type": "place",
        "predicate": "lives_in",
        "valid_from": "last month",
        "confidence": 0.9,
        "source_ids": ["e1"],
    }
    return {**base, **changes}


def reply(*statements: dict[str, Any], entities: list[dict[str, Any]] | None = None) -> str:
    body: dict[str, Any] = {"statements": list(statements)}
    if entities is not None:
        body["entities"] = entities
    return json.dumps(body)


class Scripted:
    """Calls the real :func:`agents.llm.complete` with a different mock answer each time, recording messages."""

    def __init__(self, *answers: str) -> None:
        self._answers: Iterator[str] = iter(answers)
        self.calls: list[list[dict[str, str]]] = []

    def __call__(self, model: str, messages: list[dict[str, str]], **kwargs: Any) -> llm.Completion:
        self.calls.append(list(messages))
        return llm.complete(model, messages, **{**kwargs, "mock_response": next(self._answers)})


def test_one_call_reads_statements_for_both_layers() -> None:
    quit_job = said(
        attribute="employer",
        statement="User left Siemens",
        kind="Profile",
        polarity="Stopped",
        value="Siemens",
        value_type="organization",
        predicate="Works At",
        valid_from=None,
        source_ids=["e3"],
    )
    diet = said(attribute="Diet", statement="User is vegetarian.", kind="profile", value="vegetarian", predicate=None)
    diet.update(valid_from="2024-03-01", source_ids=["e3"])
    scripted = Scripted(reply(said(), quit_job, diet, entities=[{"name": "Siemens", "type": "organization"}]))
    batch = LLMStatementExtractor(MODEL, complete=scripted).extract(EPISODES)

    assert len(scripted.calls) == 1
    assert batch.backend == "llm:gpt-4o-mini" and batch.warnings == ()
    assert (batch.prompt_tokens, batch.completion_tokens) == (MOCK_PROMPT_TOKENS, MOCK_COMPLETION_TOKENS)
    by_text = {s.text: s for s in batch.statements}
    moved, left, vegetarian = (
        by_text["User lives in Berlin."],
        by_text["User left Siemens."],
        by_text["User is vegetarian."],
    )
    assert moved.valid_from == datetime(2023, 4, 1, tzinfo=UTC)  # "last month" read against e1's time
    assert (left.polarity, left.predicate, left.value, left.kind) == ("stopped", "works_at", "Siemens", "profile")
    assert left.valid_until == NOW  # an ending with no time said ends when it was said
    assert (vegetarian.attribute, vegetarian.predicate) == ("diet", None)

    facts = {f.statement: f for f in facts_view(batch)}
    assert facts["User left Siemens."].negated and facts["User left Siemens."].value == "Siemens"
    assert not facts["User lives in Berlin."].negated
    view = graph_view(batch)
    relations = {(r.source, r.predicate, r.target, r.ended) for r in view.relations}
    assert relations == {("user", "lives_in", "Berlin", False), ("user", "works_at", "Siemens", True)}
    assert {e.name: e.type for e in view.entities}["Berlin"] == "place"


def test_an_inverse_relation_points_from_the_value() -> None:
    sister = said(
        attribute="relationship:sister",
        statement="Ana is User's sister.",
        value="Ana",
        value_type="person",
        predicate="sister_of",
        inverse=True,
        valid_from=None,
    )
    batch = LLMStatementExtractor(MODEL, mock_response=reply(sister)).extract(EPISODES)
    (relation,) = graph_view(batch).relations
    assert (relation.source, relation.predicate, relation.target) == ("Ana", "sister_of", "user")


def test_a_partial_answer_is_usable() -> None:
    minimal = {
        "subject": "user",
        "attribute": "pet:dog",
        "statement": "User has a dog",
        "kind": "fact",
        "source_ids": "e1",
    }
    batch = LLMStatementExtractor(MODEL, mock_response=json.dumps({"statements": [minimal]})).extract(EPISODES)
    (statement,) = batch.statements
    assert (statement.polarity, statement.value, statement.predicate, statement.valid_from) == (
        "holds",
        None,
        None,
        NOW,
    )
    assert batch.entities == () and graph_view(batch).relations == ()
    assert [f.statement for f in facts_view(batch)] == ["User has a dog."]


def test_unknown_ids_are_dropped() -> None:
    answer = reply(said(source_ids=["e1", "e99"]), said(statement="User has a dog.", source_ids=["made-up"]))
    batch = LLMStatementExtractor(MODEL, mock_response=answer).extract(EPISODES)
    assert [(s.text, s.source_episode_ids) for s in batch.statements] == [("User lives in Berlin.", ("e1",))]
    assert batch.warnings == ("dropped 1 statement(s) citing episode ids not in the batch",)


def test_plan_times_point_ahead() -> None:
    plan = said(attribute="plan:trip_rome", statement="User plans a trip to Rome.", kind="plan", valid_from="August")
    (statement,) = LLMStatementExtractor(MODEL, mock_response=reply(plan)).extract(EPISODES).statements
    assert statement.valid_from == datetime(2023, 8, 1, tzinfo=UTC)


def test_markdown_fences_are_tolerated() -> None:
    answer = f"```json\n{reply(said())}\n```"
    assert len(LLMStatementExtractor(MODEL, mock_response=answer).extract(EPISODES).statements) == 1


def test_malformed_output_is_retried_with_the_problem_named() -> None:
    scripted = Scripted('{"statements": [', reply(said()))
    batch = LLMStatementExtractor(MODEL, complete=scripted).extract(EPISODES)

    assert [s.text for s in batch.statements] == ["User lives in Berlin."]
    retry = scripted.calls[1]
    assert retry[:2] == build_messages(EPISODES)
    assert retry[2] == {"role": "assistant", "content": '{"statements": ['}
    assert retry[3]["role"] == "user" and "not valid JSON" in retry[3]["content"]
    assert (batch.prompt_tokens, batch.completion_tokens) == (2 * MOCK_PROMPT_TOKENS, 2 * MOCK_COMPLETION_TOKENS)


@pytest.mark.parametrize(
    ("broken", "named"),
    [
        (said(kind="opinion"), "statements.0.kind"),
        (said(polarity="maybe"), "statements.0.polarity"),
        (said(confidence=3), "statements.0.confidence"),
        ({k: v for k, v in said().items() if k != "statement"}, "statements.0.statement: Field required"),
    ],
)
def test_schema_errors_are_retried_with_the_field_named(broken: dict[str, Any], named: str) -> None:
    scripted = Scripted(reply(broken), reply(said()))
    batch = LLMStatementExtractor(MODEL, complete=scripted).extract(EPISODES)
    assert len(batch.statements) == 1
    assert named in scripted.calls[1][3]["content"]


def test_persistent_garbage_raises_a_clear_error() -> None:
    extractor = LLMStatementExtractor(MODEL, max_retries=2, mock_response="Sure! Here are the statements.")
    with pytest.raises(StatementExtractionError) as caught:
        extractor.extract(EPISODES)
    error = caught.value
    assert "'gpt-4o-mini'" in str(error) and "3 time(s)" in str(error) and "not valid JSON" in str(error)
    assert (error.model, error.attempts) == (MODEL, 3)
    assert (error.prompt_tokens, error.completion_tokens) == (3 * MOCK_PROMPT_TOKENS, 3 * MOCK_COMPLETION_TOKENS)


def test_an_unreachable_model_raises_llm_error() -> None:
    with pytest.raises(llm.LLMError, match="gpt-4o-mini"):
        LLMStatementExtractor(MODEL, mock_response=Exception("connection refused")).extract(EPISODES)


def test_an_empty_batch_makes_no_call() -> None:
    def refuse(*args: Any, **kwargs: Any) -> llm.Completion:
        raise AssertionError("no model call expected")

    batch = LLMStatementExtractor(MODEL, complete=refuse).extract([])
    assert (batch.statements, batch.prompt_tokens) == ((), 0)


def test_the_prompt_carries_date_ids_and_times() -> None:
    system, user = build_messages(EPISODES)
    assert system["role"] == "system" and '{"statements": [...], "entities": [...]}' in system["content"]
    assert user["content"].startswith("Conversation date: 2023-05-30 (Tuesday)")
    assert "[id=e1] 2023-05-30T23:40+00:00 user: I moved to Berlin last month." in user["content"]
    assert "[id=e2] 2023-05-30T23:40+00:00 assistant:" in user["content"]


def test_max_retries_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        LLMStatementExtractor(MODEL, max_retries=-1)
