"""Loaders for the LongMemEval and LoCoMo benchmark files, and the gold sets they imply.

The loaders read the public files unchanged (LongMemEval oracle / S / M share one list format;
LoCoMo-10 is a list of conversations) into frozen dataclasses, so the evaluation jobs never touch
raw JSON. A file in another format fails loudly with `DatasetFormatError`, naming the file, the
item and the field; LoCoMo's known-bad evidence ids are the one defect tolerated: they are
skipped and counted, because the public file has them and the benchmark is still usable.

Gold sets follow LongMemEval's own retrieval baselines, which index user turns only: see
`session_corpus` / `gold_session_ids` and `turn_corpus` / `gold_turn_ids`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from retrieval.timephrases import MONTH_ABBREVIATIONS, MONTHS

EVIDENCE_MARKER = "answer"
"""A LongMemEval session is evidence when its id contains this."""

ABSTENTION_SUFFIX = "_abs"

_DateParser = Callable[[str], datetime]

_LONGMEMEVAL_DATE = re.compile(r"\s*(\d{4})/(\d{1,2})/(\d{1,2})\s*(?:\(\w+\))?\s*(\d{1,2}):(\d{2})\s*")
_LOCOMO_DATE = re.compile(r"\s*(\d{1,2}):(\d{2})\s*([ap]m)\s+on\s+(\d{1,2})\s+([a-z]+),?\s*(\d{4})\s*", re.I)
_DIA_ID = re.compile(r"D(\d+):(\d+)")
_LOCOMO_SESSION_KEY = re.compile(r"session_(\d+)")
_MONTHS = {**MONTHS, **MONTH_ABBREVIATIONS}


class DatasetFormatError(ValueError):
    """A benchmark file is not in the expected format; says which file, item and field."""

    def __init__(self, source: str, where: str, problem: str) -> None:
        super().__init__(f"{source}: {where}: {problem}")
        self.source = source
        self.where = where
        self.problem = problem


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


# --- LoCoMo values --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LocomoTurn:
    """One LoCoMo utterance; `text` describes a shared image, so text-only retrieval sees it."""

    dia_id: str
    speaker: str
    text: str
    raw_text: str
    image_caption: str | None = None


@dataclass(frozen=True, slots=True)
class LocomoSession:
    session_id: str
    index: int
    date: datetime
    turns: tuple[LocomoTurn, ...]


@dataclass(frozen=True, slots=True)
class LocomoQuestion:
    """A LoCoMo question; `evidence` holds only ids that name a real turn of the conversation."""

    question: str
    answer: str
    category: int
    evidence: tuple[str, ...]
    raw_evidence: tuple[str, ...]
    skipped_evidence: tuple[str, ...]
    adversarial_answer: str | None = None

    @property
    def is_adversarial(self) -> bool:
        """Category 5: the question is unanswerable from the conversation."""
        return self.category == 5


@dataclass(frozen=True, slots=True)
class LocomoConversation:
    sample_id: str
    speakers: tuple[str, str]
    sessions: tuple[LocomoSession, ...]
    questions: tuple[LocomoQuestion, ...]

    @property
    def turns(self) -> tuple[LocomoTurn, ...]:
        return tuple(turn for session in self.sessions for turn in session.turns)

    @property
    def skipped_evidence(self) -> int:
        return sum(len(question.skipped_evidence) for question in self.questions)


@dataclass(frozen=True, slots=True)
class LocomoDataset:
    """All conversations of a LoCoMo file, with how many evidence ids had to be skipped."""

    conversations: tuple[LocomoConversation, ...]
    skipped_evidence: int


# --- date parsing ---------------------------------------------------------------------------


def parse_longmemeval_date(text: str) -> datetime:
    """Parse ``"2023/05/30 (Tue) 23:40"`` as UTC (the benchmark gives no zone)."""
    match = _LONGMEMEVAL_DATE.fullmatch(text)
    if match is None:
        raise ValueError(f"not a LongMemEval date like '2023/05/30 (Tue) 23:40': {text!r}")
    year, month, day, hour, minute = (int(group) for group in match.groups())
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def parse_locomo_date(text: str) -> datetime:
    """Parse ``"1:56 pm on 8 May, 2023"`` as UTC (the benchmark gives no zone)."""
    match = _LOCOMO_DATE.fullmatch(text)
    month = _MONTHS.get(match.group(5).lower()) if match else None
    if match is None or month is None:
        raise ValueError(f"not a LoCoMo date like '1:56 pm on 8 May, 2023': {text!r}")
    hour, minute, day, year = (int(match.group(index)) for index in (1, 2, 4, 6))
    if not 1 <= hour <= 12:
        raise ValueError(f"12-hour clock hour out of range in {text!r}")
    hour = hour % 12 + (12 if match.group(3).lower() == "pm" else 0)
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- LongMemEval loading --------------------------------------------------------------------


def load_longmemeval(path: str | Path) -> tuple[LongMemEvalQuestion, ...]:
    """All questions of a LongMemEval file (oracle, S or M)."""
    return tuple(iter_longmemeval(path))


def iter_longmemeval(path: str | Path) -> Iterator[LongMemEvalQuestion]:
    """Questions of a LongMemEval file one by one; the JSON is parsed once up front."""
    source = str(path)
    return parse_longmemeval(_read_json(path), source)


def parse_longmemeval(raw: object, source: str = "<data>") -> Iterator[LongMemEvalQuestion]:
    """Questions from already-decoded LongMemEval JSON (validated as they are yielded)."""
    items = _expect_list(raw, source, "top level", "a list of questions")
    return (_parse_question(item, source, index) for index, item in enumerate(items))


def _parse_question(item: object, source: str, index: int) -> LongMemEvalQuestion:
    obj = _expect_dict(item, source, f"question #{index}")
    question_id = _str_field(obj, "question_id", source, f"question #{index}")
    where = f"question #{index} ({question_id})"
    return LongMemEvalQuestion(
        question_id=question_id,
        question_type=_str_field(obj, "question_type", source, where),
        question=_str_field(obj, "question", source, where),
        answer=_scalar_text_field(obj, "answer", source, where),
        question_date=_date_field(obj, "question_date", source, where, parse_longmemeval_date),
        sessions=_parse_haystack(obj, source, where),
        answer_session_ids=tuple(_str_list_field(obj, "answer_session_ids", source, where)),
    )


def _parse_haystack(obj: Mapping[str, object], source: str, where: str) -> tuple[HaystackSession, ...]:
    ids = _str_list_field(obj, "haystack_session_ids", source, where)
    dates = _str_list_field(obj, "haystack_dates", source, where)
    sessions = _expect_list(obj.get("haystack_sessions"), source, f"{where}.haystack_sessions", "a list")
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
            date=_parse_date(date, source, f"{where}.haystack_dates[{position}]", parse_longmemeval_date),
            turns=_parse_turns(turns, source, f"{where}.haystack_sessions[{position}] ({session_id})"),
        )
        for position, (session_id, date, turns) in enumerate(zip(ids, dates, sessions, strict=True))
    )


def _parse_turns(raw: object, source: str, where: str) -> tuple[Turn, ...]:
    turns = _expect_list(raw, source, where, "a list of turns")
    parsed: list[Turn] = []
    for position, item in enumerate(turns):
        turn_where = f"{where}[{position}]"
        obj = _expect_dict(item, source, turn_where)
        has_answer = obj.get("has_answer") or False  # absent on non-evidence turns
        if not isinstance(has_answer, bool):
            raise DatasetFormatError(source, f"{turn_where}.has_answer", "expected true or false")
        parsed.append(
            Turn(
                role=_str_field(obj, "role", source, turn_where),
                content=_str_field(obj, "content", source, turn_where),
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


# --- LoCoMo loading -------------------------------------------------------------------------


def load_locomo(path: str | Path) -> LocomoDataset:
    """All conversations of a LoCoMo file (e.g. locomo10.json)."""
    return parse_locomo(_read_json(path), str(path))


def parse_locomo(raw: object, source: str = "<data>") -> LocomoDataset:
    """A LoCoMo dataset from already-decoded JSON."""
    items = _expect_list(raw, source, "top level", "a list of conversations")
    conversations = tuple(_parse_conversation(item, source, index) for index, item in enumerate(items))
    return LocomoDataset(
        conversations=conversations,
        skipped_evidence=sum(conversation.skipped_evidence for conversation in conversations),
    )


def _parse_conversation(item: object, source: str, index: int) -> LocomoConversation:
    obj = _expect_dict(item, source, f"conversation #{index}")
    sample_id = _str_field(obj, "sample_id", source, f"conversation #{index}")
    where = f"conversation #{index} ({sample_id})"
    body = _expect_dict(obj.get("conversation"), source, f"{where}.conversation")
    speakers = (
        _str_field(body, "speaker_a", source, f"{where}.conversation"),
        _str_field(body, "speaker_b", source, f"{where}.conversation"),
    )
    sessions = _parse_locomo_sessions(body, source, f"{where}.conversation")
    turn_index = _dia_index(sessions)
    qa = _expect_list(obj.get("qa"), source, f"{where}.qa", "a list of questions")
    questions = tuple(
        _parse_locomo_question(entry, turn_index, source, f"{where}.qa[{position}]")
        for position, entry in enumerate(qa)
    )
    return LocomoConversation(sample_id=sample_id, speakers=speakers, sessions=sessions, questions=questions)


def _parse_locomo_sessions(body: Mapping[str, object], source: str, where: str) -> tuple[LocomoSession, ...]:
    """Sessions are the ``session_<n>`` lists; dates without a session (LoCoMo has some) are ignored."""
    numbered = sorted(
        (int(match.group(1)), key) for key in body if (match := _LOCOMO_SESSION_KEY.fullmatch(key)) is not None
    )
    sessions: list[LocomoSession] = []
    for number, key in numbered:
        date_key = f"{key}_date_time"
        date_text = body.get(date_key)
        if not isinstance(date_text, str):
            raise DatasetFormatError(source, f"{where}.{date_key}", "missing or not a string")
        sessions.append(
            LocomoSession(
                session_id=key,
                index=number,
                date=_parse_date(date_text, source, f"{where}.{date_key}", parse_locomo_date),
                turns=_parse_locomo_turns(body[key], source, f"{where}.{key}"),
            )
        )
    return tuple(sessions)


def _parse_locomo_turns(raw: object, source: str, where: str) -> tuple[LocomoTurn, ...]:
    turns = _expect_list(raw, source, where, "a list of turns")
    parsed: list[LocomoTurn] = []
    for position, item in enumerate(turns):
        turn_where = f"{where}[{position}]"
        obj = _expect_dict(item, source, turn_where)
        raw_text = _str_field(obj, "text", source, turn_where)
        raw_caption = obj.get("blip_caption")
        caption = raw_caption.strip() if isinstance(raw_caption, str) and raw_caption.strip() else None
        parsed.append(
            LocomoTurn(
                dia_id=_str_field(obj, "dia_id", source, turn_where),
                speaker=_str_field(obj, "speaker", source, turn_where),
                text=describe_photo(raw_text, caption),
                raw_text=raw_text,
                image_caption=caption,
            )
        )
    return tuple(parsed)


def describe_photo(text: str, caption: str | None) -> str:
    """Append a shared image's caption, so text-only retrieval can match what the photo shows."""
    if caption is None:
        return text
    return f"{text} [shares a photo: {caption}]" if text else f"[shares a photo: {caption}]"


