"""LongMemEval: the public files (oracle / S / M share one list format) as frozen values, and their gold sets.

Gold sets follow LongMemEval's own retrieval baselines, which index user turns only: see
`session_corpus` / `gold_session_ids` and `turn_corpus` / `gold_turn_ids`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from memory_service.evaluation.datasets.fields import (
    DatasetFormatError,
    date_field,
    expect_dict,
    expect_list,
    parse_date,
    read_json,
    scalar_text_field,
    str_field,
    str_list_field,
)

EVIDENCE_MARKER = "answer"
"""A LongMemEval session is evidence when its id contains this."""

ABSTENTION_SUFFIX = "_abs"


_LONGMEMEVAL_DATE = re.compile(r"\s*(\d{4})/(\d{1,2})/(\d{1,2})\s*(?:\(\w+\))?\s*(\d{1,2}):(\d{2})\s*")


# --- LongMemEval values ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Turn:
    """One message of a LongMemEval haystack session."""

    role: str
    content: str
    has_answer: bool = False


@dataclass(frozen=True, slots=True)
class HaystackSession:
    """One chat session of a question's haystack, with the time it happened."""

    session_id: str
    date: datetime
    turns: tuple[Turn, ...]

    @property
    def is_evidence(self) -> bool:
        return EVIDENCE_MARKER in self.session_id


@dataclass(frozen=True, slots=True)
class LongMemEvalQuestion:
    """A LongMemEval question with its own haystack: each question is its own world."""

    question_id: str
    question_type: str
    question: str
    answer: str
    question_date: datetime
    sessions: tuple[HaystackSession, ...]
    answer_session_ids: tuple[str, ...]

    @property
    def is_abstention(self) -> bool:
        """The right answer is "not known"; such questions have nothing to retrieve."""
        return self.question_id.endswith(ABSTENTION_SUFFIX)


@dataclass(frozen=True, slots=True)
class CorpusDoc:
    """A retrieval unit of the benchmark's baselines: a session or a single user turn."""

    doc_id: str
    session_id: str
    text: str
    date: datetime


# --- date parsing ---------------------------------------------------------------------------


def parse_longmemeval_date(text: str) -> datetime:
    """Parse ``"2023/05/30 (Tue) 23:40"`` as UTC (the benchmark gives no zone)."""
    match = _LONGMEMEVAL_DATE.fullmatch(text)
    if match is None:
        raise ValueError(f"not a LongMemEval date like '2023/05/30 (Tue) 23:40': {text!r}")
    year, month, day, hour, minute = (int(group) for group in match.groups())
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- LongMemEval loading --------------------------------------------------------------------


def load_longmemeval(path: str | Path) -> tuple[LongMemEvalQuestion, ...]:
    """All questions of a LongMemEval file (oracle, S or M)."""
    return tuple(iter_longmemeval(path))


def iter_longmemeval(path: str | Path) -> Iterator[LongMemEvalQuestion]:
    """Questions of a LongMemEval file one by one; the JSON is parsed once up front."""
    source = str(path)
    return parse_longmemeval(read_json(path), source)


def parse_longmemeval(raw: object, source: str = "<data>") -> Iterator[LongMemEvalQuestion]:
    """Questions from already-decoded LongMemEval JSON (validated as they are yielded)."""
    items = expect_list(raw, source, "top level", "a list of questions")
    return (_parse_question(item, source, index) for index, item in enumerate(items))


def _parse_question(item: object, source: str, index: int) -> LongMemEvalQuestion:
    obj = expect_dict(item, source, f"question #{index}")
    question_id = str_field(obj, "question_id", source, f"question #{index}")
    where = f"question #{index} ({question_id})"
    return LongMemEvalQuestion(
        question_id=question_id,
        question_type=str_field(obj, "question_type", source, where),
        question=str_field(obj, "question", source, where),
        answer=scalar_text_field(obj, "answer", source, where),
        question_date=date_field(obj, "question_date", source, where, parse_longmemeval_date),
        sessions=_parse_haystack(obj, source, where),
        answer_session_ids=tuple(str_list_field(obj, "answer_session_ids", source, where)),
    )


