"""A run's reports: ``metrics.json`` for programs, ``report.md`` and PNG charts for people.

Everything here is derived from the metrics `scoring.summarize` computed and from the records
(for latency histograms), so a report can be rebuilt from ``results.jsonl`` at any time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from memory_service.evaluation.charts import draw_charts
from memory_service.evaluation.options import EvalOptions
from memory_service.evaluation.scoring import rounded

METRICS = "metrics.json"
REPORT = "report.md"
HEADLINE_KEYS = (
    "recall_any@5",
    "recall_all@5",
    "recall_any@10",
    "recall_all@10",
    "ndcg_any@10",
    "recall_all@30",
    "recall_all@50",
)
RANKING_TITLES = {
    "session": "session granularity (sessions ranked)",
    "turn": "turn granularity (turns ranked)",
    "turn_to_session": "turn ranking scored by session",
}


def write_reports(
    root: Path, metrics: dict[str, Any], options: EvalOptions, records: Sequence[Mapping[str, Any]]
) -> None:
    """Write ``metrics.json``, the charts and ``report.md`` (which links the charts) into ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    charts = draw_charts(root, metrics, query_latencies(records, options))
    metrics["charts"] = charts
    (root / METRICS).write_text(json.dumps(rounded(metrics), indent=2) + "\n")
    (root / REPORT).write_text(render_markdown(metrics, charts))


def query_latencies(records: Sequence[Mapping[str, Any]], options: EvalOptions) -> dict[str, list[float]]:
    """Every search's latency (ms), per recipe."""
    out: dict[str, list[float]] = {name: [] for name in options.recipes}
    for record in records:
        if record.get("error"):
            continue
        for question in record.get("questions") or [record]:
            for name, result in question.get("recipes", {}).items():
                latency = result.get("latency_ms")
                values = latency.values() if isinstance(latency, Mapping) else [latency]
                out.setdefault(name, []).extend(float(v) for v in values if v is not None)
    return out


def render_markdown(metrics: Mapping[str, Any], charts: Sequence[str] = ()) -> str:
    """The human report: what ran, the tables, QA, timing and what was skipped."""
    lines = _header(metrics)
    if metrics.get("benchmark") == "longmemeval":
        lines += _longmemeval_tables(metrics)
    else:
        lines += _locomo_tables(metrics)
    lines += _qa_section(metrics)
    lines += _timing_section(metrics)
    lines += _notes(metrics)
    if charts:
        lines += ["## Charts", ""] + [f"![{Path(chart).stem}]({chart})" for chart in charts] + [""]
    return "\n".join(lines)


def _header(metrics: Mapping[str, Any]) -> list[str]:
    benchmark = "LongMemEval" if metrics.get("benchmark") == "longmemeval" else "LoCoMo"
    recipes = ", ".join(metrics.get("recipes", {})) or str(metrics.get("recipe"))
    unit = "questions" if metrics.get("benchmark") == "longmemeval" else "conversations"
    done = metrics.get("timing", {}).get("units", 0)
    state = "complete" if metrics.get("complete") else "incomplete: resume with --resume"
    return [
        f"# {benchmark} evaluation",
        "",
        f"- dataset: `{metrics.get('dataset')}`",
        f"- run: `{metrics.get('run_id')}`, {done} of {metrics.get('units_planned')} {unit} done ({state})",
        f"- recipes: {recipes}",
        f"- questions scored: {metrics.get('questions_scored')}",
        "",
    ]


