"""The retrieval metrics, pinned to LongMemEval's own worked cases and to hand-computed ones."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pytest

from memory_service.evaluation.metrics import (
    DEFAULT_KS,
    LocomoQuestionMetrics,
    QuestionMetrics,
    RetrievalScores,
    aggregate_locomo,
    aggregate_longmemeval,
    dcg,
    evidence_recall,
    evidence_recall_at_ks,
    mean_scores,
    ndcg_any,
    recall_all,
    recall_any,
    retrieval_scores,
    score_at_ks,
    score_turns_as_sessions_at_ks,
    session_of_turn_id,
    turn_to_session_scores,
)


def shared_data_dir() -> Path:
    """``MEMORY_SHARED_DATA`` or ``shared/data`` beside the checkout."""
    configured = os.environ.get("MEMORY_SHARED_DATA")
    return Path(configured) if configured else Path(__file__).resolve().parents[2].parent / "shared" / "data"


CASES_FILE = shared_data_dir() / "longmemeval" / "metric_cases.json"


def _worked_cases() -> list[Any]:
    """One pytest param per worked case, or a single skipped one when the data is absent."""
    if not CASES_FILE.is_file():
        reason = f"benchmark worked cases not found at {CASES_FILE} (set MEMORY_SHARED_DATA)"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="no-data")]
    cases = json.loads(CASES_FILE.read_text())["cases"]
    return [pytest.param(case, id=f"{index}-{case['granularity']}-k{case['k']}") for index, case in enumerate(cases)]


def _gold(case: dict[str, Any]) -> list[str]:
    """The cases' convention: gold ids are those containing 'answer'."""
    return [doc_id for doc_id in case["corpus_ids"] if "answer" in doc_id]


def _assert_scores(actual: RetrievalScores, expected: dict[str, float]) -> None:
    assert actual.recall_any == pytest.approx(expected["recall_any"], abs=1e-6)
    assert actual.recall_all == pytest.approx(expected["recall_all"], abs=1e-6)
    assert actual.ndcg_any == pytest.approx(expected["ndcg_any"], abs=1e-6)


# --- the benchmark's worked cases -----------------------------------------------------------


def test_all_worked_cases_are_present() -> None:
    if not CASES_FILE.is_file():
        pytest.skip(f"benchmark worked cases not found at {CASES_FILE}")
    cases = json.loads(CASES_FILE.read_text())["cases"]
    assert len(cases) == 24
    assert sum("expected_turn_to_session" in case for case in cases) == 12


@pytest.mark.parametrize("case", _worked_cases())
def test_worked_case(case: dict[str, Any]) -> None:
    ranked, gold, k = case["ranked_ids"], _gold(case), case["k"]
    _assert_scores(retrieval_scores(ranked, gold, k), case["expected"])
    assert recall_any(ranked, gold, k) == case["expected"]["recall_any"]
    assert recall_all(ranked, gold, k) == case["expected"]["recall_all"]
    assert ndcg_any(ranked, gold, k) == pytest.approx(case["expected"]["ndcg_any"], abs=1e-6)
    if case["granularity"] == "turn":
        _assert_scores(turn_to_session_scores(ranked, gold, k), case["expected_turn_to_session"])


# --- DCG / NDCG convention, by hand ---------------------------------------------------------


def test_dcg_gives_ranks_one_and_two_the_same_weight() -> None:
    assert dcg([]) == 0.0
    assert dcg([1.0, 0.0]) == dcg([0.0, 1.0]) == 1.0
    assert dcg([1.0, 1.0]) == 2.0
    assert dcg([0.0, 0.0, 1.0]) == pytest.approx(1 / math.log2(3))
    assert dcg([1.0, 1.0, 1.0, 1.0]) == pytest.approx(2 + 1 / math.log2(3) + 0.5)


def test_single_gold_item_at_rank_two_scores_full_ndcg() -> None:
    assert ndcg_any(["x", "g", "y"], {"g"}, 3) == 1.0
    assert ndcg_any(["x", "y", "g"], {"g"}, 3) == pytest.approx(1 / math.log2(3))


