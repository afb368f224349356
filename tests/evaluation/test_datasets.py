"""Benchmark loaders on the real development samples, and their failure modes on bad files."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from memory_service.evaluation.datasets import (
    DatasetFormatError,
    LocomoDataset,
    LongMemEvalQuestion,
    gold_session_ids,
    gold_turn_ids,
    iter_longmemeval,
    load_locomo,
    load_longmemeval,
    parse_dia_id,
    parse_locomo,
    parse_locomo_date,
    parse_longmemeval,
    parse_longmemeval_date,
    session_corpus,
    turn_corpus,
)
from memory_service.evaluation.metrics import QuestionMetrics, aggregate_longmemeval, score_at_ks


def shared_data_dir() -> Path:
    """``MEMORY_SHARED_DATA`` or ``shared/data`` beside the checkout."""
    configured = os.environ.get("MEMORY_SHARED_DATA")
    return Path(configured) if configured else Path(__file__).resolve().parents[2].parent / "shared" / "data"


DATA = shared_data_dir()
EXPECTED_TYPES = {
    "temporal-reasoning": 3,
    "multi-session": 3,
    "knowledge-update": 3,
    "single-session-user": 3,
    "single-session-preference": 2,
    "single-session-assistant": 2,
}
ABSTENTION_IDS = {"c8090214_abs", "80ec1f4f_abs", "2133c1b5_abs", "0862e8bf_abs"}
EMPTY_GOLD_IDS = {"e982271f", "e48988bc"}  # single-session-assistant: evidence on the assistant side


def _data_file(relative: str) -> Path:
    path = DATA / relative
    if not path.is_file():
        pytest.skip(f"benchmark sample {path} not found (set MEMORY_SHARED_DATA)")
    return path


@pytest.fixture(scope="module")
def oracle() -> dict[str, LongMemEvalQuestion]:
    return {q.question_id: q for q in load_longmemeval(_data_file("longmemeval/longmemeval_oracle_dev.json"))}


@pytest.fixture(scope="module")
def haystack_s() -> dict[str, LongMemEvalQuestion]:
    return {q.question_id: q for q in load_longmemeval(_data_file("longmemeval/longmemeval_s_dev.json"))}


@pytest.fixture(scope="module")
def locomo() -> LocomoDataset:
    return load_locomo(_data_file("locomo/locomo_dev.json"))


# --- LongMemEval ----------------------------------------------------------------------------


def test_oracle_counts(oracle: dict[str, LongMemEvalQuestion]) -> None:
    assert len(oracle) == 16
    assert Counter(q.question_type for q in oracle.values()) == EXPECTED_TYPES
    assert sum(len(q.sessions) for q in oracle.values()) == 29
    assert sum(len(s.turns) for q in oracle.values() for s in q.sessions) == 338


def test_s_counts(haystack_s: dict[str, LongMemEvalQuestion], oracle: dict[str, LongMemEvalQuestion]) -> None:
    assert set(haystack_s) == set(oracle)
    assert Counter(q.question_type for q in haystack_s.values()) == EXPECTED_TYPES
    assert sum(len(q.sessions) for q in haystack_s.values()) == 788
    assert sum(len(s.turns) for q in haystack_s.values() for s in q.sessions) == 8034
    assert len(haystack_s["4b24c848"].sessions) == 51


def test_abstention_detection(haystack_s: dict[str, LongMemEvalQuestion]) -> None:
    assert {qid for qid, q in haystack_s.items() if q.is_abstention} == ABSTENTION_IDS
    assert haystack_s["c8090214_abs"].answer.startswith("The information provided is not enough")


def test_dates_are_parsed_as_utc(haystack_s: dict[str, LongMemEvalQuestion]) -> None:
    question = haystack_s["gpt4_d84a3211"]
    assert question.question_date == datetime(2023, 5, 5, 23, 56, tzinfo=UTC)
    assert question.sessions[0].session_id == "answer_2880eb6c_2"
    assert question.sessions[0].date == datetime(2023, 5, 5, 0, 33, tzinfo=UTC)
    assert all(s.date.tzinfo is UTC for q in haystack_s.values() for s in q.sessions)


def test_gold_sets_of_a_real_question(haystack_s: dict[str, LongMemEvalQuestion]) -> None:
    question = haystack_s["gpt4_d84a3211"]
    sessions = session_corpus(question)
    turns = turn_corpus(question)
    assert len(sessions) == 48
    assert len(turns) == 245
    assert gold_session_ids(question) == set(question.answer_session_ids)
    assert gold_turn_ids(question) == {
        "answer_2880eb6c_1_7",
        "answer_2880eb6c_2_3",
        "answer_2880eb6c_3_9",
        "answer_2880eb6c_4_7",
    }
    assert gold_turn_ids(question) <= {doc.doc_id for doc in turns}
    gold_doc = next(doc for doc in turns if doc.doc_id == "answer_2880eb6c_2_3")
    evidence_session = question.sessions[0]
    assert gold_doc.text == evidence_session.turns[2].content
    assert evidence_session.turns[2].role == "user" and evidence_session.turns[2].has_answer
    assert sessions[0].text == " ".join(t.content for t in evidence_session.turns if t.role == "user")


def test_gold_set_sizes(haystack_s: dict[str, LongMemEvalQuestion], oracle: dict[str, LongMemEvalQuestion]) -> None:
    for questions in (haystack_s, oracle):
        answerable = [q for q in questions.values() if not q.is_abstention]
        assert sum(len(gold_session_ids(q)) for q in answerable) == 19
        assert sum(len(gold_turn_ids(q)) for q in answerable) == 19
        assert {q.question_id for q in answerable if not gold_session_ids(q)} == EMPTY_GOLD_IDS
        assert {q.question_id for q in answerable if not gold_turn_ids(q)} == EMPTY_GOLD_IDS


def test_aggregation_counts_on_real_questions(haystack_s: dict[str, LongMemEvalQuestion]) -> None:
    results = [
        QuestionMetrics(
            question_id=q.question_id,
            question_type=q.question_type,
            is_abstention=q.is_abstention,
            gold_size=len(gold_session_ids(q)),
            scores=score_at_ks([doc.doc_id for doc in session_corpus(q)], gold_session_ids(q)),
        )
        for q in haystack_s.values()
    ]
    summary = aggregate_longmemeval(results)
    assert (summary.counted, summary.skipped_abstention, summary.skipped_empty_gold) == (10, 4, 2)
    assert "single-session-assistant" not in summary.by_type
    assert summary.overall["recall_all@50"] == 1.0  # every haystack has <= 54 sessions


def test_iter_longmemeval_is_lazy_over_one_parse() -> None:
    questions = iter_longmemeval(_data_file("longmemeval/longmemeval_oracle_dev.json"))
    assert isinstance(questions, Iterator)
    assert next(questions).question_id == "gpt4_0b2f1d21"


def test_date_parsers() -> None:
    assert parse_longmemeval_date("2023/05/30 (Tue) 23:40") == datetime(2023, 5, 30, 23, 40, tzinfo=UTC)
    assert parse_locomo_date("1:56 pm on 8 May, 2023") == datetime(2023, 5, 8, 13, 56, tzinfo=UTC)
    assert parse_locomo_date("12:09 am on 13 September, 2023") == datetime(2023, 9, 13, 0, 9, tzinfo=UTC)
    assert parse_locomo_date("12:30 pm on 1 Jan, 2024") == datetime(2024, 1, 1, 12, 30, tzinfo=UTC)
    for bad in ("30 May 2023", "2023/13/01 (Tue) 10:00"):
        with pytest.raises(ValueError):
            parse_longmemeval_date(bad)
    for bad in ("13:10 pm on 8 May, 2023", "1:56 pm on 8 Maybe, 2023", "8 May, 2023"):
        with pytest.raises(ValueError):
            parse_locomo_date(bad)


# --- LoCoMo ---------------------------------------------------------------------------------


def test_locomo_counts(locomo: LocomoDataset) -> None:
    assert len(locomo.conversations) == 1
    conversation = locomo.conversations[0]
    assert conversation.sample_id == "conv-26"
    assert conversation.speakers == ("Caroline", "Melanie")
    assert len(conversation.sessions) == 19  # the file also dates sessions 20-35, which have no turns
    assert [s.index for s in conversation.sessions] == list(range(1, 20))
    assert len(conversation.turns) == 419
    assert len(conversation.questions) == 199
    assert Counter(q.category for q in conversation.questions) == {4: 70, 5: 47, 2: 37, 1: 32, 3: 13}


def test_locomo_skipped_evidence(locomo: LocomoDataset) -> None:
    assert locomo.skipped_evidence == 0
    questions = locomo.conversations[0].questions
    by_question = {q.question: q for q in questions}
    listed = by_question["What did Melanie paint recently?"]  # two ids written as one entry
    assert (listed.raw_evidence, listed.evidence, listed.skipped_evidence) == (("D8:6; D9:17",), ("D8:6", "D9:17"), ())
    assert sum(len(q.evidence) for q in questions) == 251
    assert sum(1 for q in questions if not q.evidence) == 2  # annotated with none


def test_locomo_sessions_turns_and_answers(locomo: LocomoDataset) -> None:
    conversation = locomo.conversations[0]
    first = conversation.sessions[0]
    assert first.session_id == "session_1"
    assert first.date == datetime(2023, 5, 8, 13, 56, tzinfo=UTC)
    assert conversation.sessions[15].date == datetime(2023, 9, 13, 0, 9, tzinfo=UTC)
    photo = first.turns[4]
    assert photo.dia_id == "D1:5" and photo.speaker == "Caroline"
    assert photo.image_caption == "a photo of a dog walking past a wall with a painting of a woman"
    assert photo.text == f"{photo.raw_text} [shares a photo: {photo.image_caption}]"
    assert first.turns[0].text == first.turns[0].raw_text == "Hey Mel! Good to see you! How have you been?"
    assert sum(1 for turn in conversation.turns if turn.image_caption) == 116
    by_question = {q.question: q for q in conversation.questions}
    assert by_question["When did Melanie paint a sunrise?"].answer == "2022"  # a bare number in the file
    oscar = by_question["Is Oscar Melanie's pet?"]
    assert (oscar.answer, oscar.adversarial_answer, oscar.is_adversarial) == ("No", "Yes", True)
    trap = by_question["What did Caroline realize after her charity race?"]
    assert (trap.answer, trap.adversarial_answer, trap.evidence) == (
        "self-care is important",
        "self-care is important",
        ("D2:3",),
    )


def _locomo_raw(evidence: list[object]) -> list[dict[str, Any]]:
    turns = [{"speaker": "A", "dia_id": f"D1:{n}", "text": f"line {n}"} for n in (1, 2)]
    return [
        {
            "sample_id": "conv-x",
            "conversation": {
                "speaker_a": "A",
                "speaker_b": "B",
                "session_1_date_time": "9:00 am on 1 June, 2023",
                "session_1": turns,
                "session_2_date_time": "9:00 am on 2 June, 2023",
            },
            "qa": [{"question": "q?", "answer": "a", "evidence": evidence, "category": 4}],
        }
    ]


def test_locomo_bad_evidence_is_skipped_and_counted() -> None:
    dataset = parse_locomo(_locomo_raw(["D1:2", "D9:1", "D:1:1", "D", 7, "D1:02", "D1:2", "D1:1; D1:2"]))
    question = dataset.conversations[0].questions[0]
    assert question.evidence == ("D1:2", "D1:1")  # the list in one entry is split
    assert question.skipped_evidence == ("D9:1", "D:1:1", "D", "7")
    assert question.raw_evidence == ("D1:2", "D9:1", "D:1:1", "D", "7", "D1:02", "D1:2", "D1:1; D1:2")
    assert dataset.skipped_evidence == 4
    assert parse_locomo(_locomo_raw(["D1:1; D9:9"])).conversations[0].questions[0].skipped_evidence == ("D1:1; D9:9",)
    assert parse_dia_id(" D12:3 ") == (12, 3)
    assert parse_dia_id("D12") is None


# --- malformed files ------------------------------------------------------------------------


def _write(tmp_path: Path, content: object) -> Path:
    path = tmp_path / "bench.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def _question(**overrides: object) -> dict[str, object]:
    question: dict[str, object] = {
        "question_id": "q1",
        "question_type": "multi-session",
        "question": "?",
        "answer": "!",
        "question_date": "2023/05/30 (Tue) 23:40",
        "haystack_session_ids": ["answer_s_1"],
        "haystack_dates": ["2023/05/29 (Mon) 10:00"],
        "haystack_sessions": [[{"role": "user", "content": "hi", "has_answer": True}]],
        "answer_session_ids": ["answer_s_1"],
    }
    question.update(overrides)
    return question


def test_minimal_longmemeval_question_parses() -> None:
    (question,) = parse_longmemeval([_question(answer=3)])
    assert question.answer == "3"
    assert gold_turn_ids(question) == {"answer_s_1_1"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"questions": []}, r"top level: expected a list of questions, got dict"),
        ("[{", r"file: not valid JSON"),
        ([_question(question_date="yesterday")], r"question #0 \(q1\)\.question_date: not a LongMemEval date"),
        ([_question(question_id=None)], r"question #0\.question_id: expected a string, got nothing"),
        ([_question(haystack_dates=[])], r"question #0 \(q1\): haystack_session_ids \(1\), haystack_dates \(0\)"),
        (
            [_question(haystack_sessions=[[{"role": "user"}]])],
            r"haystack_sessions\[0\] \(answer_s_1\)\[0\]\.content: expected a string",
        ),
        (
            [_question(haystack_sessions=[[{"role": "user", "content": "x", "has_answer": "yes"}]])],
            r"\.has_answer: expected true or false",
        ),
    ],
)
def test_malformed_longmemeval_file(tmp_path: Path, content: object, message: str) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(DatasetFormatError, match=message) as caught:
        load_longmemeval(path)
    assert str(caught.value).startswith(str(path))
    assert isinstance(caught.value, ValueError)


def test_malformed_locomo_file(tmp_path: Path) -> None:
    with pytest.raises(DatasetFormatError, match=r"top level: expected a list of conversations"):
        load_locomo(_write(tmp_path, _question()))
    raw = _locomo_raw(["D1:1"])
    del raw[0]["conversation"]["session_1_date_time"]
    with pytest.raises(DatasetFormatError, match=r"conversation #0 \(conv-x\)\.conversation\.session_1_date_time"):
        load_locomo(_write(tmp_path, raw))
    raw = _locomo_raw(["D1:1"])
    raw[0]["qa"][0]["category"] = "4"
    with pytest.raises(DatasetFormatError, match=r"qa\[0\]\.category: missing or not an integer"):
        load_locomo(_write(tmp_path, raw))