def _longmemeval_tables(metrics: Mapping[str, Any]) -> list[str]:
    recipes: Mapping[str, Mapping[str, Any]] = metrics.get("recipes") or {str(metrics.get("recipe")): metrics}
    lines: list[str] = []
    for ranking, title in RANKING_TITLES.items():
        present = {name: m[ranking] for name, m in recipes.items() if m.get(ranking)}
        if not present:
            continue
        keys = [key for key in HEADLINE_KEYS if all(key in scores for scores in present.values())]
        rows = [[name, *_cells(scores, keys)] for name, scores in present.items()]
        lines += [f"## Retrieval: {title}", "", _table(["recipe", *keys], rows)]
    for name, recipe_metrics in recipes.items():
        by_type = recipe_metrics.get("by_type") or {}
        if not by_type:
            continue
        columns = [
            (ranking, key)
            for ranking in ("session", "turn")
            for key in ("recall_all@5", "recall_all@10", "ndcg_any@10")
            if recipe_metrics.get(ranking)
        ]
        rows = [
            [qtype, str(entry["questions"]), *(_fmt(entry.get(r, {}).get(k)) for r, k in columns)]
            for qtype, entry in by_type.items()
        ]
        header = ["question type", "n", *(f"{r} {k}" for r, k in columns)]
        lines += [f"## By question type: {name}", "", _table(header, rows)]
    return lines


def _locomo_tables(metrics: Mapping[str, Any]) -> list[str]:
    recipes: Mapping[str, Mapping[str, Any]] = metrics.get("recipes") or {str(metrics.get("recipe")): metrics}
    first = next(iter(recipes.values()))
    keys = [key for key in (first.get("overall") or {}) if key.startswith("recall@")]
    rows = []
    for name, m in recipes.items():
        cleaned = m.get("cleaned") or {}
        rows += [
            [name, "official, all categories", *_cells(m.get("overall") or {}, keys)],
            [name, "official, categories 1-4", *_cells(m.get("overall_1_4") or {}, keys)],
            [name, "cleaned, categories 1-4", *_cells(cleaned.get("overall") or {}, keys)],
        ]
    lines = ["## Evidence recall", "", _table(["recipe", "evidence rules", *keys], rows)]
    for name, recipe_metrics in recipes.items():
        rows = [
            [f"{category} {entry['name']}", str(entry["questions"]), *_cells(entry, keys)]
            for category, entry in (recipe_metrics.get("by_category") or {}).items()
        ]
        lines += [f"## Evidence recall by category: {name}", "", _table(["category", "n", *keys], rows)]
    return lines


def _qa_section(metrics: Mapping[str, Any]) -> list[str]:
    qa = metrics.get("qa")
    if not qa:
        return ["## Question answering", "", str(metrics.get("qa_skipped") or "QA skipped."), ""]
    lines = [
        "## Question answering",
        "",
        f"Answer model `{qa['model']}`, judge `{qa['judge_model']}` ({_judge_note(qa)}), "
        f"{qa.get('prompt_style', 'official')} prompt, top {qa['top_k']} memories, {qa['questions']} questions; "
        f"{qa['errors']} LLM errors, counted as wrong answers.",
        "",
    ]
    cost = [
        ("prompt tokens / question", qa.get("prompt_tokens_per_question")),
        ("completion tokens / question", qa.get("completion_tokens_per_question")),
        ("latency p50 (s)", qa.get("latency_s_p50")),
    ]
    if "by_type" in qa:
        summary = [
            ("accuracy", qa.get("accuracy")),
            (f"accuracy over answered questions (n={qa.get('answered')})", qa.get("accuracy_answered")),
            ("task-averaged accuracy", qa.get("task_averaged_accuracy")),
            (f"abstention accuracy (n={qa.get('abstention_questions')})", qa.get("abstention_accuracy")),
        ]
        lines += [_table(["measure", "value"], [[k, _fmt(v)] for k, v in summary + cost])]
        rows = [[qtype, str(e["questions"]), _fmt(e["accuracy"])] for qtype, e in qa["by_type"].items()]
        lines += [_table(["question type", "n", "accuracy"], rows)]
    else:
        summary = [
            ("F1, all categories", qa.get("f1")),
            ("judge accuracy, all categories", qa.get("accuracy")),
            ("F1, categories 1-4", qa.get("f1_1_4")),
            ("judge accuracy, categories 1-4", qa.get("accuracy_1_4")),
            (f"F1 over answered questions (n={qa.get('answered')})", qa.get("f1_answered")),
            ("judge accuracy over answered questions", qa.get("accuracy_answered")),
        ]
        lines += [_table(["measure", "value"], [[k, _fmt(v)] for k, v in summary + cost])]
        rows = [
            [category, str(e["questions"]), _fmt(e["f1"]), _fmt(e["accuracy"])]
            for category, e in qa["by_category"].items()
        ]
        lines += [_table(["category", "n", "F1", "judge accuracy"], rows)]
    return lines