def _parse_haystack(obj: Mapping[str, object], source: str, where: str) -> tuple[HaystackSession, ...]:
    ids = str_list_field(obj, "haystack_session_ids", source, where)
    dates = str_list_field(obj, "haystack_dates", source, where)
    sessions = expect_list(obj.get("haystack_sessions"), source, f"{where}.haystack_sessions", "a list")
    if not len(ids) == len(dates) == len(sessions):
        raise DatasetFormatError(
            source,
            where,
            f"haystack_session_ids ({len(ids)}), haystack_dates ({len(dates)}) and "
            f"haystack_sessions ({len(sessions)}) differ in length",
        )
    return tuple(
        HaystackSession(
            session_id=session_id,
            date=parse_date(date, source, f"{where}.haystack_dates[{position}]", parse_longmemeval_date),
            turns=_parse_turns(turns, source, f"{where}.haystack_sessions[{position}] ({session_id})"),
        )
        for position, (session_id, date, turns) in enumerate(zip(ids, dates, sessions, strict=True))
    )


def _parse_turns(raw: object, source: str, where: str) -> tuple[Turn, ...]:
    turns = expect_list(raw, source, where, "a list of turns")
    parsed: list[Turn] = []
    for position, item in enumerate(turns):
        turn_where = f"{where}[{position}]"
        obj = expect_dict(item, source, turn_where)
        has_answer = obj.get("has_answer") or False  # absent on non-evidence turns
        if not isinstance(has_answer, bool):
            raise DatasetFormatError(source, f"{turn_where}.has_answer", "expected true or false")
        parsed.append(
            Turn(
                role=str_field(obj, "role", source, turn_where),
                content=str_field(obj, "content", source, turn_where),
                has_answer=has_answer,
            )
        )
    return tuple(parsed)


# --- LongMemEval gold sets ------------------------------------------------------------------


def turn_doc_id(session_id: str, position: int) -> str:
    """The benchmark's turn id: ``<session_id>_<1-based position in the full session>``."""
    return f"{session_id}_{position}"


def session_corpus(question: LongMemEvalQuestion) -> tuple[CorpusDoc, ...]:
    """One document per haystack session: its user turns, space-joined as the baselines do."""
    return tuple(
        CorpusDoc(
            doc_id=session.session_id,
            session_id=session.session_id,
            text=" ".join(turn.content for turn in session.turns if turn.role == "user"),
            date=session.date,
        )
        for session in question.sessions
    )


def gold_session_ids(question: LongMemEvalQuestion) -> frozenset[str]:
    """Evidence sessions whose evidence is on the user side (what a user-turn index can find)."""
    return frozenset(
        session.session_id
        for session in question.sessions
        if session.is_evidence and any(turn.has_answer and turn.role == "user" for turn in session.turns)
    )


def turn_corpus(question: LongMemEvalQuestion) -> tuple[CorpusDoc, ...]:
    """One document per user turn, numbered by position in the full session (assistant included)."""
    return tuple(
        CorpusDoc(
            doc_id=turn_doc_id(session.session_id, position),
            session_id=session.session_id,
            text=turn.content,
            date=session.date,
        )
        for session in question.sessions
        for position, turn in enumerate(session.turns, start=1)
        if turn.role == "user"
    )


def gold_turn_ids(question: LongMemEvalQuestion) -> frozenset[str]:
    """User turns marked ``has_answer`` in evidence sessions."""
    return frozenset(
        turn_doc_id(session.session_id, position)
        for session in question.sessions
        if session.is_evidence
        for position, turn in enumerate(session.turns, start=1)
        if turn.role == "user" and turn.has_answer
    )
