"""From per-unit records to the numbers of ``metrics.json``: pure, so a report can be rebuilt any time.

LongMemEval: every metric at session and turn granularity and turn-to-session, averaged over the
questions that count (`metrics.aggregate_longmemeval` skips abstention and empty-gold ones),
overall and per question type, with how many questions' rankings were cut short of each k.
LoCoMo: evidence recall@k per category, the benchmark's way (every entry as written, questions
without evidence at 1.0, category 5 inside the overall, the 1-4 figure beside it), and the
cleaned variant under "cleaned".
One summary per recipe; QA, which runs on the first recipe's hits, is reported with that recipe.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from memory_service.evaluation.metrics import (
    CategorySummary,
    LocomoQuestionMetrics,
    QuestionMetrics,
    aggregate_locomo,
    aggregate_longmemeval,
    cut_short,
)
from memory_service.evaluation.options import EvalOptions
from memory_service.evaluation.qa import summarize_locomo_qa, summarize_longmemeval_qa

RANKINGS: tuple[tuple[str, str], ...] = (("session", "session"), ("turn", "turn"), ("turn_to_session", "turn"))
"""Each reported ranking and the gold set whose size decides whether a question counts."""
LOCOMO_CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop", 5: "adversarial"}
ADVERSARIAL = 5


def summarize(records: Sequence[Mapping[str, Any]], options: EvalOptions, elapsed_s: float) -> dict[str, Any]:
    """The whole ``metrics.json``: the first recipe's figures at top level, every recipe under "recipes"."""
    ok = [record for record in records if not record.get("error")]
    failed = [{"unit": record.get("unit"), "error": record.get("error")} for record in records if record.get("error")]
    summarize_recipe = _longmemeval_recipe if options.benchmark == "longmemeval" else _locomo_recipe
    per_recipe = {
        name: summarize_recipe(ok, options, name, elapsed_s, with_qa=index == 0)
        for index, name in enumerate(options.recipes)
    }
    metrics = dict(per_recipe[options.recipes[0]])
    metrics["recipes"] = per_recipe
    metrics["failed_units"] = failed
    return metrics


