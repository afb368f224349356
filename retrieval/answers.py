"""Answers to questions: a person's turn that asks something, and the next turn of its session by another.

An answer often shares few words with a query ("Three times a week.") while the question it
answers ("How often do you all work out together?") matches it well. Round keys pair a user's
turn with the replies that follow; in a conversation between people either side asks, and the
user's answer to the other person's question sits in no round with it. Crediting an answer
with part of its question's score reaches it from either side.

Only exchanges between people are linked (the user and another person, or two people): an
assistant's reply is tied to the user's question by its round already and keeps only its share
of a score, so that replies do not crowd out what the user said; and an assistant's question is
mostly a habit of closing a reply ("Would you like more ideas?"), after which the user's next turn
is seldom its answer. Linked across an assistant either way, answers lost LongMemEval_S turn
recall beyond the noise; between people they gain LoCoMo recall@10 (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from retrieval.keys import TurnRef

Scored = list[tuple[int, float]]
PEOPLE = frozenset({"user", "person"})
"""The roles whose exchanges are linked: people, not an assistant, a tool or the system."""


def asks(text: str) -> bool:
    """Whether a turn asks something (a question mark anywhere in it: "Nice! Where was that?")."""
    return "?" in text


@dataclass
class AnswerLinks:
    """The answer of every question turn of a partition, grown turn by turn in session order."""

    answer_of: dict[int, int] = field(default_factory=dict)
    _last: dict[int, tuple[int, str, bool]] = field(default_factory=dict)
    """Each session's last turn: its id, its speaker's role and whether it asks."""

    def add_turns(self, turns: Sequence[TurnRef], texts: Sequence[str]) -> None:
        """Link new turns (in the order they were said) to the questions they answer."""
        for turn, text in zip(turns, texts, strict=True):
            last = self._last.get(turn.session)
            if last is not None and last[2] and last[1] != turn.role and {last[1], turn.role} <= PEOPLE:
                self.answer_of[last[0]] = turn.pk
            self._last[turn.session] = (turn.pk, turn.role, asks(text))

    def credit(self, scored: Sequence[tuple[int, float]], weight: float, allowed: Collection[int] | None) -> Scored:
        """Add ``weight`` times each question's score to its answer's (an answer not yet among the
        candidates joins them), best first. Only answers in ``allowed`` (None: all) are credited."""
        if weight <= 0:
            return list(scored)
        totals: dict[int, float] = dict(scored)
        credits: Mapping[int, float] = {
            answer: weight * score
            for pk, score in scored
            if (answer := self.answer_of.get(pk)) is not None and (allowed is None or answer in allowed)
        }
        for answer, extra in credits.items():
            totals[answer] = totals.get(answer, 0.0) + extra
        return sorted(totals.items(), key=lambda pair: pair[1], reverse=True)
