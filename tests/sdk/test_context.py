"""The recalled context block, from hand-made results: order, dates and ids, currency, the budget."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from memory_service.errors import InvalidInputError
from memory_service.schemas import ProfilePublic, SearchResult
from memory_service.sdk.context import (
    EPISODES_HEADING,
    FACTS_HEADING,
    build_context,
    check_budget,
    estimate_tokens,
)

AT = datetime(2024, 6, 1, tzinfo=UTC)


def result(id: str, layer: str, text: str, **fields: Any) -> SearchResult:
    return SearchResult.model_validate({"id": id, "layer": layer, "text": text, "score": 1.0, **fields})


EPISODE = result(
    "ep_7",
    "episodic",
    "Big news:\n I started a new job at Globex last week!",
    role="user",
    occurred_at="2024-03-15T23:30:00-02:00",
    provenance=["ep_7"],
)
FACT = result("mem_3", "semantic", "User works at Globex.", valid_at="2024-03-04T00:00:00Z", provenance=["ep_7"])
UNDATED = result("mem_4", "semantic", "User is vegetarian.")
ENDED = result("mem_1", "semantic", "User works at Acme.", invalid_at="2024-03-04T00:00:00Z")
ENDING_LATER = result("mem_5", "semantic", "User rents a flat in Berlin.", invalid_at="2025-01-01T00:00:00Z")


def test_facts_come_first_then_episodes_each_with_its_date_and_ids() -> None:
    built = build_context([EPISODE, FACT, UNDATED], at=AT)
    assert built.text == "\n".join(
        [
            FACTS_HEADING,
            "- [since 2024-03-04] User works at Globex. (mem_3; from ep_7)",
            "- [undated] User is vegetarian. (mem_4)",
            "",
            EPISODES_HEADING,
            "- [2024-03-16, user] Big news: I started a new job at Globex last week! (ep_7)",
        ]
    )
    assert [item.id for item in built.items] == ["mem_3", "mem_4", "ep_7"]
    assert [f.id for f in built.facts] == ["mem_3", "mem_4"] and [e.id for e in built.episodes] == ["ep_7"]
    assert (built.omitted, built.tokens, str(built)) == (0, estimate_tokens(built.text), built.text)


def test_only_facts_that_still_hold_at_the_moment_are_shown() -> None:
    built = build_context([ENDED, ENDING_LATER, FACT], at=AT)
    assert [item.id for item in built.items] == ["mem_5", "mem_3"]
    earlier = build_context([ENDED], at=datetime(2024, 1, 1, tzinfo=UTC))
    assert [item.id for item in earlier.items] == ["mem_1"]


def test_a_section_without_items_has_no_heading() -> None:
    assert build_context([EPISODE], at=AT).text.startswith(EPISODES_HEADING)
    assert EPISODES_HEADING not in build_context([FACT], at=AT).text
    assert build_context([], at=AT).text == ""


@pytest.mark.parametrize("budget", [1, 10, 20, 30, 40, 60, 100, 1000])
def test_the_text_never_exceeds_the_budget(budget: int) -> None:
    results = [FACT, UNDATED, ENDING_LATER, EPISODE, result("ep_8", "episodic", "word " * 300)]
    built = build_context(results, token_budget=budget, at=AT)
    assert estimate_tokens(built.text) <= budget
    assert built.omitted == len(results) - len(built.items)
    words = build_context(results, token_budget=budget, count_tokens=lambda text: len(text.split()), at=AT)
    assert len(words.text.split()) <= budget and words.tokens == len(words.text.split())


def test_the_line_that_does_not_fit_is_shortened_and_ends_the_block() -> None:
    long = result(
        "ep_9", "episodic", "I told you about my trip to Kyoto in April. " * 20, occurred_at="2024-04-01T00:00:00Z"
    )
    built = build_context([FACT, long, EPISODE], token_budget=80, at=AT)
    last = built.text.splitlines()[-1]
    assert last.startswith("- [2024-04-01] I told you about my trip") and last.endswith("… (ep_9)")
    assert [item.id for item in built.items] == ["mem_3", "ep_9"] and built.omitted == 1
    assert estimate_tokens(built.text) <= 80


def test_a_line_too_long_to_shorten_usefully_is_left_out() -> None:
    built = build_context([FACT, EPISODE], token_budget=estimate_tokens(FACTS_HEADING) + 2, at=AT)
    assert built.text == "" and built.items == () and built.omitted == 2


def test_the_estimate_is_four_characters_a_token_rounded_up() -> None:
    assert [estimate_tokens(text) for text in ("", "a", "abcd", "abcde")] == [0, 1, 1, 2]


@pytest.mark.parametrize("bad", [0, -5, 1.5, True, "100"])
def test_a_budget_must_be_a_positive_integer(bad: Any) -> None:
    with pytest.raises(InvalidInputError):
        check_budget(bad)
    with pytest.raises(InvalidInputError):
        build_context([FACT], token_budget=bad)


def test_the_profile_leads_the_facts_and_is_not_repeated() -> None:
    profile = ProfilePublic.model_validate(
        {
            "user_id": "ana",
            "subject": "user",
            "as_of": None,
            "sections": [
                {"name": "home", "omitted": 0, "entries": [_entry("mem_9", "location", "User lives in Lisbon.")]},
                {"name": "work", "omitted": 0, "entries": [_entry("mem_3", "employer", "User works at Globex.")]},
            ],
        }
    )
    block = build_context([FACT, UNDATED, EPISODE], profile=profile, at=AT)
    assert [item.id for item in block.items] == ["mem_9", "mem_3", "mem_4", "ep_7"]  # mem_3 shown once
    assert block.items[0].metadata == {"profile_section": "home", "attribute": "location"}
    assert block.text.splitlines()[1] == "- [since 2024-01-02] User lives in Lisbon. (mem_9; from ep_1)"
    assert build_context([FACT], profile=None, at=AT).items == (FACT,)


def _entry(memory_id: str, attribute: str, text: str) -> dict[str, Any]:
    return {
        "memory_id": memory_id,
        "attribute": attribute,
        "text": text,
        "valid_at": "2024-01-02T00:00:00Z",
        "invalid_at": None,
        "provenance": ["ep_1"],
        "single_valued": True,
        "importance": 0.8,
        "confidence": 0.9,
    }
