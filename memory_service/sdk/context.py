"""A recalled context: search results shaped into one block of text an agent puts in its prompt.

Pure: results and a token budget in, text out, no I/O. Current facts (semantic memories and
graph relations that still hold) come first, the user's core profile leading them when given,
then the episodes, each group best first; every
line carries its date and the ids it came from, so an answer can cite them. The text never
exceeds the budget as the given counter counts it; without one, tokens are estimated at
``CHARS_PER_TOKEN`` characters each.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from memory_service.domain import Layer
from memory_service.errors import InvalidInputError
from memory_service.schemas import ProfilePublic, SearchResult

TokenCounter = Callable[[str], int]
"""How many tokens a text costs in the caller's model (e.g. a tokenizer's ``len(encode(text))``)."""

CHARS_PER_TOKEN = 4
"""The usual rule of thumb for English text under GPT- and Claude-style BPE tokenizers."""
DEFAULT_TOKEN_BUDGET = 1000
RECALL_LAYERS: tuple[Layer, ...] = ("semantic", "episodic")
"""Facts and the turns they came from; the graph states the same statements as relations."""
FACT_LAYERS: frozenset[Layer] = frozenset({"semantic", "graph"})
FACTS_HEADING = "Current facts (most relevant first):"
EPISODES_HEADING = "Relevant past messages (most relevant first):"
MIN_SHORTENED_CHARS = 40
"""A line is shortened to fit the budget only if this much of its text still fits; else it is left out."""
ELLIPSIS = "…"

_SPACES = re.compile(r"\s+")


def estimate_tokens(text: str) -> int:
    """``len(text) / CHARS_PER_TOKEN``, rounded up: 0 for an empty text."""
    return -(-len(text) // CHARS_PER_TOKEN)


def check_budget(token_budget: int) -> int:
    """The budget when it is a positive whole number of tokens; InvalidInputError otherwise."""
    if isinstance(token_budget, bool) or not isinstance(token_budget, int) or token_budget < 1:
        raise InvalidInputError("token_budget must be a positive integer", details={"token_budget": repr(token_budget)})
    return token_budget


@dataclass(frozen=True)
class MemoryContext:
    """What ``recall`` returns: ``text`` to put in a prompt and the results it shows, in its order."""

    text: str
    items: tuple[SearchResult, ...]
    tokens: int
    """The text's cost as counted with the counter in use."""
    omitted: int
    """Results that were found but left out to stay within the budget."""

    @property
    def facts(self) -> tuple[SearchResult, ...]:
        return tuple(item for item in self.items if item.layer in FACT_LAYERS)

    @property
    def episodes(self) -> tuple[SearchResult, ...]:
        return tuple(item for item in self.items if item.layer == "episodic")

    def __str__(self) -> str:
        return self.text


def build_context(
    results: Sequence[SearchResult],
    *,
    token_budget: int = DEFAULT_TOKEN_BUDGET,
    count_tokens: TokenCounter | None = None,
    at: datetime | None = None,
    profile: ProfilePublic | None = None,
) -> MemoryContext:
    """The context block for ``results`` (best first), at most ``token_budget`` tokens.

    The ``profile``'s entries, when given, lead the facts in its order (see ``profile_results``);
    a result repeating one of them is shown once. A fact is current unless it stopped being true
    at or before ``at`` (default: now). Lines are added in order while they fit; the first that
    does not is shortened to what fits (when at least ``MIN_SHORTENED_CHARS`` of its text do) and
    nothing follows it.
    """
    budget = check_budget(token_budget)
    count = count_tokens or estimate_tokens
    moment = at or datetime.now(UTC)
    leading = profile_results(profile) if profile is not None else []
    shown = {r.id for r in leading}
    found = [r for r in results if r.layer in FACT_LAYERS and r.id not in shown]
    facts = [r for r in [*leading, *found] if _current(r, moment)]
    episodes = [r for r in results if r.layer == "episodic"]
    lines: list[str] = []
    kept: list[SearchResult] = []
    full = False
    for heading, items, render in ((FACTS_HEADING, facts, _fact_line), (EPISODES_HEADING, episodes, _episode_line)):
        opening = ([""] if lines else []) + [heading]
        for item in items:
            before = lines + opening if item is items[0] else lines
            line, whole = _fitted(before, item, render, budget, count)
            if line is not None:
                lines = [*before, line]
                kept.append(item)
            if not whole:
                full = True
                break
        if full:
            break
    text = "\n".join(lines)
    return MemoryContext(text, tuple(kept), count(text), len(facts) + len(episodes) - len(kept))


def profile_results(profile: ProfilePublic) -> list[SearchResult]:
    """The profile's entries as semantic results, section by section. They are not ranked by any
    query, so their score is 0.0; ``metadata["profile_section"]`` names their section."""
    return [
        SearchResult(
            id=entry.memory_id,
            layer="semantic",
            text=entry.text,
            score=0.0,
            valid_at=entry.valid_at,
            invalid_at=entry.invalid_at,
            provenance=list(entry.provenance),
            metadata={"profile_section": section.name, "attribute": entry.attribute},
        )
        for section in profile.sections
        for entry in section.entries
    ]


def _fitted(
    before: list[str], item: SearchResult, render: Callable[[SearchResult, str], str], budget: int, count: TokenCounter
) -> tuple[str | None, bool]:
    """The item's line after ``before`` and whether it is whole: the longest shortening that fits
    when the whole line does not, None when not even ``MIN_SHORTENED_CHARS`` of it fit."""
    text = _flat(item.text)
    whole = render(item, text)
    if count("\n".join([*before, whole])) <= budget:
        return whole, True
    low, high, best = MIN_SHORTENED_CHARS, len(text) - 1, None
    while low <= high:  # the longest prefix that fits, by bisection: cost grows with length
        middle = (low + high) // 2
        line = render(item, text[:middle].rstrip() + ELLIPSIS)
        if count("\n".join([*before, line])) <= budget:
            best, low = line, middle + 1
        else:
            high = middle - 1
    return best, False


def _current(result: SearchResult, at: datetime) -> bool:
    return result.invalid_at is None or result.invalid_at > at


def _flat(text: str) -> str:
    """One line: any run of whitespace, newlines included, as a single space."""
    return _SPACES.sub(" ", text).strip()


def _day(moment: datetime) -> str:
    return moment.astimezone(UTC).date().isoformat()


def _fact_line(result: SearchResult, text: str) -> str:
    when = f"since {_day(result.valid_at)}" if result.valid_at else "undated"
    sources = f"; from {', '.join(result.provenance)}" if result.provenance else ""
    return f"- [{when}] {text} ({result.id}{sources})"


def _episode_line(result: SearchResult, text: str) -> str:
    when = _day(result.occurred_at) if result.occurred_at else "undated"
    who = f", {result.role}" if result.role else ""
    return f"- [{when}{who}] {text} ({', '.join(result.provenance or [result.id])})"
