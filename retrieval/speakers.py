"""Who a query is about, when a partition's turns name their speakers.

In a conversation between people ("Maria" and "John", both stored as people), a question that
names one of them ("What types of yoga has Maria practiced?") is nearly always answered by
that person's own turns: on LoCoMo's tune and dev files, 454 of 467 evidence turns of
questions in categories 1-4 that name one speaker are that speaker's. The other's turns on the
same topic ("I do a beginner yoga class") match as well and crowd the top hits. A turn's
speaker is the ``speaker`` of its message's metadata; turns without one are never weighted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

SPEAKER_KEY = "speaker"
"""The metadata key a message's speaker name is read from."""
MAX_NAME_LENGTH = 64
"""Longer values are not a name a query would repeat: they name no speaker."""


def speaker_name(value: Any) -> str | None:
    """A message's metadata ``speaker`` value as a name folded for matching (None: it names no one)."""
    if not isinstance(value, str):
        return None
    folded = " ".join(value.split()).casefold()
    return folded if folded and len(folded) <= MAX_NAME_LENGTH else None


def speaker_of(metadata: Mapping[str, Any] | None) -> str | None:
    """The speaker name a message's metadata gives, folded for matching (None: none given)."""
    return speaker_name(metadata.get(SPEAKER_KEY)) if metadata else None


@dataclass
class SpeakerNames:
    """The speaker names of a partition's turns, and which of them a query names."""

    names: set[str] = field(default_factory=set)
    _pattern: re.Pattern[str] | None = None

    def others(self, named: str, weight: float) -> dict[str, float]:
        """``weight`` for every speaker but ``named``: the shares rerank.weight_by_role applies."""
        return {name: weight for name in self.names if name != named}

    def add(self, speakers: Iterable[str | None]) -> None:
        new = {name for name in speakers if name is not None} - self.names
        if new:
            self.names |= new
            self._pattern = None

    def named_in(self, query: str) -> str | None:
        """The one speaker ``query`` names as a whole word, or None when it names none or several.

        A name is written as a name, capitalized ("What will Will do?" names Will once), unless
        the whole query is in lower case ("what did maria say").
        """
        if not self.names:
            return None
        if self._pattern is None:
            alternatives = "|".join(re.escape(name) for name in sorted(self.names, key=len, reverse=True))
            self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
        any_case = query == query.lower()
        found = {match.casefold() for match in self._pattern.findall(query) if any_case or match[0].isupper()}
        return found.pop() if len(found) == 1 else None