def _judge_note(qa: Mapping[str, Any]) -> str:
    if qa.get("judge_is_official"):
        return "the benchmark's judge"
    return "not the benchmark's judge: accuracies do not compare with published ones"


def _timing_section(metrics: Mapping[str, Any]) -> list[str]:
    recipes: Mapping[str, Mapping[str, Any]] = metrics.get("recipes") or {str(metrics.get("recipe")): metrics}
    timing = metrics.get("timing") or {}
    unit = "question" if metrics.get("benchmark") == "longmemeval" else "conversation"
    units = timing.get("units") or 0
    wall = timing.get("total_s")
    lines = [
        "## Timing",
        "",
        f"Wall time {_fmt(wall, 1)} s for {units} {unit}s"
        + (f" ({_fmt(wall / units, 2)} s per {unit})" if units and wall else "")
        + f"; ingest {_fmt(timing.get('ingest_s'), 1)} s in all, {_fmt(timing.get('ingest_s_per_unit'), 2)} s "
        f"per {unit}; {_fmt(timing.get('unit_s_mean'), 2)} s of work per {unit} (ingest, every search, QA).",
        "",
    ]
    rows = [
        [name, str(m["timing"]["queries"]), _fmt(m["timing"]["query_p50_ms"], 1), _fmt(m["timing"]["query_p95_ms"], 1)]
        for name, m in recipes.items()
    ]
    return lines + [_table(["recipe", "searches", "p50 ms", "p95 ms"], rows)]


def _notes(metrics: Mapping[str, Any]) -> list[str]:
    notes = []
    if metrics.get("benchmark") == "longmemeval":
        notes.append(
            f"{metrics.get('skipped_abstention', 0)} abstention and {metrics.get('skipped_empty_gold', 0)} "
            "empty-gold questions are left out of the retrieval averages, as the benchmark does."
        )
        for ranking, by_k in (metrics.get("cut_short") or {}).items():
            cuts = ", ".join(f"@{k}: {count}" for k, count in by_k.items())
            notes.append(
                f"{ranking} ranking cut short (fewer distinct items than k while the haystack had more) for "
                f"questions {cuts}: those scores are lower bounds of the benchmark's."
            )
    else:
        cleaned = metrics.get("cleaned") or {}
        notes.append(
            "Evidence recall follows the benchmark's own rules: each evidence entry as the file writes it (a "
            "malformed or dangling one is a miss), a question without evidence scores 1, and category 5 "
            "(adversarial) is inside the overall figure, with categories 1-4 beside it."
        )
        notes.append(
            f"Cleaned variant: evidence lists split, {cleaned.get('skipped_evidence_ids', 0)} ids naming no turn "
            f"skipped, {cleaned.get('skipped_no_evidence', 0)} questions without usable evidence not averaged, "
            "categories 1-4 in the overall."
        )
    for failure in metrics.get("failed_units") or []:
        notes.append(f"`{failure['unit']}` failed: {failure['error']} (redone by --resume)")
    return ["## Notes", "", *(f"- {note}" for note in notes), ""]


def _cells(scores: Mapping[str, Any], keys: Sequence[str]) -> list[str]:
    return [_fmt(scores.get(key)) for key in keys]


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
