"""The evaluation pages' pure parts: metrics as tables, two runs' differences, the datasets offered."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from memory_service.console.datasets import dataset_folder
from memory_service.console.eval_tables import compare, summary, tables


def longmemeval(recipe: str, recall_at_5: float, p50_ms: float) -> dict[str, Any]:
    """A metrics.json of one recipe, shaped like the runner's."""
    session = {"recall_any@1": 0.5, "recall_any@5": recall_at_5, "ndcg_any@1": 0.5, "ndcg_any@5": 0.75}
    figures = {
        "benchmark": "longmemeval",
        "recipe": recipe,
        "questions_scored": 2,
        "skipped_abstention": 1,
        "session": session,
        "by_type": {"multi-session": {"questions": 2, "session": {"recall_all@5": recall_at_5}}},
        "qa": None,
        "qa_skipped": "QA skipped: no LLM",
        "timing": {"queries": 4, "query_p50_ms": p50_ms, "query_p95_ms": 2 * p50_ms, "units": 3, "total_s": 9.5},
    }
    return {**figures, "recipes": {recipe: figures}, "units_planned": 3, "complete": True}


def test_a_run_reads_as_tables_rows_per_metric_and_columns_per_k() -> None:
    found = {t.key: t for t in tables(longmemeval("hybrid", 1.0, 12.0))}
    assert list(found) == ["retrieval-session", "by-type-hybrid", "timing"]
    session = found["retrieval-session"]
    assert session.columns == ("@1", "@5")
    assert [(r.label, r.values) for r in session.rows] == [
        (("hybrid", "recall_any"), (0.5, 1.0)),
        (("hybrid", "ndcg_any"), (0.5, 0.75)),
    ]
    by_type = found["by-type-hybrid"]
    assert by_type.columns[:2] == ("n", "session recall_all@5") and by_type.rows[0].values[:2] == (2, 1.0)
    assert found["timing"].lower_is_better and found["timing"].rows[0].values == (4, 12.0, 24.0)
    assert tables(None) == [] and summary(None) == []
    facts = dict(summary(longmemeval("hybrid", 1.0, 12.0)))
    assert facts["units done / planned"] == "3 / 3" and facts["left out of the averages"] == "1 abstention"


def test_two_runs_of_one_recipe_each_line_up_recipe_against_recipe() -> None:
    compared = {c.difference.key: c for c in compare(longmemeval("hybrid", 0.5, 10.0), longmemeval("bm25", 1.0, 4.0))}
    session = compared["retrieval-session"]
    assert session.first is not None and session.second is not None
    assert session.second.rows[0].label == ("bm25", "recall_any")  # each run's own table, as it shows it
    assert [(r.label, r.values) for r in session.difference.rows] == [
        (("bm25 − hybrid", "recall_any"), (0.0, 0.5)),
        (("bm25 − hybrid", "ndcg_any"), (0.0, 0.0)),
    ]
    assert compared["by-type-hybrid"].difference.rows[0].values[:2] == (0.0, 0.5)
    assert compared["timing"].difference.rows[0].values == (0.0, -6.0, -12.0)  # faster: lower is better


def test_cells_one_run_lacks_have_no_difference() -> None:
    first = longmemeval("hybrid", 0.5, 10.0)
    second = longmemeval("hybrid", 1.0, 10.0)
    second["recipes"]["hybrid"]["session"] = {**second["session"], "recall_any@10": 1.0}
    session = next(c for c in compare(first, second) if c.difference.key == "retrieval-session")
    assert session.difference.columns == ("@1", "@5", "@10")
    assert session.difference.rows[0].values == (0.0, 0.5, None)
    assert session.difference.rows[0].label == ("hybrid", "recall_any")


def test_the_datasets_offered_are_the_json_files_inside_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "datasets"
    (folder / "lme").mkdir(parents=True)
    (folder / "lme" / "small.json").write_text("[]")
    (folder / "b.json").write_text("[]")
    (folder / "notes.txt").write_text("not a dataset")
    (folder / ".hidden.json").write_text("[]")
    outside = tmp_path / "secret.json"
    outside.write_text("[]")
    os.symlink(outside, folder / "leak.json")
    found = dataset_folder(folder, configured=True)
    assert found.exists and found.files == ("b.json", "lme/small.json")
    missing = dataset_folder(tmp_path / "nowhere", configured=False)
    assert not missing.exists and missing.files == ()
