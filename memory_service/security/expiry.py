"""When a key stops working: an ISO 8601 instant (``2027-01-01T00:00:00Z``) or a span from now (``30d``)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from memory_service.errors import InvalidInputError

_SPAN = re.compile(r"^\s*(\d{1,6})\s*([mhdw])\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_EXAMPLE = "give an instant with a timezone (2027-01-01T00:00:00Z) or a span from now (30d, 12h, 2w)"


def parse_expiry(text: str, now: datetime) -> datetime:
    """The instant ``text`` names, which must lie after ``now``; 422 otherwise."""
    span = _SPAN.fullmatch(text)
    if span is not None:
        amount, unit = int(span.group(1)), span.group(2).lower()
        expires = now + timedelta(**{_UNITS[unit]: amount})
    else:
        try:
            expires = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError as exc:
            raise InvalidInputError(f"cannot read expiry {text!r}: {_EXAMPLE}") from exc
        if expires.tzinfo is None:
            raise InvalidInputError(f"expiry {text!r} has no timezone: {_EXAMPLE}")
    return check_future(expires, now)


def check_future(expires: datetime, now: datetime) -> datetime:
    """``expires`` when it is after ``now``: a key born expired is a mistake, not a key."""
    if expires <= now:
        raise InvalidInputError(f"expiry {expires.isoformat()} is not in the future: {_EXAMPLE}")
    return expires
