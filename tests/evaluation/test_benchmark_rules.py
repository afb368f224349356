"""The benchmarks' own rules: their judge, their reader prompts, errors as wrong answers, rankings
deep enough for @50, and LoCoMo's evidence scored the official way beside the cleaned one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from memory_service.cli import app
from memory_service.errors import InvalidInputError
from memory_service.evaluation.datasets import (
    HaystackSession,
    LocomoConversation,
    LocomoQuestion,
    LocomoSession,
    LocomoTurn,
    LongMemEvalQuestion,
    Turn,
    parse_locomo,
)
from memory_service.evaluation.metrics import (
    cut_short,
    evidence_recall,
    official_evidence_recall,
    turn_session_depth,
    turn_to_session_scores,
)
from memory_service.evaluation.options import MAX_TOP_K, OFFICIAL_JUDGE_MODEL, QAOptions, job_options, make_options
from memory_service.evaluation.prompts import (
    LONGMEMEVAL_READER_PROMPT,
    locomo_context,
    locomo_prompt,
    longmemeval_history,
)
from memory_service.evaluation.qa import answer_locomo, answer_longmemeval, summarize_locomo_qa
from memory_service.evaluation.runner import RunRequest, run_evaluation
from memory_service.runtime import build_runtime
from memory_service.schemas import SearchResult
from memory_service.sdk.local import LocalMemoryClient
from memory_service.settings import Settings
from retrieval.embedder import SentenceTransformerEmbedder
from tests.evaluation.test_runner import write_longmemeval

UNREACHABLE = "no-such-provider-model"
"""litellm refuses a model without a provider before any request: an unreachable judge, offline."""


@pytest.fixture
def client(sqlite_settings: Settings, embedder: SentenceTransformerEmbedder) -> Iterator[LocalMemoryClient]:
    runtime = build_runtime(sqlite_settings, embedder=embedder)
    yield LocalMemoryClient(runtime)
    runtime.close()


# -- the judge ---------------------------------------------------------------------------------


def test_the_judge_is_the_benchmarks_unless_asked_otherwise() -> None:
    default = make_options("longmemeval", llm_model="gpt-4o-mini").qa
    assert default is not None and default.judge == OFFICIAL_JUDGE_MODEL == "gpt-4o-2024-08-06"
    assert default.judge_is_official
    own = make_options("longmemeval", llm_model="gpt-4o-mini", judge_with_answer_model=True).qa
    assert own is not None and own.judge == "gpt-4o-mini" and not own.judge_is_official
    named = make_options("locomo", llm_model="gpt-4o-mini", judge_model="claude-3-haiku").qa
    assert named is not None and named.judge == "claude-3-haiku" and not named.judge_is_official
    job = job_options("longmemeval", {"judge_with_answer_model": True}, llm_model="ollama/llama3").qa
    assert job is not None and job.judge == "ollama/llama3"
    with pytest.raises(InvalidInputError, match="contradict"):
        make_options("longmemeval", llm_model="m", judge_model="x", judge_with_answer_model=True)


def test_an_unreachable_judge_stops_the_run_before_any_work(tmp_path: Path) -> None:
    dataset = write_longmemeval(tmp_path / "lme.json")
    options = make_options(
        "longmemeval",
        llm_model="gpt-4o-mini",
        llm_options={"mock_response": "yes"},
        judge_llm_options={"mock_response": Exception("no key for the judge")},
    )
    with pytest.raises(InvalidInputError, match="--judge-with-answer-model") as caught:
        run_evaluation(RunRequest(dataset, tmp_path / "out", options))
    assert "gpt-4o-2024-08-06" in caught.value.message and "no key for the judge" in caught.value.message
    assert not (tmp_path / "out").exists()


def test_the_command_line_says_how_to_choose_another_judge(tmp_path: Path) -> None:
    dataset = write_longmemeval(tmp_path / "lme.json")
    result = CliRunner().invoke(
        app,
        ["eval", "longmemeval", str(dataset), "--out", str(tmp_path / "out"), "--llm-model", "gpt-4o-mini",
         "--llm-option", "mock_response=yes", "--judge-model", UNREACHABLE],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "cannot be reached" in result.output and "--judge-with-answer-model" in result.output


def test_the_judge_answering_for_the_judge_only() -> None:
    options = QAOptions(
        model="gpt-4o-mini",
        llm_options={"mock_response": "Biscuit"},
        judge_llm_options={"mock_response": Exception("judge down")},
    )
    record = answer_longmemeval(lme_question(), [], options)
    assert record["hypothesis"] == "Biscuit" and record["error_stage"] == "judge" and "judge down" in record["error"]


# -- the reader prompts ------------------------------------------------------------------------


def lme_question() -> LongMemEvalQuestion:
    def session(session_id: str, day: int, *turns: tuple[str, str]) -> HaystackSession:
        date = datetime(2023, 5, day, 9, 30, tzinfo=UTC)
        return HaystackSession(session_id, date, tuple(Turn(role, content) for role, content in turns))

    return LongMemEvalQuestion(
        question_id="q1",
        question_type="single-session-user",
        question="What is my dog's name?",
        answer="Biscuit",
        question_date=datetime(2023, 5, 30, 23, 40, tzinfo=UTC),
        sessions=(
            session("answer_1", 20, ("user", "My dog Biscuit loves the park. "), ("assistant", "Nice!")),
            session("s2", 2, ("user", "I bought a bike."), ("assistant", "Great."), ("user", "Thanks")),
        ),
        answer_session_ids=("answer_1",),
    )


def turn_hit(turn_id: str, text: str) -> SearchResult:
    return SearchResult(id=turn_id, layer="episodic", text=text, score=1.0, metadata={"turn_id": turn_id})


def test_longmemeval_reader_prompt_has_the_benchmarks_exact_shape() -> None:
    question = lme_question()
    hits = [turn_hit("answer_1_1", "My dog Biscuit loves the park."), turn_hit("s2_3", "Thanks")]
    history = longmemeval_history(question, hits)
    # Sorted by date (s2 on May 2 first); a turn shows with the one after it, as a round.
    assert history == (
        "\n### Session 1:\nSession Date: 2023/05/02 (Tue) 09:30\nSession Content:\n\n\nuser: Thanks\n"
        "\n### Session 2:\nSession Date: 2023/05/20 (Sat) 09:30\nSession Content:\n"
        "\n\nuser: My dog Biscuit loves the park.\n\nassistant: Nice!\n"
    )
    prompt = LONGMEMEVAL_READER_PROMPT.format(
        memories=history, question=question.question, question_date="2023/05/30 (Tue) 23:40"
    )
    assert prompt == (
        "I will give you several history chats between you and a user. Please answer the question based on the "
        f"relevant chat history.\n\n\nHistory Chats:\n\n{history}\n\nCurrent Date: 2023/05/30 (Tue) 23:40\n"
        "Question: What is my dog's name?\nAnswer:"
    )
    session_hit = SearchResult(id="stored-s2", layer="episodic", text="...", score=1.0, granularity="session")
    whole = longmemeval_history(question, [session_hit], {"stored-s2": "s2"})
    assert whole.endswith("\n\nuser: I bought a bike.\n\nassistant: Great.\n\nuser: Thanks\n")


def locomo_conversation() -> LocomoConversation:
    turns = (
        LocomoTurn("D1:1", "Caroline", "I went to a support group.", "I went to a support group."),
        LocomoTurn("D1:2", "Melanie", "Nice! [shares a photo: a lake]", "Nice!", image_caption="a lake"),
    )
    date = datetime(2023, 5, 8, 13, 56, tzinfo=UTC)
    session = LocomoSession("session_1", 1, date, turns, date_text="1:56 pm on 8 May, 2023")
    return LocomoConversation("conv-x", ("Caroline", "Melanie"), (session,), ())


def locomo_question(category: int, evidence: tuple[str, ...] = ("D1:1",)) -> LocomoQuestion:
    adversarial = "a lake" if category == 5 else None
    return LocomoQuestion("Where did Caroline go?", "a support group", category, evidence, evidence, (), adversarial)


def dia_hit(dia_id: str) -> SearchResult:
    return SearchResult(id=dia_id, layer="episodic", text="x", score=1.0, metadata={"dia_id": dia_id})


def test_locomo_prompt_has_the_benchmarks_shape_per_category() -> None:
    context = locomo_context(locomo_conversation(), [dia_hit("D1:2"), dia_hit("D1:1")])
    assert context == (
        '1:56 pm on 8 May, 2023: Melanie said, "Nice!" and shared a lake.\n'
        '1:56 pm on 8 May, 2023: Caroline said, "I went to a support group."'
    )
    single = locomo_prompt(context, locomo_question(4))
    assert single.choices is None and single.text == context + (
        "\n\n\nBased on the above context, write an answer in the form of a short phrase for the following "
        "question. Answer with exact words from the context whenever possible.\n\n"
        "Question: Where did Caroline go? Short answer:\n"
    )
    assert "Where did Caroline go? Use DATE of CONVERSATION to answer with an approximate date." in (
        locomo_prompt(context, locomo_question(2)).text
    )
    adversarial = locomo_prompt(context, locomo_question(5))
    assert adversarial.choices is not None and set(adversarial.choices) == {
        "a lake",
        "Not mentioned in the conversation",
    }
    a, b = adversarial.choices
    assert f"Select the correct answer: (a) {a} (b) {b}. " in adversarial.text
    assert "Based on the above context, answer the following question." in adversarial.text


def test_an_adversarial_choice_is_read_as_the_option_it_names() -> None:
    question = locomo_question(5)
    choices = locomo_prompt("", question).choices
    assert choices is not None
    pick = "(a)" if choices[0].startswith("Not mentioned") else "(b)"
    options = QAOptions(model="gpt-4o-mini", llm_options={"mock_response": pick})
    record = answer_locomo(question, [], datetime(2023, 6, 1, tzinfo=UTC), options, locomo_conversation())
    assert record["hypothesis"] == "Not mentioned in the conversation" and record["raw_hypothesis"] == pick
    assert record["f1"] == 1.0


# -- errors are wrong answers ------------------------------------------------------------------


def test_llm_errors_count_as_wrong_answers() -> None:
    def qa(category: int, **values: Any) -> dict[str, Any]:
        base = {"prompt_tokens": 10, "completion_tokens": 2, "latency_s": 0.1}
        return {"category": category, "qa": {**base, **values}}

    questions = [
        qa(4, hypothesis="a sunrise", label=True, f1=1.0),
        qa(4, error="provider down", error_stage="answer", f1=0.0, latency_s=0.0),
        qa(5, hypothesis="not mentioned", label=True, f1=1.0),
    ]
    summary = summarize_locomo_qa(questions, QAOptions(model="m"))
    assert summary["questions"] == 3 and summary["answered"] == 2 and summary["errors"] == 1
    assert summary["f1"] == pytest.approx(2 / 3) and summary["accuracy"] == pytest.approx(2 / 3)
    assert summary["f1_1_4"] == 0.5 and summary["accuracy_1_4"] == 0.5
    assert summary["f1_answered"] == 1.0 and summary["accuracy_answered"] == 1.0
    assert summary["by_category"]["4"] == {"f1": 0.5, "accuracy": 0.5, "questions": 2}
    assert summary["judge_model"] == OFFICIAL_JUDGE_MODEL and summary["judge_is_official"] is True


# -- ranking depth -----------------------------------------------------------------------------


def test_turn_rankings_reach_k_distinct_sessions_or_say_they_were_cut_short() -> None:
    ranked = ["a_1", "a_2", "a_3", "b_1", "b_2", "c_1"]  # six turns, three sessions
    assert turn_session_depth(ranked, {"c_1"}) == 3
    assert turn_session_depth(ranked, {"b_1"}) == 4  # b_2, a non-gold turn of an evidence session, counts apart
    # At k=3 the cut-off grows to six turns to reach three sessions; at k=5 it runs out.
    assert turn_to_session_scores(ranked, {"c_1"}, 3).recall_any == 1.0
    assert turn_to_session_scores(ranked[:3], {"c_1"}, 3).recall_any == 0.0  # 3 turns: one session only
    assert cut_short(3, available=10, ks=(1, 3, 5, 10)) == [5, 10]
    assert cut_short(3, available=3, ks=(5,)) == []  # the whole haystack was ranked


def test_the_turn_search_is_deeper_than_top_k(tmp_path: Path, client: LocalMemoryClient) -> None:
    assert make_options("longmemeval", top_k=50).turn_search_depth == MAX_TOP_K
    assert make_options("locomo", top_k=50).turn_search_depth == 50
    dataset = write_longmemeval(tmp_path / "lme.json")
    options = make_options("longmemeval", granularity="turn", top_k=3, qa_top_k=3, limit=1)
    outcome = run_evaluation(RunRequest(dataset, tmp_path / "out", options), client=client)
    (record,) = list(outcome.folder.records())
    turns = record["recipes"]["hybrid"]
    assert len(turns["ranked"]["turn"]) == record["ingest"]["turns"] > 3  # every turn, not the top 3
    assert turns["depth"]["turn"] == record["ingest"]["turns"]
    assert outcome.metrics["cut_short"] == {}


# -- LoCoMo evidence, official and cleaned -----------------------------------------------------


def test_locomo_evidence_official_and_cleaned() -> None:
    ranked = ["D1:1", "D1:2", "D2:1"]
    assert official_evidence_recall(ranked, ["D1:1", "D:1:2"], 3) == 0.5  # a malformed id is a miss
    assert official_evidence_recall(ranked, ["D1:1", "D9:9"], 3) == 0.5  # so is a dangling one
    assert official_evidence_recall(ranked, ["D1:1; D1:2"], 3) == 0.0  # a list in one entry names no turn
    assert official_evidence_recall(ranked, [], 1) == 1.0  # nothing to find: full recall
    assert official_evidence_recall(ranked, ["D1:1", "D1:1"], 1) == 1.0
    turns = [{"speaker": "A", "dia_id": f"D1:{n}", "text": f"line {n}"} for n in (1, 2)]
    raw = [
        {
            "sample_id": "c",
            "conversation": {"speaker_a": "A", "speaker_b": "B", "session_1_date_time": "9:00 am on 1 June, 2023",
                             "session_1": turns},
            "qa": [{"question": "q?", "answer": "a", "evidence": ["D1:1; D1:2", "D9:9"], "category": 1}],
        }
    ]  # fmt: skip
    question = parse_locomo(raw).conversations[0].questions[0]
    assert question.evidence == ("D1:1", "D1:2") and question.skipped_evidence == ("D9:9",)
    assert evidence_recall(ranked, question.evidence, 2) == 1.0  # cleaned: split, the dangling id dropped
    assert official_evidence_recall(ranked, question.raw_evidence, 2) == 0.0