def test_ideal_dcg_is_truncated_at_k() -> None:
    gold = {"a", "b", "c"}
    assert ndcg_any(["a", "x", "y"], gold, 1) == 1.0
    assert ndcg_any(["a", "x", "y"], gold, 3) == pytest.approx(1 / (2 + 1 / math.log2(3)))
    assert ndcg_any(["x", "a", "b", "c"], gold, 2) == pytest.approx(0.5)


def test_empty_gold_follows_python_any_and_all() -> None:
    assert retrieval_scores(["a", "b"], set(), 5) == RetrievalScores(0.0, 1.0, 0.0)


def test_repeated_ids_in_a_ranking_count_once() -> None:
    assert recall_any(["a", "a", "g"], {"g"}, 2) == 1.0
    assert ndcg_any(["g", "g", "h"], {"g", "h"}, 2) == 1.0


def test_k_must_be_positive() -> None:
    with pytest.raises(ValueError, match="k must be"):
        recall_any(["a"], {"a"}, 0)


def test_score_at_ks_keys() -> None:
    scores = score_at_ks(["s_1", "answer_2"], {"answer_2"})
    assert list(scores) == [f"{name}@{k}" for name in ("recall_any", "recall_all", "ndcg_any") for k in DEFAULT_KS]
    assert scores["recall_any@1"] == 0.0
    assert scores["recall_all@3"] == 1.0
    assert scores["ndcg_any@50"] == 1.0


# --- turn ranking scored at session level ---------------------------------------------------


def test_session_of_turn_id_strips_the_position() -> None:
    assert session_of_turn_id("answer_2880eb6c_1_7") == "answer_2880eb6c_1"
    with pytest.raises(ValueError, match="not of the form"):
        session_of_turn_id("answer_2880eb6c_x")


def test_non_gold_turn_of_evidence_session_is_no_hit_and_takes_its_own_slot() -> None:
    gold = {"answer_x_1_1"}
    ranked = ["answer_x_1_2", "s_y_1", "answer_x_1_1", "s_z_3"]
    assert turn_to_session_scores(ranked, gold, 1) == RetrievalScores(0.0, 0.0, 0.0)
    assert turn_to_session_scores(ranked, gold, 2) == RetrievalScores(0.0, 0.0, 0.0)
    hit = turn_to_session_scores(ranked, gold, 3)
    assert (hit.recall_any, hit.recall_all) == (1.0, 1.0)
    assert hit.ndcg_any == pytest.approx(1 / math.log2(3))
    # the benchmark's own spelling of the same ranking (non-gold turns renamed "noans") agrees
    renamed = ["noans_x_1_2", "s_y_1", "answer_x_1_1", "s_z_3"]
    assert turn_to_session_scores(renamed, gold, 3) == hit


def test_cutoff_grows_until_k_distinct_sessions() -> None:
    gold = {"answer_g_1"}
    ranked = ["s_a_1", "s_a_2", "s_a_3", "answer_g_1"]
    assert turn_to_session_scores(ranked, gold, 1).recall_any == 0.0
    # two distinct sessions need all four turns: the gold turn is in, at rank 4
    assert turn_to_session_scores(ranked, gold, 2) == RetrievalScores(1.0, 1.0, 0.5)


def test_turn_to_session_ideal_counts_gold_turns() -> None:
    gold = {"answer_g_1", "answer_g_2"}
    scores = turn_to_session_scores(["answer_g_1", "s_a_1"], gold, 2)
    assert scores.recall_all == 1.0
    assert scores.ndcg_any == pytest.approx(0.5)


def test_ranked_ids_that_are_not_turns_stand_for_themselves() -> None:
    scores = turn_to_session_scores(["fact-17", "answer_g_1"], {"answer_g_1"}, 2)
    assert scores == RetrievalScores(1.0, 1.0, 1.0)


def test_score_turns_as_sessions_at_ks_keys() -> None:
    scores = score_turns_as_sessions_at_ks(["answer_g_1"], {"answer_g_1"}, ks=(1, 5))
    assert scores == {
        "recall_any@1": 1.0,
        "recall_any@5": 1.0,
        "recall_all@1": 1.0,
        "recall_all@5": 1.0,
        "ndcg_any@1": 1.0,
        "ndcg_any@5": 1.0,
    }