def _longmemeval_recipe(
    records: Sequence[Mapping[str, Any]], options: EvalOptions, recipe: str, elapsed_s: float, *, with_qa: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {"benchmark": "longmemeval", "recipe": recipe, "questions_total": len(records)}
    by_type: dict[str, dict[str, Any]] = {}
    for name, gold_key in RANKINGS:
        rows = [
            QuestionMetrics(
                question_id=record["question_id"],
                question_type=record["question_type"],
                is_abstention=bool(record["abstention"]),
                gold_size=int(record["gold"][gold_key]),
                scores=record["recipes"][recipe][name],
            )
            for record in records
            if name in record["recipes"].get(recipe, {})
        ]
        if not rows:
            continue
        summary = aggregate_longmemeval(rows)
        out.setdefault("questions_scored", summary.counted)
        out.setdefault("skipped_abstention", summary.skipped_abstention)
        out.setdefault("skipped_empty_gold", summary.skipped_empty_gold)
        out[name] = summary.overall
        for qtype, scores in sorted(summary.by_type.items()):
            entry = by_type.setdefault(qtype, {"questions": summary.counted_by_type[qtype]})
            entry[name] = scores
    out.setdefault("questions_scored", 0)
    out["by_type"] = by_type
    out["cut_short"] = _cut_short(records, recipe, options.ks)
    out["qa"] = _qa(records, options, with_qa, summarize_longmemeval_qa)
    if out["qa"] is None:
        out["qa_skipped"] = _qa_skipped(options, with_qa)
    by_granularity: dict[str, list[float]] = {}
    for record in records:
        for granularity, ms in record["recipes"].get(recipe, {}).get("latency_ms", {}).items():
            by_granularity.setdefault(granularity, []).append(float(ms))
    out["timing"] = _timing(records, [ms for values in by_granularity.values() for ms in values], elapsed_s)
    for granularity, values in by_granularity.items():
        out["timing"][f"query_p50_ms_{granularity}"] = statistics.median(values)
    return out


def _locomo_recipe(
    records: Sequence[Mapping[str, Any]], options: EvalOptions, recipe: str, elapsed_s: float, *, with_qa: bool
) -> dict[str, Any]:
    questions = [question for record in records for question in record["questions"]]
    scored = [question for question in questions if recipe in question["recipes"]]
    official = [
        LocomoQuestionMetrics(int(q["category"]), int(q["evidence"]), q["recipes"][recipe]["scores"]) for q in scored
    ]
    every = aggregate_locomo(official, skip_no_evidence=False)
    out: dict[str, Any] = {
        "benchmark": "locomo",
        "recipe": recipe,
        "conversations": len(records),
        "questions_total": len(questions),
        "evidence_rules": "official",
        "questions_scored": every.counted,
        "overall": every.overall,
        "overall_1_4": aggregate_locomo(official, (ADVERSARIAL,), skip_no_evidence=False).overall,
        "by_category": _categories(every),
        "cleaned": _cleaned(records, scored, recipe),
    }
    out["qa"] = _qa(questions, options, with_qa, summarize_locomo_qa)
    if out["qa"] is None:
        out["qa_skipped"] = _qa_skipped(options, with_qa)
    latencies = [question["recipes"][recipe]["latency_ms"] for question in scored]
    out["timing"] = _timing(records, latencies, elapsed_s)
    return out


def _cleaned(records: Sequence[Mapping[str, Any]], scored: Sequence[Mapping[str, Any]], recipe: str) -> dict[str, Any]:
    """The cleaned variant: evidence lists split, ids naming no turn skipped, questions without
    evidence left out, and the overall over categories 1-4 (5 reported on its own)."""
    rows = [
        LocomoQuestionMetrics(int(q["category"]), int(q["evidence_cleaned"]), q["recipes"][recipe]["scores_cleaned"])
        for q in scored
        if "scores_cleaned" in q["recipes"][recipe]
    ]
    headline = aggregate_locomo(rows, exclude_categories=(ADVERSARIAL,))
    every = aggregate_locomo(rows)
    return {
        "evidence_rules": "cleaned",
        "questions_scored": headline.counted,
        "skipped_no_evidence": every.skipped_no_evidence,
        "skipped_evidence_ids": sum(int(record.get("skipped_evidence", 0)) for record in records),
        "overall": headline.overall,
        "by_category": _categories(every),
    }


def _categories(summary: CategorySummary) -> dict[str, Any]:
    return {
        str(category): {
            "name": LOCOMO_CATEGORIES.get(category, str(category)),
            "questions": summary.counted_by_category[category],
            **scores,
        }
        for category, scores in summary.by_category.items()
    }


def _cut_short(records: Sequence[Mapping[str, Any]], recipe: str, ks: Sequence[int]) -> dict[str, dict[str, int]]:
    """Per ranking and k, the questions whose ranking held fewer than k distinct items while the
    haystack had more: their scores at k are lower bounds, not the benchmark's figure."""
    available = {"session": "sessions", "turn": "turns", "turn_to_session": "sessions"}
    out: dict[str, dict[str, int]] = {}
    for record in records:
        depth = record["recipes"].get(recipe, {}).get("depth") or {}
        for ranking, count in depth.items():
            corpus = int(record["ingest"].get(available.get(ranking, "turns"), 0))
            for k in cut_short(int(count), corpus, ks):
                out.setdefault(ranking, {}).setdefault(str(k), 0)
                out[ranking][str(k)] += 1
    return out


def _qa(items: Sequence[Mapping[str, Any]], options: EvalOptions, with_qa: bool, summarize_qa: Any) -> Any:
    if options.qa is None or not with_qa:
        return None
    return summarize_qa(items, options.qa)


def _qa_skipped(options: EvalOptions, with_qa: bool) -> str:
    if options.qa is None:
        return f"QA skipped: {options.qa_skipped_reason}"
    return "QA runs on the first recipe's results only"


def _timing(records: Sequence[Mapping[str, Any]], latencies_ms: Sequence[float], elapsed_s: float) -> dict[str, Any]:
    """Ingest totals, query latency percentiles, and wall time per unit."""
    ingest = [float(record["ingest"]["seconds"]) for record in records]
    per_unit = [float(record["seconds"]) for record in records]
    ordered = sorted(latencies_ms)
    return {
        "ingest_s": sum(ingest),
        "ingest_s_per_unit": statistics.fmean(ingest) if ingest else None,
        "query_p50_ms": statistics.median(ordered) if ordered else None,
        "query_p95_ms": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else None,
        "queries": len(ordered),
        "unit_s_mean": statistics.fmean(per_unit) if per_unit else None,
        "total_s": elapsed_s,
        "units": len(records),
    }


def rounded(value: Any, digits: int = 4) -> Any:
    """A JSON-ready copy with floats rounded, for files people read."""
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, Mapping):
        return {str(key): rounded(item, digits) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(item, digits) for item in value]
    return value
