"""Answer links: which turn answers which question, and the credit an answer gets from it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from retrieval.answers import AnswerLinks, asks
from retrieval.keys import TurnRef

SAID = datetime(2024, 6, 1, tzinfo=UTC)


def turn(pk: int, role: str, session: int = 1) -> TurnRef:
    return TurnRef(pk, session, role, SAID)


def test_a_question_is_answered_by_the_next_turn_of_another_speaker() -> None:
    links = AnswerLinks()
    links.add_turns(
        [turn(1, "person"), turn(2, "user"), turn(3, "user"), turn(4, "person")],
        ["How often do you work out?", "Three times a week.", "And you? Do you run?", "Mostly on Sundays."],
    )
    assert links.answer_of == {1: 2, 3: 4}


def test_a_speaker_going_on_after_their_own_question_answers_nothing() -> None:
    links = AnswerLinks()
    links.add_turns([turn(1, "user"), turn(2, "user")], ["Where did I park?", "Oh, I remember now."])
    assert links.answer_of == {}


def test_links_grow_across_writes_and_never_cross_sessions() -> None:
    links = AnswerLinks()
    links.add_turns([turn(1, "person", session=1), turn(2, "person", session=2)], ["Which city?", "Hello?"])
    links.add_turns([turn(3, "user", session=2), turn(4, "user", session=1)], ["Hi!", "Lisbon."])
    assert links.answer_of == {1: 4, 2: 3}


def test_asks_reads_a_question_mark_anywhere() -> None:
    assert asks("Nice! Where was that? Looks sunny.")
    assert not asks("That was in Lisbon.")


def test_credit_adds_a_share_of_the_questions_score_and_brings_the_answer_in() -> None:
    links = AnswerLinks(answer_of={1: 2, 3: 4})
    credited = links.credit([(1, 1.0), (4, 0.3), (3, 0.2)], 0.5, None)
    assert credited == [(1, 1.0), (2, pytest.approx(0.5)), (4, pytest.approx(0.4)), (3, 0.2)]


def test_credit_skips_answers_outside_the_allowed_turns_and_is_off_at_zero() -> None:
    links = AnswerLinks(answer_of={1: 2})
    assert links.credit([(1, 1.0)], 0.5, {1}) == [(1, 1.0)]
    assert links.credit([(1, 1.0)], 0.0, None) == [(1, 1.0)]


def test_only_exchanges_between_people_are_linked() -> None:
    links = AnswerLinks()
    links.add_turns(
        [turn(1, "user"), turn(2, "assistant"), turn(3, "user")],
        ["Which tent should I buy?", "How many people will sleep in it?", "Four of us, two kids."],
    )
    assert links.answer_of == {}
