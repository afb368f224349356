"""From records to metrics.json, report.md and charts: pure, no service involved."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from memory_service.evaluation.metrics import score_at_ks, score_turns_as_sessions_at_ks
from memory_service.evaluation.options import make_options
from memory_service.evaluation.report import query_latencies, render_markdown, write_reports
from memory_service.evaluation.scoring import rounded, summarize

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def lme_record(qid: str, qtype: str, session_ranked: list[str], turn_ranked: list[str], **extra: Any) -> dict[str, Any]:
    """A LongMemEval record as the runner writes it, for one recipe ("hybrid"), gold = ids with "answer"."""
    gold_sessions = {"answer_1", "answer_2"} if "multi" in qtype else {"answer_1"}
    gold_turns = {f"{s}_1" for s in gold_sessions}
    ranked = {"session": session_ranked, "turn": turn_ranked}
    scores = {
        "session": score_at_ks(session_ranked, gold_sessions),
        "turn": score_at_ks(turn_ranked, gold_turns),
        "turn_to_session": score_turns_as_sessions_at_ks(turn_ranked, gold_turns),
    }
    record = {
        "unit": qid,
        "question_id": qid,
        "question_type": qtype,
        "abstention": qid.endswith("_abs"),
        "gold": {"session": len(gold_sessions), "turn": len(gold_turns)},
        "ingest": {"sessions": 3, "turns": 6, "skipped_blank": 0, "seconds": 2.0},
        "recipes": {"hybrid": {**scores, "latency_ms": {"session": 10.0, "turn": 30.0}, "ranked": ranked}},
        "qa": None,
        "seconds": 3.0,
    }
    return {**record, **extra}


def records() -> list[dict[str, Any]]:
    return [
        lme_record("a", "single-session-user", ["answer_1", "s2"], ["answer_1_1", "s2_1"]),
        lme_record("b", "single-session-user", ["s2", "s3", "answer_1"], ["s2_1", "answer_1_2", "answer_1_1"]),
        lme_record("c", "multi-session", ["answer_1", "s2", "answer_2"], ["answer_2_1", "answer_1_1"]),
        lme_record("d_abs", "multi-session", ["s2"], ["s2_1"]),
        {**lme_record("e", "single-session-assistant", ["s2"], ["s2_1"]), "gold": {"session": 0, "turn": 0}},
        {"unit": "f", "error": "invalid_input: bad role", "seconds": 0.1},
    ]


def test_summary_averages_only_the_questions_that_count() -> None:
    metrics = summarize(records(), make_options("longmemeval"), elapsed_s=20.0)
    assert metrics["questions_total"] == 5 and metrics["questions_scored"] == 3
    assert metrics["skipped_abstention"] == 1 and metrics["skipped_empty_gold"] == 1
    assert metrics["session"]["recall_any@1"] == pytest.approx(2 / 3)
    assert metrics["session"]["recall_all@3"] == 1.0
    assert metrics["turn"]["recall_any@1"] == pytest.approx(2 / 3)
    # b: the non-gold turn answer_1_2 of an evidence session is no hit at session level.
    assert metrics["turn_to_session"]["recall_any@1"] == pytest.approx(2 / 3)
    assert metrics["by_type"]["single-session-user"]["questions"] == 2
    assert metrics["by_type"]["multi-session"]["session"]["recall_all@1"] == 0.0
    assert metrics["failed_units"] == [{"unit": "f", "error": "invalid_input: bad role"}]
    timing = metrics["timing"]
    assert timing["ingest_s"] == 10.0 and timing["query_p50_ms"] == 20.0 and timing["total_s"] == 20.0
    assert timing["units"] == 5 and timing["queries"] == 10
    assert metrics["recipes"]["hybrid"]["session"] == metrics["session"]


def test_reports_are_written_with_tables_and_charts(tmp_path: Path) -> None:
    options = make_options("longmemeval")
    metrics = summarize(records(), options, elapsed_s=20.0)
    metrics.update(dataset="lme.json", run_id="r1", units_planned=6, complete=False)
    write_reports(tmp_path, metrics, options, records())

    written = json.loads((tmp_path / "metrics.json").read_text())
    assert written["session"]["recall_any@1"] == 0.6667  # rounded for people
    assert written["charts"] == ["recall_by_type.png", "query_latency.png"]
    for chart in written["charts"]:
        assert (tmp_path / chart).read_bytes().startswith(PNG_MAGIC)
    report = (tmp_path / "report.md").read_text()
    assert "| recipe | recall_any@5 | recall_all@5 | recall_any@10 | recall_all@10 | ndcg_any@10 |" in report
    assert "## By question type: hybrid" in report and "| single-session-user | 2 |" in report
    assert "QA skipped: no LLM configured" in report
    assert "5 of 6 questions done (incomplete: resume with --resume)" in report
    assert "1 abstention and 1 empty-gold questions are left out" in report
    assert "`f` failed: invalid_input: bad role" in report
    assert "![recall_by_type](recall_by_type.png)" in report


def test_several_recipes_get_a_comparison_chart(tmp_path: Path) -> None:
    two = [
        {**record, "recipes": {"hybrid": record["recipes"]["hybrid"], "bm25": record["recipes"]["hybrid"]}}
        for record in records()
        if "recipes" in record
    ]
    options = make_options("longmemeval", recipes=["hybrid", "bm25"])
    metrics = summarize(two, options, elapsed_s=1.0)
    write_reports(tmp_path, metrics, options, two)
    assert (tmp_path / "recipes.png").read_bytes().startswith(PNG_MAGIC)
    assert "| bm25 |" in (tmp_path / "report.md").read_text()
    assert query_latencies(two, options) == {"hybrid": [10.0, 30.0] * 5, "bm25": [10.0, 30.0] * 5}


def test_locomo_report_by_category() -> None:
    def question(category: int, evidence: int, recall: float) -> dict[str, Any]:
        scores = {f"recall@{k}": recall for k in (1, 3, 5, 10, 30, 50)}
        return {
            "index": 0,
            "category": category,
            "evidence": evidence,
            "evidence_cleaned": evidence,
            "recipes": {"hybrid": {"scores": scores, "scores_cleaned": scores, "latency_ms": 5.0, "ranked": []}},
        }

    record = {
        "unit": "conv-1",
        "ingest": {"sessions": 2, "turns": 10, "seconds": 1.0},
        "skipped_evidence": 3,
        "questions": [question(1, 2, 0.5), question(4, 1, 1.0), question(5, 1, 0.0), question(2, 0, 1.0)],
        "seconds": 2.0,
    }
    metrics = summarize([record], make_options("locomo"), elapsed_s=2.0)
    assert metrics["overall"]["recall@5"] == 0.625  # official: every category, the evidence-less question at 1
    assert metrics["overall_1_4"]["recall@5"] == pytest.approx(2.5 / 3)
    zeros = {f"recall@{k}": 0.0 for k in (1, 3, 5, 10, 30, 50)}
    assert metrics["by_category"]["5"] == {"name": "adversarial", "questions": 1, **zeros}
    cleaned = metrics["cleaned"]
    assert cleaned["overall"]["recall@5"] == 0.75  # categories 1 and 4; 5 apart, no-evidence skipped
    assert cleaned["skipped_no_evidence"] == 1 and cleaned["skipped_evidence_ids"] == 3
    report = render_markdown({**metrics, "dataset": "locomo.json", "units_planned": 1, "complete": True})
    assert "| 1 multi-hop | 1 | 0.500 |" in report
    assert "| hybrid | official, all categories | 0.625 |" in report
    assert "3 ids naming no turn skipped" in report


def test_rounding_keeps_structure() -> None:
    assert rounded({"a": [0.123456, 1], "b": {"c": 2.0}, "d": None}) == {"a": [0.1235, 1], "b": {"c": 2.0}, "d": None}