# --- aggregation ----------------------------------------------------------------------------


def _question(qid: str, qtype: str, gold_size: int, recall: float, abstention: bool = False) -> QuestionMetrics:
    return QuestionMetrics(
        question_id=qid,
        question_type=qtype,
        is_abstention=abstention,
        gold_size=gold_size,
        scores={"recall_any@5": recall, "recall_all@5": recall / 2},
    )


def test_aggregation_skips_abstention_and_empty_gold() -> None:
    summary = aggregate_longmemeval(
        [
            _question("q1", "multi-session", 2, 1.0),
            _question("q2", "multi-session", 1, 0.0),
            _question("q3", "temporal-reasoning", 1, 1.0),
            _question("q4_abs", "temporal-reasoning", 1, 0.0, abstention=True),
            _question("q5", "single-session-assistant", 0, 0.0),
        ]
    )
    assert summary.counted == 3
    assert summary.skipped_abstention == 1
    assert summary.skipped_empty_gold == 1
    assert summary.overall == {"recall_any@5": pytest.approx(2 / 3), "recall_all@5": pytest.approx(1 / 3)}
    assert summary.by_type == {
        "multi-session": {"recall_any@5": 0.5, "recall_all@5": 0.25},
        "temporal-reasoning": {"recall_any@5": 1.0, "recall_all@5": 0.5},
    }
    assert summary.counted_by_type == {"multi-session": 2, "temporal-reasoning": 1}


def test_abstention_with_empty_gold_is_counted_as_abstention() -> None:
    summary = aggregate_longmemeval([_question("q_abs", "knowledge-update", 0, 1.0, abstention=True)])
    assert (summary.counted, summary.skipped_abstention, summary.skipped_empty_gold) == (0, 1, 0)
    assert summary.overall == {}
    assert summary.by_type == {}


def test_mean_scores_averages_each_key_over_the_dicts_that_have_it() -> None:
    assert mean_scores([{"a": 1.0}, {"a": 0.0, "b": 1.0}]) == {"a": 0.5, "b": 1.0}
    assert mean_scores([]) == {}


# --- LoCoMo ---------------------------------------------------------------------------------


def test_evidence_recall_is_the_fraction_found() -> None:
    ranked = ["D1:1", "D2:5", "D1:3", "D4:2"]
    assert evidence_recall(ranked, ["D1:3", "D4:2"], 1) == 0.0
    assert evidence_recall(ranked, ["D1:3", "D4:2"], 3) == 0.5
    assert evidence_recall(ranked, ["D1:3", "D4:2"], 4) == 1.0
    assert evidence_recall(ranked, [], 4) == 0.0
    assert evidence_recall_at_ks(ranked, ["D2:5"], ks=(1, 2)) == {"recall@1": 0.0, "recall@2": 1.0}


def test_locomo_aggregation_per_category() -> None:
    results = [
        LocomoQuestionMetrics(category=1, evidence_size=2, scores={"recall@5": 0.5}),
        LocomoQuestionMetrics(category=1, evidence_size=1, scores={"recall@5": 1.0}),
        LocomoQuestionMetrics(category=4, evidence_size=1, scores={"recall@5": 0.0}),
        LocomoQuestionMetrics(category=3, evidence_size=0, scores={"recall@5": 0.0}),
        LocomoQuestionMetrics(category=5, evidence_size=1, scores={"recall@5": 1.0}),
    ]
    summary = aggregate_locomo(results)
    assert summary.counted == 4
    assert summary.skipped_no_evidence == 1
    assert summary.by_category == {1: {"recall@5": 0.75}, 4: {"recall@5": 0.0}, 5: {"recall@5": 1.0}}
    assert summary.overall == {"recall@5": pytest.approx(2.5 / 4)}
    without_adversarial = aggregate_locomo(results, exclude_categories={5})
    assert without_adversarial.counted_by_category == {1: 2, 4: 1}
    assert without_adversarial.overall == {"recall@5": pytest.approx(1.5 / 3)}
