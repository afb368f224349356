"""The one door to litellm: every LLM call in the product goes through :func:`complete`.

litellm fetches a model price map from the network when imported unless told to use the copy
it ships, and it reads that switch only from the environment, during its import. The service
makes no network call it was not asked for, so litellm is imported here on the first call,
after the switch is set; importing this module loads nothing and changes nothing, and every
other module reaches litellm only through here.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from types import ModuleType
from typing import Any


class LLMError(RuntimeError):
    """The model could not be reached or gave no usable answer."""


@dataclass(frozen=True)
class Completion:
    text: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    latency_s: float


def complete(
    model: str,
    messages: list[dict[str, str]],
    *,
    temperature: float = 0.0,
    max_tokens: int | None = None,
    timeout_s: float = 60.0,
    json_mode: bool = False,
    **kwargs: Any,
) -> Completion:
    """One chat completion. ``kwargs`` pass through to litellm (``mock_response`` in tests, ``api_base``...)."""
    started = time.perf_counter()
    options: dict[str, Any] = {"temperature": temperature, "timeout": timeout_s, **kwargs}
    if max_tokens is not None:
        options["max_tokens"] = max_tokens
    if json_mode:
        options["response_format"] = {"type": "json_object"}
    litellm = _litellm()
    try:
        response = litellm.completion(model=model, messages=messages, **options)
    except Exception as exc:  # litellm maps provider errors onto many exception types
        raise LLMError(f"LLM call to {model!r} failed: {exc}") from exc
    latency = time.perf_counter() - started
    choice = response.choices[0]
    text = choice.message.content or ""
    usage = getattr(response, "usage", None)
    return Completion(
        text=text,
        model=str(getattr(response, "model", model) or model),
        prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
        completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
        latency_s=latency,
    )


def _litellm() -> ModuleType:
    """litellm, imported on first use with its packaged price map (an operator's own setting wins)."""
    # Written to the environment because litellm reads the switch nowhere else, once, while it is imported.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    return litellm
