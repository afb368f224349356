"""The litellm door: mock responses, usage figures and errors, never the network."""

from __future__ import annotations

import os

import pytest

from agents.llm import LLMError, complete


def test_completion_carries_text_and_token_usage() -> None:
    answer = complete("gpt-4o-mini", [{"role": "user", "content": "hi"}], mock_response='{"ok": true}', json_mode=True)
    assert answer.text == '{"ok": true}'
    assert answer.prompt_tokens > 0 and answer.completion_tokens > 0
    assert answer.latency_s >= 0


def test_provider_errors_become_llm_errors() -> None:
    with pytest.raises(LLMError, match="gpt-4o-mini"):
        complete("gpt-4o-mini", [{"role": "user", "content": "hi"}], mock_response=Exception("rate limited"))


def test_the_price_map_is_never_fetched() -> None:
    assert os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] == "True"
