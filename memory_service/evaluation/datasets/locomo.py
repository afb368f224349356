"""LoCoMo: the public file (a list of conversations) as frozen values.

LoCoMo's known-bad evidence ids are the one defect tolerated. Each question keeps its evidence
both ways: ``raw_evidence`` as the file gives it (the benchmark's own scoring counts an entry it
cannot find as a miss), and ``evidence``, cleaned: a list written in one entry
(``"D8:6; D9:17"``) split into its ids, and what still names no turn skipped and counted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from memory_service.evaluation.datasets.fields import (
    DatasetFormatError,
    expect_dict,
    expect_list,
    optional_scalar_text,
    parse_date,
    read_json,
    str_field,
)
from retrieval.timephrases import MONTH_ABBREVIATIONS, MONTHS

_LOCOMO_DATE = re.compile(r"\s*(\d{1,2}):(\d{2})\s*([ap]m)\s+on\s+(\d{1,2})\s+([a-z]+),?\s*(\d{4})\s*", re.I)
_DIA_ID = re.compile(r"D(\d+):(\d+)")
_EVIDENCE_LIST = re.compile(r"[;,]\s*|\s+")
_LOCOMO_SESSION_KEY = re.compile(r"session_(\d+)")
_MONTHS = {**MONTHS, **MONTH_ABBREVIATIONS}


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
    date_text: str = ""
    """The date as the file writes it (``"1:56 pm on 8 May, 2023"``), for prompts that quote it."""


@dataclass(frozen=True, slots=True)
class LocomoQuestion:
    """A LoCoMo question; `evidence` holds only ids that name a real turn, `raw_evidence` the file's entries."""

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


# --- LoCoMo loading -------------------------------------------------------------------------


def load_locomo(path: str | Path) -> LocomoDataset:
    """All conversations of a LoCoMo file (e.g. locomo10.json)."""
    return parse_locomo(read_json(path), str(path))


def parse_locomo(raw: object, source: str = "<data>") -> LocomoDataset:
    """A LoCoMo dataset from already-decoded JSON."""
    items = expect_list(raw, source, "top level", "a list of conversations")
    conversations = tuple(_parse_conversation(item, source, index) for index, item in enumerate(items))
    return LocomoDataset(
        conversations=conversations,
        skipped_evidence=sum(conversation.skipped_evidence for conversation in conversations),
    )


def _parse_conversation(item: object, source: str, index: int) -> LocomoConversation:
    obj = expect_dict(item, source, f"conversation #{index}")
    sample_id = str_field(obj, "sample_id", source, f"conversation #{index}")
    where = f"conversation #{index} ({sample_id})"
    body = expect_dict(obj.get("conversation"), source, f"{where}.conversation")
    speakers = (
        str_field(body, "speaker_a", source, f"{where}.conversation"),
        str_field(body, "speaker_b", source, f"{where}.conversation"),
    )
    sessions = _parse_locomo_sessions(body, source, f"{where}.conversation")
    turn_index = _dia_index(sessions)
    qa = expect_list(obj.get("qa"), source, f"{where}.qa", "a list of questions")
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
                date=parse_date(date_text, source, f"{where}.{date_key}", parse_locomo_date),
                turns=_parse_locomo_turns(body[key], source, f"{where}.{key}"),
                date_text=date_text,
            )
        )
    return tuple(sessions)


def _parse_locomo_turns(raw: object, source: str, where: str) -> tuple[LocomoTurn, ...]:
    turns = expect_list(raw, source, where, "a list of turns")
    parsed: list[LocomoTurn] = []
    for position, item in enumerate(turns):
        turn_where = f"{where}[{position}]"
        obj = expect_dict(item, source, turn_where)
        raw_text = str_field(obj, "text", source, turn_where)
        raw_caption = obj.get("blip_caption")
        caption = raw_caption.strip() if isinstance(raw_caption, str) and raw_caption.strip() else None
        parsed.append(
            LocomoTurn(
                dia_id=str_field(obj, "dia_id", source, turn_where),
                speaker=str_field(obj, "speaker", source, turn_where),
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
    obj = expect_dict(item, source, where)
    category = obj.get("category")
    if not isinstance(category, int) or isinstance(category, bool):
        raise DatasetFormatError(source, f"{where}.category", "missing or not an integer")
    adversarial = optional_scalar_text(obj, "adversarial_answer", source, where)
    answer = optional_scalar_text(obj, "answer", source, where)
    if answer is None:
        answer = adversarial
    if answer is None:
        raise DatasetFormatError(source, where, "neither 'answer' nor 'adversarial_answer' is present")
    raw_evidence = _raw_evidence(obj.get("evidence", []), source, f"{where}.evidence")
    valid, skipped = _resolve_evidence(raw_evidence, turn_index)
    return LocomoQuestion(
        question=str_field(obj, "question", source, where),
        answer=answer,
        category=category,
        evidence=valid,
        raw_evidence=raw_evidence,
        skipped_evidence=skipped,
        adversarial_answer=adversarial,
    )


def _raw_evidence(raw: object, source: str, where: str) -> tuple[str, ...]:
    """Evidence entries as text; a non-text entry is kept (as text) so it is counted as skipped."""
    entries = expect_list(raw, source, where, "a list of dia ids")
    return tuple(entry if isinstance(entry, str) else json.dumps(entry) for entry in entries)


def _resolve_evidence(
    raw_evidence: Sequence[str], turn_index: Mapping[tuple[int, int], str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split evidence into real turns (de-duplicated, order kept) and malformed/dangling entries.

    An entry listing several ids is split first; it is skipped whole if any of its parts names no turn.
    """
    valid: dict[str, None] = {}
    skipped: list[str] = []
    for entry in raw_evidence:
        parts = [part for part in _EVIDENCE_LIST.split(entry.strip()) if part]
        keys = [parse_dia_id(part) for part in parts]
        found = [turn_index.get(key) for key in keys if key is not None]
        if not parts or len(found) != len(parts) or None in found:
            skipped.append(entry)
            continue
        for dia_id in found:
            valid.setdefault(str(dia_id), None)
    return tuple(valid), tuple(skipped)
