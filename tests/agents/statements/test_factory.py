"""The fallback composition and the factory that builds it: a failing model hands the batch to the rules."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pytest

from agents.extraction import EpisodeText
from agents.statements import (
    FallbackStatementExtractor,
    LLMStatementExtractor,
    RuleStatementExtractor,
    StatementBatch,
    StatementExtractor,
    build_statement_extractor,
)
from tests.agents.extraction.conftest import NOW

EPISODES = [EpisodeText("e1", "user", "I live in Berlin and I love sushi.", NOW)]
GOOD = '{"statements": [{"subject": "user", "attribute": "location", "statement": "User lives in Berlin.", "kind": "fact", "source_ids": ["e1"]}]}'  # noqa: E501
LOGGER = "agents.statements.factory"


def texts(batch: StatementBatch) -> list[str]:
    return [s.text for s in batch.statements if not s.graph_only]


def test_the_primary_answers_when_it_works() -> None:
    extractor = FallbackStatementExtractor(
        LLMStatementExtractor("gpt-4o-mini", mock_response=GOOD), RuleStatementExtractor()
    )
    batch = extractor.extract(EPISODES)
    assert batch.backend == "llm:gpt-4o-mini"
    assert texts(batch) == ["User lives in Berlin."]
    assert batch.warnings == ()


def test_an_unreachable_model_falls_back_to_rules(caplog: pytest.LogCaptureFixture) -> None:
    primary = LLMStatementExtractor("gpt-4o-mini", mock_response=Exception("down"))
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        batch = FallbackStatementExtractor(primary, RuleStatementExtractor()).extract(EPISODES)
    assert batch.backend == "rules"
    assert sorted(texts(batch)) == ["User lives in Berlin.", "User loves sushi."]
    assert "llm:gpt-4o-mini unavailable" in caplog.text
    (warning,) = batch.warnings
    assert warning.startswith("fell back to rules: llm:gpt-4o-mini unavailable")


def test_a_model_answering_garbage_falls_back_and_its_tokens_still_count(caplog: pytest.LogCaptureFixture) -> None:
    primary = LLMStatementExtractor("gpt-4o-mini", max_retries=1, mock_response="not json")
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        batch = FallbackStatementExtractor(primary, RuleStatementExtractor()).extract(EPISODES)
    assert batch.backend == "rules"
    assert len(texts(batch)) == 2
    assert (batch.prompt_tokens, batch.completion_tokens) == (20, 40)  # two failed attempts
    assert "gave unusable output" in caplog.text


def test_a_partial_answer_with_one_bad_field_is_retried_then_falls_back() -> None:
    partial = '{"statements": [{"subject": "user", "statement": "User lives in Berlin.", "kind": "fact"}]}'
    primary = LLMStatementExtractor("gpt-4o-mini", max_retries=0, mock_response=partial)
    batch = FallbackStatementExtractor(primary, RuleStatementExtractor()).extract(EPISODES)
    assert batch.backend == "rules" and "statements.0.attribute" in batch.warnings[0]


def test_bugs_are_not_hidden() -> None:
    class Broken:
        def extract(self, episodes: Sequence[EpisodeText]) -> StatementBatch:
            raise KeyError("bug")

    with pytest.raises(KeyError):
        FallbackStatementExtractor(Broken(), RuleStatementExtractor()).extract(EPISODES)


@pytest.mark.parametrize("model", [None, "", "   "])
def test_no_model_means_rules(model: str | None) -> None:
    assert isinstance(build_statement_extractor(model), RuleStatementExtractor)


def test_a_model_means_llm_with_rules_behind_it() -> None:
    extractor = build_statement_extractor("gpt-4o-mini", mock_response=Exception("down"))
    assert isinstance(extractor, FallbackStatementExtractor) and isinstance(extractor, StatementExtractor)
    assert isinstance(extractor.primary, LLMStatementExtractor) and extractor.primary.model == "gpt-4o-mini"
    assert isinstance(extractor.fallback, RuleStatementExtractor)
    assert extractor.extract(EPISODES).backend == "rules"
