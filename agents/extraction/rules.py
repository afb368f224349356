"""The offline extractor: first-person statements matched against a table of rules.

Each user turn is cut into statement clauses (:mod:`agents.extraction.clauses`); the rules
(negations first, then profile, people, preferences, and finally events, plans and habits) are
tried in order against each clause and the first that builds a fact wins, so a clause yields
at most one fact. Time phrases in the clause set ``valid_at``; without one it is the episode's
``occurred_at``. Assistant turns are read only where they report what the user said.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from agents.extraction import (
    patterns_changes,
    patterns_happenings,
    patterns_people,
    patterns_preferences,
    patterns_profile,
    patterns_work,
)
from agents.extraction.clauses import quoted_user_clauses, statement_clauses
from agents.extraction.models import (
    USER_SUBJECT,
    CandidateFact,
    EpisodeText,
    ExtractionResult,
    speaker_subject,
    subject_label,
)
from agents.extraction.rule import Found, Rule
from agents.extraction.timing import first_instant, is_ahead, time_phrases

DEFAULT_RULES: tuple[Rule, ...] = (
    *patterns_changes.RULES,
    *patterns_work.RULES,
    *patterns_profile.RULES,
    *patterns_people.RULES,
    *patterns_preferences.RULES,
    *patterns_happenings.RULES,
)
"""Every built-in rule, in the order they are tried."""

QUOTED_CONFIDENCE = 0.8
"""Factor on confidence for facts an assistant reports the user said: second-hand."""

_HEDGE = re.compile(r"\b(?:probably|maybe|perhaps|I think|I guess|might|kind of|sort of|hopefully)\b", re.IGNORECASE)
_DATED_BONUS = 0.1
"""Confidence added to an event or plan with its own date: a dated happening is rarely idle talk."""
_HEDGE_PENALTY = 0.15
"""Confidence taken from a clause with a hedge ("maybe", "I think"): said, but not asserted.
Set by hand with _DATED_BONUS so a hedged undated plan (0.5) falls below a plain one."""
_EMPTY_TOPICS = frozenset({"unspecified", "more", "one", "ones", "some", "stuff", "things", "thing"})


def extract_clause(
    said: str,
    anchored: str,
    occurred_at: datetime,
    subject: str,
    rules: Sequence[Rule] = DEFAULT_RULES,
) -> CandidateFact | None:
    """The fact one statement clause states, or None.

    ``said`` is the clause with its lead-in ("Last week, I ...") for time resolution,
    ``anchored`` the clause from its subject on, which the rules match.
    """
    ranges = time_phrases(said, occurred_at)
    valid = first_instant(ranges, occurred_at)
    ahead = any(is_ahead(found, occurred_at) for found in ranges)
    found_base = (tuple(r.phrase for r in ranges), valid is not None, ahead)
    for rule in rules:
        match = rule.pattern.match(anchored)
        if match is None or (rule.time == "any" and valid is None) or (rule.time == "ahead" and not ahead):
            continue
        built = rule.build(Found(match, subject_label(subject), *found_base))
        if built is None:
            continue
        attribute, statement = built[0], built[1]
        if attribute.rsplit(":", 1)[-1] in _EMPTY_TOPICS:
            continue  # "thinking of getting a few more": about nothing said in the clause
        kind = built[2] if len(built) == 3 else rule.kind
        if kind == "plan":
            valid = first_instant(ranges, occurred_at, ahead=True)
        confidence = rule.confidence
        if kind in ("event", "plan") and valid is not None:
            confidence += _DATED_BONUS
        if _HEDGE.search(said):
            confidence -= _HEDGE_PENALTY
        return CandidateFact(
            subject=subject,
            attribute=attribute,
            statement=statement,
            kind=kind,
            valid_at=valid if rule.timed and valid is not None else occurred_at,
            negated=rule.negated,
            confidence=round(min(1.0, max(0.05, confidence)), 3),
        )
    return None


def merge_facts(facts: Iterable[CandidateFact]) -> tuple[CandidateFact, ...]:
    """One fact per (subject, attribute, statement): sources joined, highest confidence kept."""
    merged: dict[tuple[str, str, str], CandidateFact] = {}
    for fact in facts:
        key = (fact.subject, fact.attribute, fact.statement.lower())
        seen = merged.get(key)
        if seen is None:
            merged[key] = fact
            continue
        sources = tuple(dict.fromkeys(seen.source_episode_ids + fact.source_episode_ids))
        merged[key] = replace(seen, source_episode_ids=sources, confidence=max(seen.confidence, fact.confidence))
    return tuple(merged.values())


class RuleBasedExtractor:
    """Pattern rules over first-person statements; no model, no network, deterministic.

    Precision over recall: a clause yields a fact only when a rule recognises its whole shape,
    and questions, requests and hypotheticals are never read as facts.
    """

    name = "rules"

    def __init__(self, rules: Sequence[Rule] = DEFAULT_RULES, *, read_assistant_quotes: bool = True) -> None:
        self._rules = tuple(rules)
        self._read_quotes = read_assistant_quotes

    def extract_episode(self, episode: EpisodeText) -> list[CandidateFact]:
        """Facts stated in one turn, each citing that turn."""
        subject = speaker_subject(episode.role)
        factor = 1.0
        if subject is not None:
            clauses = statement_clauses(episode.content)
        elif self._read_quotes:
            subject, factor, clauses = USER_SUBJECT, QUOTED_CONFIDENCE, quoted_user_clauses(episode.content)
        else:
            return []
        facts = []
        for said, anchored in clauses:
            fact = extract_clause(said, anchored, episode.occurred_at, subject, self._rules)
            if fact is not None:
                facts.append(
                    replace(fact, confidence=round(fact.confidence * factor, 3), source_episode_ids=(episode.id,))
                )
        return facts

    def extract(self, episodes: Sequence[EpisodeText]) -> ExtractionResult:
        facts = (fact for episode in episodes for fact in self.extract_episode(episode))
        return ExtractionResult(facts=merge_facts(facts), backend=self.name)
