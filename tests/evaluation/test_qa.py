"""QA: the benchmarks' judging rules, LoCoMo's F1, and the answer-and-judge path on litellm's mock_response."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from memory_service.evaluation.datasets import parse_longmemeval
from memory_service.evaluation.judging import (
    JUDGE_TEMPLATES,
    judge_prompt,
    judge_says_yes,
    locomo_f1,
    multi_answer_f1,
    normalize_answer,
    token_f1,
)
from memory_service.evaluation.options import QAOptions, make_options
from memory_service.evaluation.qa import answer_longmemeval, format_memories, summarize_longmemeval_qa
from memory_service.evaluation.runner import RunRequest, run_evaluation
from memory_service.runtime import build_runtime
from memory_service.schemas import SearchResult
from memory_service.sdk.local import LocalMemoryClient
from memory_service.settings import Settings
from retrieval.embedder import SentenceTransformerEmbedder
from tests.evaluation.test_runner import longmemeval_questions, write_locomo, write_longmemeval


@pytest.fixture
def client(sqlite_settings: Settings, embedder: SentenceTransformerEmbedder) -> Iterator[LocalMemoryClient]:
    runtime = build_runtime(sqlite_settings, embedder=embedder)
    yield LocalMemoryClient(runtime)
    runtime.close()


# -- judging rules -----------------------------------------------------------------------------


def test_each_question_type_gets_the_benchmark_rule() -> None:
    temporal = judge_prompt("temporal-reasoning", "How many days?", "18", "19 days", abstention=False)
    assert "do not penalize off-by-one errors" in temporal and "Correct Answer: 18" in temporal
    update = judge_prompt("knowledge-update", "Where?", "Austin", "Chicago, then Austin", abstention=False)
    assert "as long as the updated answer is the required answer" in update
    preference = judge_prompt("single-session-preference", "Suggest a hotel", "likes quiet", "x", abstention=False)
    assert "Rubric: likes quiet" in preference and "Correct Answer" not in preference
    abstain = judge_prompt("multi-session", "My cat?", "no cat mentioned", "I don't know", abstention=True)
    assert "correctly identifies the question as unanswerable" in abstain and "Explanation: no cat mentioned" in abstain
    factual = judge_prompt("single-session-user", "Q", "A", "R", abstention=False)
    assert factual.endswith("Is the model response correct? Answer yes or no only.")
    assert factual == judge_prompt("unknown-type", "Q", "A", "R", abstention=False)
    assert set(JUDGE_TEMPLATES) == {
        "single-session-user",
        "single-session-assistant",
        "multi-session",
        "temporal-reasoning",
        "knowledge-update",
        "single-session-preference",
    }


@pytest.mark.parametrize(
    ("reply", "correct"), [("yes", True), ("Yes.", True), (" YES ", True), ("no", False), ("", False)]
)
def test_the_judge_is_read_as_the_benchmark_reads_it(reply: str, correct: bool) -> None:
    assert judge_says_yes(reply) is correct


def test_locomo_f1_follows_the_benchmark() -> None:
    assert normalize_answer("The cat, and a Dog!") == "cat dog"
    assert token_f1("The dogs running", "dog running") == pytest.approx(1.0)  # stems match
    assert token_f1("The dogs were running", "dog running") == pytest.approx(0.8)
    assert token_f1("blue", "red") == 0.0
    assert token_f1("7 May 2023", "May 7, 2023") == pytest.approx(1.0)
    # Multi-hop (category 1): each gold part takes its best predicted part.
    assert multi_answer_f1("painting, pottery", "pottery, painting, hiking") == pytest.approx(2 / 3)
    assert locomo_f1(1, "painting, pottery", "pottery, painting") == pytest.approx(1.0)
    # Open-domain (category 3) keeps the gold text before ";".
    assert locomo_f1(3, "counseling", "counseling; mental health") == pytest.approx(1.0)
    # Adversarial (category 5) is right when the answer says it is not known.
    assert locomo_f1(5, "That is not mentioned in the conversation.", "a sunrise") == 1.0
    assert locomo_f1(5, "a sunrise", "a sunrise") == 0.0


def test_memories_are_shown_oldest_first_with_dates() -> None:
    may = [datetime(2023, 5, day, tzinfo=UTC) for day in (1, 2)]
    hits = [
        SearchResult(id="e2", layer="episodic", text="later", score=1.0, role="user", occurred_at=may[1]),
        SearchResult(id="e1", layer="episodic", text="earlier", score=0.5, role="assistant", occurred_at=may[0]),
    ]
    assert format_memories(hits).splitlines() == [
        "[2023-05-01 (Mon) 00:00] assistant: earlier",
        "[2023-05-02 (Tue) 00:00] user: later",
    ]
    assert format_memories([]) == "(no memories found)"


# -- the LLM path, on mock_response ------------------------------------------------------------


def question(index: int) -> object:
    return list(parse_longmemeval(longmemeval_questions()))[index]


def test_answer_and_judge_with_a_mocked_model() -> None:
    options = QAOptions(model="gpt-4o-mini", llm_options={"mock_response": "yes, Biscuit"})
    record = answer_longmemeval(question(0), [], options)  # type: ignore[arg-type]
    assert record["hypothesis"] == "yes, Biscuit" and record["label"] is True
    assert record["prompt_tokens"] > 0 and record["completion_tokens"] > 0 and record["latency_s"] >= 0
    wrong = answer_longmemeval(question(0), [], QAOptions(model="gpt-4o-mini", llm_options={"mock_response": "no"}))  # type: ignore[arg-type]
    assert wrong["label"] is False


def test_a_failing_model_is_recorded_not_raised() -> None:
    options = QAOptions(model="gpt-4o-mini", llm_options={"mock_response": Exception("provider down")})
    record = answer_longmemeval(question(0), [], options)  # type: ignore[arg-type]
    assert "provider down" in record["error"] and record["error_stage"] == "answer"
    summary = summarize_longmemeval_qa([{"question_id": "q", "question_type": "multi-session", "qa": record}], options)
    assert summary["errors"] == 1 and summary["questions"] == 1 and summary["answered"] == 0
    assert summary["accuracy"] == 0.0 and summary["accuracy_answered"] is None  # an error is a wrong answer


def test_qa_accuracies_follow_the_benchmark() -> None:
    def judged(qid: str, qtype: str, label: bool) -> dict[str, object]:
        qa = {"label": label, "prompt_tokens": 100, "completion_tokens": 10, "latency_s": 0.5}
        return {"question_id": qid, "question_type": qtype, "qa": qa}

    records = [
        judged("a", "multi-session", True),
        judged("b", "multi-session", False),
        judged("c_abs", "multi-session", True),
        judged("d", "temporal-reasoning", True),
        {"question_id": "e", "question_type": "temporal-reasoning", "qa": None},
    ]
    summary = summarize_longmemeval_qa(records, QAOptions(model="m"))
    assert summary["questions"] == 4 and summary["accuracy"] == 0.75
    assert summary["by_type"]["multi-session"] == {"accuracy": pytest.approx(2 / 3), "questions": 3}
    assert summary["task_averaged_accuracy"] == pytest.approx((2 / 3 + 1) / 2)
    assert summary["abstention_accuracy"] == 1.0 and summary["abstention_questions"] == 1
    assert summary["prompt_tokens_per_question"] == 100 and summary["latency_s_p50"] == 0.5


def test_a_run_with_an_llm_reports_qa(tmp_path: Path, client: LocalMemoryClient) -> None:
    dataset = write_longmemeval(tmp_path / "lme.json")
    options = make_options("longmemeval", llm_model="gpt-4o-mini", llm_options={"mock_response": "yes"}, qa_top_k=3)
    outcome = run_evaluation(RunRequest(dataset, tmp_path / "out", options), client=client)
    qa = outcome.metrics["qa"]
    assert qa["model"] == "gpt-4o-mini" and qa["questions"] == 4 and qa["accuracy"] == 1.0
    assert qa["task_averaged_accuracy"] == 1.0 and qa["abstention_accuracy"] == 1.0
    assert qa["prompt_tokens_per_question"] > 0 and qa["latency_s_p50"] is not None
    assert "accuracy" in (tmp_path / "out" / "report.md").read_text()


def test_a_locomo_run_with_an_llm_reports_f1_and_judge(tmp_path: Path, client: LocalMemoryClient) -> None:
    dataset = write_locomo(tmp_path / "locomo.json")
    options = make_options("locomo", llm_model="gpt-4o-mini", llm_options={"mock_response": "Not mentioned; yes"})
    qa = run_evaluation(RunRequest(dataset, tmp_path / "out", options), client=client).metrics["qa"]
    assert qa["questions"] == 5 and qa["accuracy"] == 1.0
    assert qa["by_category"]["5"]["f1"] == 1.0  # "not mentioned" is the right answer to an adversarial question
    assert qa["by_category"]["4"]["f1"] == 0.0


def test_without_an_llm_qa_is_skipped_and_says_why(tmp_path: Path, client: LocalMemoryClient) -> None:
    dataset = write_longmemeval(tmp_path / "lme.json")
    options = make_options("longmemeval", limit=1, granularity="session")
    metrics = run_evaluation(RunRequest(dataset, tmp_path / "out", options), client=client).metrics
    assert metrics["qa"] is None
    assert "QA skipped: no LLM configured" in (tmp_path / "out" / "report.md").read_text()
