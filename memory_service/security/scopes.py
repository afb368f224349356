"""What a key may do: ``read`` (lists, reads, searches), ``write`` (adds, edits, deletes), ``admin``
(keys, the audit log, evaluation jobs). Scopes are independent: ``admin`` alone reads no memories."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, get_args

from memory_service.errors import InvalidInputError

Scope = Literal["read", "write", "admin"]
ALL_SCOPES: frozenset[Scope] = frozenset(get_args(Scope))
DEFAULT_SCOPES: frozenset[Scope] = frozenset({"read", "write"})
"""What a new key gets unless more (or less) is asked for: everything but administration."""
SCOPE_ORDER: tuple[Scope, ...] = ("read", "write", "admin")


def parse_scopes(values: str | Iterable[str]) -> frozenset[Scope]:
    """Scopes from ``"read,write"`` or a list of names; 422 for an unknown or empty set."""
    names = values.split(",") if isinstance(values, str) else list(values)
    cleaned = {name.strip().lower() for name in names if name.strip()}
    unknown = sorted(cleaned - ALL_SCOPES)
    if unknown:
        raise InvalidInputError(
            f"unknown scope(s) {', '.join(unknown)}: choose from {', '.join(SCOPE_ORDER)}",
            details={"scopes": sorted(cleaned)},
        )
    if not cleaned:
        raise InvalidInputError(f"a key needs at least one scope: {', '.join(SCOPE_ORDER)}")
    return frozenset(scope for scope in ALL_SCOPES if scope in cleaned)


def ordered(scopes: Iterable[Scope]) -> list[Scope]:
    """Scopes in their canonical order (read, write, admin), for display and storage."""
    given = set(scopes)
    return [scope for scope in SCOPE_ORDER if scope in given]
