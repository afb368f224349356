"""The fallback composition and the factory that builds it."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pytest

from agents.extraction import (
    EpisodeText,
    ExtractionResult,
    Extractor,
    FallbackExtractor,
    LLMExtractor,
    RuleBasedExtractor,
    build_extractor,
)
from tests.agents.extraction.conftest import NOW

EPISODES = [EpisodeText("e1", "user", "I live in Berlin and I love sushi.", NOW)]
GOOD = '{"facts": [{"subject": "user", "attribute": "location", "statement": "User lives in Berlin.", "kind": "fact", "source_ids": ["e1"]}]}'  # noqa: E501


def test_the_primary_answers_when_it_works() -> None:
    extractor = FallbackExtractor(LLMExtractor("gpt-4o-mini", mock_response=GOOD), RuleBasedExtractor())
    result = extractor.extract(EPISODES)
    assert result.backend == "llm:gpt-4o-mini"
    assert [fact.statement for fact in result.facts] == ["User lives in Berlin."]
    assert result.warnings == ()


def test_an_unreachable_model_falls_back_to_rules(caplog: pytest.LogCaptureFixture) -> None:
    extractor = FallbackExtractor(LLMExtractor("gpt-4o-mini", mock_response=Exception("down")), RuleBasedExtractor())
    with caplog.at_level(logging.WARNING, logger="agents.extraction.fallback"):
        result = extractor.extract(EPISODES)
    assert result.backend == "rules"
    assert [fact.statement for fact in result.facts] == ["User lives in Berlin.", "User loves sushi."]
    assert "llm:gpt-4o-mini unavailable" in caplog.text
    (warning,) = result.warnings
    assert warning.startswith("fell back to rules: llm:gpt-4o-mini unavailable")


def test_a_model_answering_garbage_falls_back_and_its_tokens_still_count(caplog: pytest.LogCaptureFixture) -> None:
    primary = LLMExtractor("gpt-4o-mini", max_retries=1, mock_response="not json")
    with caplog.at_level(logging.WARNING, logger="agents.extraction.fallback"):
        result = FallbackExtractor(primary, RuleBasedExtractor()).extract(EPISODES)
    assert result.backend == "rules"
    assert len(result.facts) == 2
    assert (result.prompt_tokens, result.completion_tokens) == (20, 40)  # two failed attempts
    assert "gave unusable output" in caplog.text


def test_bugs_are_not_hidden() -> None:
    class Broken:
        def extract(self, episodes: Sequence[EpisodeText]) -> ExtractionResult:
            raise KeyError("bug")

    with pytest.raises(KeyError):
        FallbackExtractor(Broken(), RuleBasedExtractor()).extract(EPISODES)


@pytest.mark.parametrize("model", [None, "", "   "])
def test_no_model_means_rules(model: str | None) -> None:
    assert isinstance(build_extractor(model), RuleBasedExtractor)


def test_a_model_means_llm_with_rules_behind_it() -> None:
    extractor = build_extractor("gpt-4o-mini", mock_response=Exception("down"))
    assert isinstance(extractor, FallbackExtractor) and isinstance(extractor, Extractor)
    assert isinstance(extractor.primary, LLMExtractor) and extractor.primary.model == "gpt-4o-mini"
    assert isinstance(extractor.fallback, RuleBasedExtractor)
    assert extractor.extract(EPISODES).backend == "rules"
