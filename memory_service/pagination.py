"""Cursor paging, written once: opaque cursors, the page-size cap, and "read one more, cut, point on".

Clients pass back the ``next_cursor`` they were given and never parse it. A listing reads
``PageRequest.fetch`` rows after ``PageRequest.after`` and hands them to ``PageRequest.page``,
which keeps ``limit`` of them and says where the next page starts, if one does.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from memory_service.domain import Page
from memory_service.errors import InvalidInputError

MAX_PAGE_SIZE = 1000
"""The most items one page may ask for, on every listing."""

RowT = TypeVar("RowT")
ItemT = TypeVar("ItemT")


def encode_cursor(after: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The key to continue after, or None for the first page."""
    if cursor is None or cursor == "":
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        after = json.loads(base64.urlsafe_b64decode(padded.encode()))["after"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise InvalidInputError("invalid cursor: pass back the next_cursor of a previous page") from exc
    if not isinstance(after, int):
        raise InvalidInputError("invalid cursor: pass back the next_cursor of a previous page")
    return after


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInputError(f"limit must be between 1 and {MAX_PAGE_SIZE}", details={"limit": limit})
    return limit


@dataclass(frozen=True)
class PageRequest:
    """One page asked for: ``limit`` items after the key ``after`` (None: from the start)."""

    limit: int
    after: int | None

    @classmethod
    def of(cls, limit: int, cursor: str | None) -> PageRequest:
        """The request behind a ``limit`` and ``cursor`` as a client sent them; 422 when either is wrong."""
        return cls(check_limit(limit), decode_cursor(cursor))

    @property
    def fetch(self) -> int:
        """Rows to read: one more than the page holds, which tells whether another page follows."""
        return self.limit + 1

    @overload
    def page(self, rows: Sequence[RowT], key: Callable[[RowT], int]) -> Page[RowT]: ...

    @overload
    def page(self, rows: Sequence[RowT], key: Callable[[RowT], int], item: Callable[[RowT], ItemT]) -> Page[ItemT]: ...

    def page(
        self, rows: Sequence[Any], key: Callable[[Any], int], item: Callable[[Any], Any] | None = None
    ) -> Page[Any]:
        """The first ``limit`` of ``rows`` (read in listing order, ``fetch`` at most), each turned into
        an item by ``item``, and a cursor after the last one's ``key`` when more rows follow."""
        kept = rows[: self.limit]
        cursor = encode_cursor(key(kept[-1])) if len(rows) > self.limit else None
        return Page(tuple(kept if item is None else map(item, kept)), cursor)
