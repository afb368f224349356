"""What every schema family shares: ids, the request and public bases, pages, the error body.

Requests forbid unknown fields so that a typo is a 422, not a silently ignored option. Public
schemas are read from the domain values (frozen dataclasses) by attribute, so a field is named
once, here, and copied by pydantic.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Generic, Self, TypeVar

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, StringConstraints

from memory_service.domain import Page

Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@\-]{0,127}$"),
]
"""User, agent and session ids: 1-128 characters of letters, digits and ``. _ : @ -``."""


_NUMBER = re.compile(r"\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*")


def _time_as_text(value: object) -> object:
    """A number, or text that is only a number (a query string is always text), is refused."""
    if isinstance(value, datetime) or (isinstance(value, str) and not _NUMBER.fullmatch(value)):
        return value
    raise ValueError("a time is ISO 8601 text with a timezone, e.g. 2024-05-01T09:30:00Z")


RequestTime = Annotated[AwareDatetime, BeforeValidator(_time_as_text)]
"""A time in a request's body or query: ISO 8601 text with a timezone (a datetime in process). A
number is refused, not read as seconds since 1970, which a client sending the wrong field would
never notice."""

DomainT = TypeVar("DomainT")
PublicT = TypeVar("PublicT", bound=BaseModel)


class RequestModel(BaseModel):
    """Base of what comes in: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class PublicModel(BaseModel):
    """Base of what goes out: built from a domain value's attributes of the same names."""

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def from_domain(cls, value: Any) -> Self:
        """The public form of ``value`` (a domain dataclass, or anything with these attributes)."""
        return cls.model_validate(value)


class ItemsPage(PublicModel, Generic[PublicT]):
    """One page of a listing: ``next_cursor`` goes back as ``cursor`` for the next page; null on the last."""

    items: list[PublicT]
    next_cursor: str | None

    @classmethod
    def convert(cls, page: Page[DomainT], item: Callable[[DomainT], PublicT]) -> Self:
        """The public page of a domain page, each item turned public by ``item``."""
        return cls(items=[item(value) for value in page.items], next_cursor=page.next_cursor)


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorResponse(BaseModel):
    error: ErrorDetail
