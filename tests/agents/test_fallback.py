"""The shared fallback: which failures it hides, and what the failed attempt costs."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pytest

from agents.errors import UnusableOutputError
from agents.extraction import EpisodeText
from agents.fallback import extract_with_fallback
from agents.llm import LLMError
from agents.statements import StatementExtractionError

LOG = logging.getLogger("tests.agents.fallback")


class OtherTaskError(UnusableOutputError):
    """Another task's unusable answer: not the one a fallback was asked to hide."""

    task = "summary"
    offline = "summary rules"


@dataclass(frozen=True)
class Result:
    backend: str
    prompt_tokens: int = 0
    completion_tokens: int = 0


class Answers:
    def __init__(self, backend: str, tokens: int = 0) -> None:
        self.result = Result(backend, tokens, tokens)

    def extract(self, episodes: Sequence[EpisodeText]) -> Result:
        return self.result


class Fails:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def extract(self, episodes: Sequence[EpisodeText]) -> Result:
        raise self.error


def run(primary: Answers | Fails, unusable: type[UnusableOutputError] = StatementExtractionError) -> Result:
    return extract_with_fallback(
        primary,
        Answers("rules", tokens=1),
        [],
        unusable=unusable,
        log=LOG,
        primary_label="model",
        fallback_label="rules",
        finish=lambda result, reason: replace(result, backend=f"{result.backend}: {reason}"),
    )


def test_the_primary_answer_is_returned_untouched() -> None:
    assert run(Answers("llm", tokens=5)) == Result("llm", 5, 5)


def test_an_unreachable_model_falls_back_without_extra_tokens() -> None:
    assert run(Fails(LLMError("down"))) == Result("rules: model unavailable (down)", 1, 1)


def test_unusable_output_falls_back_and_its_tokens_count(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger=LOG.name):
        result = run(Fails(StatementExtractionError("m", 2, "not json", prompt_tokens=10, completion_tokens=20)))
    assert result == Result("rules: model gave unusable output (not json)", 11, 21)
    assert "extracting 0 episode(s) with rules instead" in caplog.text


def test_only_the_backends_own_unusable_error_is_caught() -> None:
    with pytest.raises(OtherTaskError):
        run(Fails(OtherTaskError("m", 1, "bad")), unusable=StatementExtractionError)


def test_the_shared_error_keeps_each_backends_message() -> None:
    assert "rule-based extractor." in str(StatementExtractionError("m", 1, "bad"))
    assert "statement extraction model 'm'" in str(StatementExtractionError("m", 1, "bad"))
    assert "summary model 'm'" in str(OtherTaskError("m", 1, "bad"))
    assert "summary rules." in str(OtherTaskError("m", 1, "bad"))