def _dia_index(sessions: Sequence[LocomoSession]) -> dict[tuple[int, int], str]:
    """(session, turn) numbers to the turn's own dia id; turns with odd ids can't be evidence."""
    index: dict[tuple[int, int], str] = {}
    for session in sessions:
        for turn in session.turns:
            key = parse_dia_id(turn.dia_id)
            if key is not None:
                index.setdefault(key, turn.dia_id)
    return index


def parse_dia_id(text: str) -> tuple[int, int] | None:
    """``"D3:12"`` -> (3, 12); None for anything else (``"D:11:26"``, ``"D8:6; D9:17"``)."""
    match = _DIA_ID.fullmatch(text.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def _parse_locomo_question(
    item: object, turn_index: Mapping[tuple[int, int], str], source: str, where: str
) -> LocomoQuestion:
    obj = _expect_dict(item, source, where)
    category = obj.get("category")
    if not isinstance(category, int) or isinstance(category, bool):
        raise DatasetFormatError(source, f"{where}.category", "missing or not an integer")
    adversarial = _optional_scalar_text(obj, "adversarial_answer", source, where)
    answer = _optional_scalar_text(obj, "answer", source, where)
    if answer is None:
        answer = adversarial
    if answer is None:
        raise DatasetFormatError(source, where, "neither 'answer' nor 'adversarial_answer' is present")
    raw_evidence = _raw_evidence(obj.get("evidence", []), source, f"{where}.evidence")
    valid, skipped = _resolve_evidence(raw_evidence, turn_index)
    return LocomoQuestion(
        question=_str_field(obj, "question", source, where),
        answer=answer,
        category=category,
        evidence=valid,
        raw_evidence=raw_evidence,
        skipped_evidence=skipped,
        adversarial_answer=adversarial,
    )


def _raw_evidence(raw: object, source: str, where: str) -> tuple[str, ...]:
    """Evidence entries as text; a non-text entry is kept (as text) so it is counted as skipped."""
    entries = _expect_list(raw, source, where, "a list of dia ids")
    return tuple(entry if isinstance(entry, str) else json.dumps(entry) for entry in entries)


def _resolve_evidence(
    raw_evidence: Sequence[str], turn_index: Mapping[tuple[int, int], str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split evidence into real turns (de-duplicated, order kept) and malformed/dangling ids."""
    valid: dict[str, None] = {}
    skipped: list[str] = []
    for entry in raw_evidence:
        key = parse_dia_id(entry)
        dia_id = turn_index.get(key) if key is not None else None
        if dia_id is None:
            skipped.append(entry)
        else:
            valid.setdefault(dia_id, None)
    return tuple(valid), tuple(skipped)


# --- JSON field helpers ---------------------------------------------------------------------


def _read_json(path: str | Path) -> object:
    """Decode a whole file once; a non-JSON file is a format error, a missing one is not."""
    with open(path, "rb") as handle:
        try:
            data: object = json.load(handle)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DatasetFormatError(str(path), "file", f"not valid JSON ({exc})") from exc
    return data


def _expect_list(value: object, source: str, where: str, what: str) -> list[object]:
    if not isinstance(value, list):
        raise DatasetFormatError(source, where, f"expected {what}, got {_kind(value)}")
    return value


def _expect_dict(value: object, source: str, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise DatasetFormatError(source, where, f"expected an object, got {_kind(value)}")
    return value


def _str_field(obj: Mapping[str, object], name: str, source: str, where: str) -> str:
    value = obj.get(name)
    if not isinstance(value, str):
        raise DatasetFormatError(source, f"{where}.{name}", f"expected a string, got {_kind(value)}")
    return value


def _scalar_text_field(obj: Mapping[str, object], name: str, source: str, where: str) -> str:
    value = _optional_scalar_text(obj, name, source, where)
    if value is None:
        raise DatasetFormatError(source, f"{where}.{name}", "missing")
    return value


def _optional_scalar_text(obj: Mapping[str, object], name: str, source: str, where: str) -> str | None:
    """Answers are text but the public files hold some as bare numbers (e.g. 2022)."""
    value = obj.get(name)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise DatasetFormatError(source, f"{where}.{name}", f"expected text or a number, got {_kind(value)}")


def _str_list_field(obj: Mapping[str, object], name: str, source: str, where: str) -> list[str]:
    values = _expect_list(obj.get(name), source, f"{where}.{name}", "a list of strings")
    checked: list[str] = []
    for position, value in enumerate(values):
        if not isinstance(value, str):
            raise DatasetFormatError(source, f"{where}.{name}[{position}]", f"expected a string, got {_kind(value)}")
        checked.append(value)
    return checked


def _date_field(obj: Mapping[str, object], name: str, source: str, where: str, parse: _DateParser) -> datetime:
    return _parse_date(_str_field(obj, name, source, where), source, f"{where}.{name}", parse)


def _parse_date(text: str, source: str, where: str, parse: _DateParser) -> datetime:
    try:
        return parse(text)
    except ValueError as exc:
        raise DatasetFormatError(source, where, str(exc)) from exc


def _kind(value: object) -> str:
    return "nothing" if value is None else type(value).__name__
