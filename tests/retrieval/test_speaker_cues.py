"""Which queries ask for the assistant's own past words."""

from __future__ import annotations

import pytest

from retrieval.speaker_cues import asks_for_assistant_words


@pytest.mark.parametrize(
    "query",
    [
        "Can you remind me what sealant you recommended for the vase?",
        "What was the move you made after 27. Kg2 Bd5+?",
        "You mentioned a company doing well on sustainability; which one?",
        "The dessert shop with giant milkshakes we talked about last time",
        "Which song you said best showed the band's growth?",
        "Which shrine did you recommend for my Kyoto trip?",
    ],
)
def test_questions_about_what_the_assistant_said_are_marked(query: str) -> None:
    assert asks_for_assistant_words(query)


@pytest.mark.parametrize(
    "query",
    [
        "Can you recommend a hotel for my trip to Miami?",
        "How many bikes do I own?",
        "Where did I move to after Berlin?",
        "What did my sister say about the wedding?",
        "Do you have any suggestions for a theme park weekend?",
    ],
)
def test_questions_about_the_user_or_requests_now_are_not(query: str) -> None:
    assert not asks_for_assistant_words(query)
