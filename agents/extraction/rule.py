"""The shape of one extraction rule and what a rule sees when its pattern matches.

A rule is a regex anchored at the start of a statement clause (``"I ..."`` / ``"my ..."``) plus
a builder that turns the match into ``(attribute, statement)`` or refuses it. Builders are
small functions over :class:`Found`, which carries the cleaned pieces they need.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from agents.extraction.models import FactKind
from agents.extraction.phrasing import clean_object, sentence, slug, third_person
from agents.extraction.vocabulary import possession_key, words

ADV = (
    r"(?:(?:really|actually|just|also|currently|still|now|recently|finally|even|usually|always|often|"
    r"sometimes|absolutely|totally|definitely|truly|honestly|kind of|kinda|sort of|personally|originally|"
    r"already|mostly|generally|especially|particularly|pretty much|literally|officially|newly|happily|"
    r"proudly|lately|eventually|luckily|mainly|seriously|genuinely|deeply|both|all|so|then|once)\s+)*"
)
ME = rf"^I\s+{ADV}"
"""Start of a first-person clause: "I" and any adverbs ("I really just ...")."""
OBJ = r"(?P<obj>.+)"
NAME = r"(?-i:[A-Z][a-z'-]+(?: [A-Z][a-z'-]+)?)"
"""A name as written: capitalized words, matched case-sensitively inside case-insensitive rules."""

TimeNeed = Literal["any", "ahead"]


@dataclass(frozen=True, slots=True)
class Found:
    """A rule's match in one clause, with the clause's time phrases and the subject's label."""

    match: re.Match[str]
    label: str
    time_phrases: tuple[str, ...]
    dated: bool
    ahead: bool

    @property
    def possessive(self) -> str:
        """ "User's" / "Caroline's": for statements about the subject's relatives and things."""
        return f"{self.label}'s"

    def raw(self, group: str) -> str:
        """A group's text as said, "" when the group did not take part."""
        return (self.match.group(group) or "").strip()

    def obj(self, group: str = "obj", *, keep_time: bool = False, possessive: str = "their") -> str | None:
        """A group cleaned into an object phrase (see :func:`clean_object`), None if unusable."""
        text = self.match.group(group)
        if not text:
            return None
        return clean_object(text, () if keep_time else self.time_phrases, possessive)

    def say(self, predicate: str) -> str:
        """A statement with the subject's label in front: "User" + "lives in Berlin"."""
        return sentence(self.label, predicate)

    def say_of(self, noun: str, predicate: str) -> str:
        """A statement about something of the subject's: "User's sister" + "is a nurse"."""
        return sentence(f"{self.possessive} {noun}", predicate)


Built = tuple[str, str] | tuple[str, str, FactKind] | None
"""(attribute, statement[, kind when it differs from the rule's]), or None when the match is no fact."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One pattern and how to turn its match into a candidate fact.

    ``time``: "any" needs some time phrase in the clause, "ahead" one that reaches past the
    episode time (plans said with "will"). ``timed`` False keeps the
    episode time as ``valid_at`` even when the clause names a date, because the date is the
    content ("my birthday is May 3").
    """

    name: str
    pattern: re.Pattern[str]
    kind: FactKind
    build: Callable[[Found], Built]
    confidence: float
    negated: bool = False
    time: TimeNeed | None = None
    timed: bool = True


def rule(
    name: str,
    pattern: str,
    kind: FactKind,
    build: Callable[[Found], Built],
    confidence: float,
    *,
    negated: bool = False,
    time: TimeNeed | None = None,
    timed: bool = True,
) -> Rule:
    """Compile a rule; patterns are case-insensitive and matched at the clause start."""
    return Rule(name, re.compile(pattern, re.IGNORECASE), kind, build, confidence, negated, time, timed)


# --- helpers shared by the rule tables --------------------------------------------------------

_HEAD_STOP = re.compile(
    r"\s+(?:at|for|in|on|with|from|of|who|that|which|named|called|to|by|near|and|or|because|since)\b.*$", re.I
)
_GERUND_VERBS = re.compile(
    r"^(?:playing|going to(?: the)?|going|doing|practi[cs]ing|taking|attending|eating|drinking|using|watching|"
    r"reading|learning(?: about| more about)?|trying|getting|making|visiting|seeing|having|buying)\s+",
    re.I,
)
_MODALS = words("cannot can will would could should must may might never also")


_QUANTITY_OF = re.compile(
    r"^(?:(?:an?|the|my|their|some|two|three|\d+|new|few)\s+)*(?:\w+\s+)?(?:set|pair|couple|bunch|box|bag|"
    r"pack|bottle|cup|piece|kind|type|sort|lot|dozen|number)s?\s+of\s+",
    re.IGNORECASE,
)


def head_noun(phrase: str) -> str:
    """The last word before the first preposition: "a nurse at St Mary's" -> "nurse",
    "a set of winter tires" -> "tires"."""
    core = _HEAD_STOP.sub("", _QUANTITY_OF.sub("", phrase)).strip()
    words = re.findall(r"[A-Za-z][\w'-]*", core)
    return re.sub(r"[^a-z0-9]+", "_", words[-1].lower()).strip("_") if words else ""


def possession_slot(phrase: str) -> str:
    """Slot of a belonging: ``possession:car`` for "a Honda Civic" or "my old Tesla", else by head noun."""
    core = _HEAD_STOP.sub("", _QUANTITY_OF.sub("", phrase)).strip()
    key = possession_key(re.findall(r"[A-Za-z][\w-]*", core), head_noun(phrase))
    return f"possession:{key or 'unspecified'}"


def topic_slug(phrase: str) -> str:
    """Key for what a preference or activity is about, with leading gerunds dropped."""
    return slug(_GERUND_VERBS.sub("", phrase))


def conjugate(verb: str) -> str:
    """Third person of a said verb phrase: "love" -> "loves", "am into" -> "is into",
    "do not like" -> "does not like", "cannot stand" unchanged, "have loved" -> "has loved"."""
    head = verb.split(" ", 1)[0].lower()
    if head in _MODALS:
        return verb
    return third_person(verb)
