"""Where one benchmark question lives in the service: its own user and its own session ids.

Session ids are unique per namespace, and LongMemEval haystacks reuse the same session ids
across questions, so every question (or LoCoMo conversation) gets a short key derived from the
run and the question: the user id is ``eval-<key>`` and each session id is ``<key>-<id>``. Two
runs against one server, or a resumed run next to a fresh one, never share a partition.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@\-]{0,127}$")
_INVALID = re.compile(r"[^A-Za-z0-9._:@\-]")
MAX_ID = 128
TURN_ID_KEY = "turn_id"
"""Message metadata key holding LongMemEval's ``<session_id>_<position>``."""
SESSION_KEY = "benchmark_session"
"""Message metadata key holding the benchmark's own session id."""
DIA_ID_KEY = "dia_id"
"""Message metadata key holding LoCoMo's turn id (``D<session>:<turn>``)."""
KEY_LENGTH = 10


def unit_key(run_id: str, unit_id: str) -> str:
    """A short hex key, stable for one run and one question."""
    return hashlib.sha1(f"{run_id}/{unit_id}".encode()).hexdigest()[:KEY_LENGTH]


@dataclass(frozen=True)
class Partition:
    """The ids one question is stored under, and the way back from a stored session id."""

    key: str
    user_id: str
    session_ids: dict[str, str]
    """Benchmark session id -> stored session id."""

    @property
    def original(self) -> dict[str, str]:
        """Stored session id -> benchmark session id."""
        return {stored: original for original, stored in self.session_ids.items()}


def make_partition(run_id: str, unit_id: str, session_ids: Iterable[str]) -> Partition:
    """Stored ids for a question's sessions: readable when they can be, by position otherwise."""
    key = unit_key(run_id, unit_id)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for index, session_id in enumerate(session_ids):
        if session_id in mapping:
            continue
        stored = f"{key}-{_INVALID.sub('_', session_id)}"
        if len(stored) > MAX_ID or stored in used or not _IDENTIFIER.match(stored):
            stored = f"{key}-s{index}"
        mapping[session_id] = stored
        used.add(stored)
    return Partition(key=key, user_id=f"eval-{key}", session_ids=mapping)
