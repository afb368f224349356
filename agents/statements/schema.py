"""What the extraction model must return, validated; kept apart from the statement shape.

:func:`parse_reply` turns the model's raw text into a :class:`StatementsReply` or raises
:class:`InvalidReply` naming the problem, which is sent back to the model on retry. Partial
answers are usable: entities may be missing, optional fields default.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agents.extraction.models import FactKind
from agents.statements.model import Polarity

_FENCE = re.compile(r"^\s*```(?:json|JSON)?\s*(?P<body>.*?)\s*```\s*$", re.DOTALL)
_MAX_PROBLEM_CHARS = 600
EntityTypeReply = Literal["person", "place", "organization", "thing", "event", "other"]


class InvalidReply(ValueError):
    """The model's answer is not JSON of the required shape; the message says why."""


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


class StatementReply(BaseModel):
    """One statement as the model writes it."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    subject: str = Field(min_length=1, max_length=120)
    attribute: str = Field(min_length=1, max_length=120)
    statement: str = Field(min_length=1, max_length=500)
    kind: FactKind
    polarity: Polarity = "holds"
    value: str | None = Field(default=None, max_length=200)
    value_type: EntityTypeReply = "other"
    predicate: str | None = Field(default=None, max_length=60)
    inverse: bool = False
    valid_from: str | None = Field(default=None, max_length=120)
    valid_until: str | None = Field(default=None, max_length=120)
    confidence: float = Field(default=0.8, ge=0.0, le=1.0)
    source_ids: list[str] = Field(min_length=1)

    @field_validator("kind", "polarity", "value_type", mode="before")
    @classmethod
    def _lower_words(cls, value: Any) -> Any:
        return _lower(value)

    @field_validator("predicate", mode="before")
    @classmethod
    def _snake_predicate(cls, value: Any) -> Any:
        """ "Works At" and "works-at" name the predicate ``works_at``; an empty one is none."""
        if not isinstance(value, str):
            return value
        snake = re.sub(r"[^a-z0-9]+", "_", value.strip().lower()).strip("_")
        return snake or None

    @field_validator("source_ids", mode="before")
    @classmethod
    def _ids_as_text(cls, value: Any) -> Any:
        """Models often write ids as numbers or a single string; both mean the same ids."""
        if isinstance(value, str | int):
            value = [value]
        return [str(item) for item in value] if isinstance(value, list) else value

    @field_validator("valid_from", "valid_until", "value", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) else value


class EntityReply(BaseModel):
    """A named thing the turns mention, with its type and a few words about it."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    type: EntityTypeReply = "other"
    summary: str = Field(default="", max_length=300)

    @field_validator("type", mode="before")
    @classmethod
    def _lower_type(cls, value: Any) -> Any:
        return _lower(value)


class StatementsReply(BaseModel):
    """The whole answer: ``{"statements": [...], "entities": [...]}``."""

    model_config = ConfigDict(extra="ignore")

    statements: list[StatementReply]
    entities: list[EntityReply] = Field(default_factory=list)


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:8]:
        where = ".".join(str(part) for part in item["loc"]) or "(top level)"
        parts.append(f"{where}: {item['msg']}")
    more = f" (+{error.error_count() - 8} more)" if error.error_count() > 8 else ""
    return "schema errors: " + "; ".join(parts) + more


def parse_reply(text: str) -> StatementsReply:
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
        return StatementsReply.model_validate(data)
    except ValidationError as exc:
        raise InvalidReply(_describe(exc)[:_MAX_PROBLEM_CHARS]) from exc
