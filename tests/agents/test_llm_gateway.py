"""The litellm door: mock responses, usage figures and errors, never the network."""

from __future__ import annotations

import os
import subprocess
import sys

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


NO_NETWORK = """
import os, socket, sys

attempts = []


def refuse(*args, **kwargs):
    attempts.append(args[1:2] or args[:1])
    raise OSError("no network in this test")


socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse

import agents.llm

assert "litellm" not in sys.modules, "importing agents.llm imported litellm"
assert "LITELLM_LOCAL_MODEL_COST_MAP" not in os.environ, "importing agents.llm wrote the environment"
answer = agents.llm.complete("gpt-4o-mini", [{"role": "user", "content": "hi"}], mock_response="ok")
assert answer.text == "ok"
assert not attempts, f"litellm reached for the network: {attempts}"

# The guard sees litellm's fetch when the switch is off, so the silence above means something.
from litellm.litellm_core_utils.get_model_cost_map import get_model_cost_map

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "False"
get_model_cost_map("https://example.invalid/prices.json", max_attempts=1)
assert attempts, "the guard missed a fetch"
"""


def test_neither_importing_nor_the_first_call_reaches_the_network() -> None:
    """In a fresh interpreter, with every connection refused and no litellm switch set beforehand."""
    env = {k: v for k, v in os.environ.items() if k not in {"LITELLM_LOCAL_MODEL_COST_MAP", "LITELLM_OFFLINE_MODE"}}
    result = subprocess.run([sys.executable, "-c", NO_NETWORK], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
