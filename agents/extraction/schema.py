"""What the extraction model must return, validated; kept apart from the stored fact shape.

:func:`parse_reply` turns the model's raw text into a :class:`FactsReply` or raises
:class:`InvalidReply` with a short description of the problem, which is sent back to the
model on retry.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agents.extraction.models import FactKind

_FENCE = re.compile(r"^\s*```(?:json|JSON)?\s*(?P<body>.*?)\s*```\s*$", re.DOTALL)
_MAX_PROBLEM_CHARS = 600


class InvalidReply(ValueError):
    """The model's answer is not JSON of the required shape; the message says why."""


class FactReply(BaseModel):
    """One fact as the model states it."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    subject: str = Field(min_length=1, max_length=120)
    attribute: str = Field(min_length=1, max_length=120)
    statement: str = Field(min_length=1, max_length=500)
    kind: FactKind
    when: str | None = Field(default=None, max_length=120)
    negated: bool = False
    confidence: float = Field(default=0.8, ge=0.0, le=1.0)
    source_ids: list[str] = Field(min_length=1)

    @field_validator("kind", mode="before")
    @classmethod
    def _lower_kind(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("source_ids", mode="before")
    @classmethod
    def _ids_as_text(cls, value: Any) -> Any:
        """Models often write ids as numbers or a single string; both mean the same ids."""
        if isinstance(value, str | int):
            value = [value]
        return [str(item) for item in value] if isinstance(value, list) else value

    @field_validator("when", mode="before")
    @classmethod
    def _when_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) else value


class FactsReply(BaseModel):
    """The whole answer: ``{"facts": [...]}``."""

    model_config = ConfigDict(extra="ignore")

    facts: list[FactReply]


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:8]:
        where = ".".join(str(part) for part in item["loc"]) or "(top level)"
        parts.append(f"{where}: {item['msg']}")
    more = f" (+{error.error_count() - 8} more)" if error.error_count() > 8 else ""
    return "schema errors: " + "; ".join(parts) + more


def parse_reply(text: str) -> FactsReply:
    """Parse and validate a model answer; tolerates a Markdown code fence around the JSON."""
    body = text.strip()
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced.group("body")
    if not body:
        raise InvalidReply("the answer was empty")
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise InvalidReply(f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from exc
    try:
        return FactsReply.model_validate(data)
    except ValidationError as exc:
        raise InvalidReply(_describe(exc)[:_MAX_PROBLEM_CHARS]) from exc
