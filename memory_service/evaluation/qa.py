"""Question answering over retrieved memories, judged by the benchmarks' rules.

Runs only when an LLM is configured. The answerer sees the top ``QAOptions.top_k`` hits of the
first recipe, oldest first with their dates (a question about time needs them), through a
configurable prompt; the judge applies `judging`. Every call goes through ``agents.llm.complete``
(imported here, on first use, so runs without QA never load litellm); tests pass litellm's
``mock_response`` in ``QAOptions.llm_options``.

Records hold the answer, the verdict, tokens and latency; `summarize_longmemeval_qa` and
`summarize_locomo_qa` turn them into the report's accuracies.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from memory_service.evaluation.datasets import LocomoQuestion, LongMemEvalQuestion
from memory_service.evaluation.judging import (
    JUDGE_MAX_TOKENS,
    LOCOMO_UNANSWERABLE,
    judge_prompt,
    judge_says_yes,
    locomo_f1,
)
from memory_service.evaluation.options import QAOptions
from memory_service.schemas import SearchResult

DATE_FORMAT = "%Y-%m-%d (%a) %H:%M"


def format_memories(hits: Sequence[SearchResult]) -> str:
    """One line per memory, oldest first, each with its date and speaker."""
    ordered = sorted(hits, key=lambda hit: (hit.occurred_at is None, hit.occurred_at or datetime.min))
    lines = []
    for hit in ordered:
        when = hit.occurred_at.strftime(DATE_FORMAT) if hit.occurred_at else "undated"
        speaker = f"{hit.role}: " if hit.role and hit.granularity == "turn" else ""
        lines.append(f"[{when}] {speaker}{hit.text}")
    return "\n".join(lines) if lines else "(no memories found)"


def answer_longmemeval(
    question: LongMemEvalQuestion, hits: Sequence[SearchResult], options: QAOptions
) -> dict[str, Any]:
    """Answer from the top hits, then judge with the question type's rule."""
    return _answer_and_judge(
        options,
        question=question.question,
        when=question.question_date,
        hits=hits,
        judge=lambda response: judge_prompt(
            question.question_type,
            question.question,
            question.answer,
            response,
            abstention=question.is_abstention,
        ),
    )


def answer_locomo(
    question: LocomoQuestion, hits: Sequence[SearchResult], now: datetime, options: QAOptions
) -> dict[str, Any]:
    """Answer from the top hits; scored by LoCoMo's token F1 and by the judge."""
    record = _answer_and_judge(
        options,
        question=question.question,
        when=now,
        hits=hits,
        judge=lambda response: judge_prompt(
            "multi-session",
            question.question,
            LOCOMO_UNANSWERABLE if question.is_adversarial else question.answer,
            response,
            abstention=question.is_adversarial,
        ),
    )
    if "hypothesis" in record:
        record["f1"] = locomo_f1(question.category, record["hypothesis"], question.answer)
    return record


def _answer_and_judge(
    options: QAOptions,
    *,
    question: str,
    when: datetime,
    hits: Sequence[SearchResult],
    judge: Callable[[str], str],
) -> dict[str, Any]:
    from agents.llm import LLMError, complete

    prompt = options.prompt.format(
        memories=format_memories(hits[: options.top_k]),
        question=question,
        question_date=when.strftime(DATE_FORMAT),
    )
    started = time.perf_counter()
    try:
        answer = complete(options.model, [{"role": "user", "content": prompt}], **options.llm_options)
        hypothesis = answer.text.strip()
        verdict = complete(
            options.judge,
            [{"role": "user", "content": judge(hypothesis)}],
            max_tokens=JUDGE_MAX_TOKENS,
            **options.llm_options,
        )
    except LLMError as exc:
        return {"error": str(exc), "latency_s": time.perf_counter() - started}
    return {
        "hypothesis": hypothesis,
        "label": judge_says_yes(verdict.text),
        "judge_reply": verdict.text.strip(),
        "prompt_tokens": answer.prompt_tokens + verdict.prompt_tokens,
        "completion_tokens": answer.completion_tokens + verdict.completion_tokens,
        "answer_latency_s": answer.latency_s,
        "judge_latency_s": verdict.latency_s,
        "latency_s": time.perf_counter() - started,
    }


# --- aggregation -----------------------------------------------------------------------------


def summarize_longmemeval_qa(records: Iterable[Mapping[str, Any]], options: QAOptions) -> dict[str, Any]:
    """Overall, per-type, task-averaged and abstention accuracy, plus cost per question.

    As in the benchmark, abstention questions count in their question type too; the
    task-averaged accuracy is the mean of the per-type accuracies.
    """
    judged: list[tuple[str, bool, Mapping[str, Any]]] = []
    errors = 0
    for record in records:
        qa = record.get("qa")
        if not qa:
            continue
        if "error" in qa:
            errors += 1
            continue
        judged.append((record["question_type"], record["question_id"].endswith("_abs"), qa))
    by_type: dict[str, list[bool]] = {}
    for qtype, _, qa in judged:
        by_type.setdefault(qtype, []).append(bool(qa["label"]))
    per_type = {qtype: sum(labels) / len(labels) for qtype, labels in sorted(by_type.items())}
    abstention = [bool(qa["label"]) for _, is_abs, qa in judged if is_abs]
    return {
        "model": options.model,
        "judge_model": options.judge,
        "top_k": options.top_k,
        "questions": len(judged),
        "errors": errors,
        "accuracy": _mean(bool(qa["label"]) for _, _, qa in judged),
        "task_averaged_accuracy": _mean(per_type.values()),
        "abstention_accuracy": _mean(abstention) if abstention else None,
        "abstention_questions": len(abstention),
        "by_type": {qtype: {"accuracy": acc, "questions": len(by_type[qtype])} for qtype, acc in per_type.items()},
        **_cost([qa for _, _, qa in judged]),
    }


def summarize_locomo_qa(questions: Iterable[Mapping[str, Any]], options: QAOptions) -> dict[str, Any]:
    """F1 and judge accuracy per category; the headline excludes adversarial questions (5)."""
    answered: list[tuple[int, Mapping[str, Any]]] = []
    errors = 0
    for question in questions:
        qa = question.get("qa")
        if not qa:
            continue
        if "error" in qa:
            errors += 1
        else:
            answered.append((int(question["category"]), qa))
    categories = sorted({category for category, _ in answered})
    by_category = {
        str(category): {
            "f1": _mean(qa["f1"] for c, qa in answered if c == category),
            "accuracy": _mean(bool(qa["label"]) for c, qa in answered if c == category),
            "questions": sum(1 for c, _ in answered if c == category),
        }
        for category in categories
    }
    headline = [qa for category, qa in answered if category != 5]
    return {
        "model": options.model,
        "judge_model": options.judge,
        "top_k": options.top_k,
        "questions": len(answered),
        "errors": errors,
        "f1": _mean(qa["f1"] for qa in headline),
        "accuracy": _mean(bool(qa["label"]) for qa in headline),
        "by_category": by_category,
        **_cost([qa for _, qa in answered]),
    }


def _cost(judged: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    latencies = [float(qa["latency_s"]) for qa in judged]
    return {
        "prompt_tokens_per_question": _mean(qa["prompt_tokens"] for qa in judged),
        "completion_tokens_per_question": _mean(qa["completion_tokens"] for qa in judged),
        "latency_s_mean": _mean(latencies),
        "latency_s_p50": statistics.median(latencies) if latencies else None,
    }


def _mean(values: Iterable[float | bool]) -> float | None:
    items = [float(value) for value in values]
    return sum(items) / len(items) if items else None
