"""Opaque page cursors: clients pass back what they were given and never parse it."""

from __future__ import annotations

import base64
import binascii
import json

from memory_service.errors import InvalidInputError

MAX_PAGE_SIZE = 1000


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
