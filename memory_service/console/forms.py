"""Reading the console's form fields: moments with their zone, lists of ids."""

from __future__ import annotations

from datetime import datetime

from memory_service.errors import InvalidInputError


def moment(text: str | None, field: str) -> datetime | None:
    """An ISO 8601 moment with its zone (``2024-05-01T09:30:00Z``); None when blank; 422 otherwise."""
    if text is None or not text.strip():
        return None
    try:
        parsed = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError:
        raise InvalidInputError(
            f"{field}: {text!r} is not a moment; write it like 2024-05-01T09:30:00Z", details={"field": field}
        ) from None
    if parsed.utcoffset() is None:
        raise InvalidInputError(f"{field} needs a timezone, e.g. 2024-05-01T09:30:00Z", details={"field": field})
    return parsed
