"""From per-unit records to the numbers of ``metrics.json``: pure, so a report can be rebuilt any time.

LongMemEval: every metric at session and turn granularity and turn-to-session, averaged over the
questions that count (`metrics.aggregate_longmemeval` skips abstention and empty-gold ones),
overall and per question type. LoCoMo: evidence recall@k per category; the overall figure leaves
out category 5 (adversarial: nothing to find), which is still reported on its own.
One summary per recipe; QA, which runs on the first recipe's hits, is reported with that recipe.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from memory_service.evaluation.metrics import (
    LocomoQuestionMetrics,
    QuestionMetrics,
    aggregate_locomo,
    aggregate_longmemeval,
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
    rows = [
        LocomoQuestionMetrics(
            category=int(question["category"]),
            evidence_size=int(question["evidence"]),
            scores=question["recipes"][recipe]["scores"],
        )
        for record in records
        for question in record["questions"]
        if recipe in question["recipes"]
    ]
    headline = aggregate_locomo(rows, exclude_categories=(ADVERSARIAL,))
    every = aggregate_locomo(rows)
    questions = [question for record in records for question in record["questions"]]
    out: dict[str, Any] = {
        "benchmark": "locomo",
        "recipe": recipe,
        "conversations": len(records),
        "questions_total": len(questions),
        "questions_scored": headline.counted,
        "skipped_no_evidence": every.skipped_no_evidence,
        "skipped_evidence_ids": sum(int(record.get("skipped_evidence", 0)) for record in records),
        "overall": headline.overall,
        "by_category": {
            str(category): {
                "name": LOCOMO_CATEGORIES.get(category, str(category)),
                "questions": every.counted_by_category[category],
                **scores,
            }
            for category, scores in every.by_category.items()
        },
    }
    out["qa"] = _qa(questions, options, with_qa, summarize_locomo_qa)
    if out["qa"] is None:
        out["qa_skipped"] = _qa_skipped(options, with_qa)
    latencies = [question["recipes"][recipe]["latency_ms"] for question in questions if recipe in question["recipes"]]
    out["timing"] = _timing(records, latencies, elapsed_s)
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
