"""The moment extraction tests speak from."""

from __future__ import annotations

from datetime import UTC, datetime

NOW = datetime(2023, 5, 30, 23, 40, tzinfo=UTC)  # a Tuesday, late in the day
