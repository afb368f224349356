"""Question answering over retrieved memories, judged by the benchmarks' rules.

Runs only when an LLM is configured. The answerer sees the top ``QAOptions.top_k`` hits of the
first recipe through the benchmark's own reader prompt and context layout (`prompts`; the
service's prompt or a custom template on request); the judge applies `judging`, by default with
the benchmark's judge model, checked once before a run (`check_judge`). Every call goes through
``agents.llm.complete`` (imported here, on first use, so runs without QA never load litellm);
tests pass litellm's ``mock_response`` in ``QAOptions.llm_options`` (the judge's in
``judge_llm_options``).

Records hold the answer, the verdict, tokens and latency, or the error of a call that failed;
`summarize_longmemeval_qa` and `summarize_locomo_qa` turn them into the report's accuracies,
where a failed call counts as a wrong answer.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from memory_service.errors import InvalidInputError
from memory_service.evaluation import prompts
from memory_service.evaluation.datasets import LocomoConversation, LocomoQuestion, LongMemEvalQuestion
from memory_service.evaluation.judging import (
    JUDGE_MAX_TOKENS,
    LOCOMO_UNANSWERABLE,
    judge_prompt,
    judge_says_yes,
    locomo_f1,
)
from memory_service.evaluation.options import QAOptions
from memory_service.schemas import SearchResult

DATE_FORMAT = prompts.SERVICE_DATE_FORMAT
format_memories = prompts.service_memories
JUDGE_PROBE = "Answer yes or no only: is this message readable?"


def check_judge(options: QAOptions) -> None:
    """One tiny call to the judge before any work, so an unreachable judge stops the run at once
    instead of scoring every answer wrong."""
    from agents.llm import LLMError, complete

    try:
        complete(
            options.judge,
            [{"role": "user", "content": JUDGE_PROBE}],
            max_tokens=JUDGE_MAX_TOKENS,
            **options.judge_options,
        )
    except LLMError as exc:
        official = " (the benchmark's judge)" if options.judge_is_official else ""
        raise InvalidInputError(
            f"the judge model {options.judge!r}{official} cannot be reached: {exc}. Give it its provider's key "
            "(e.g. OPENAI_API_KEY), name another judge with --judge-model (judge_model in a job), or judge with "
            "the answering model with --judge-with-answer-model (judge_with_answer_model); the report then "
            "marks the judge as not the benchmark's",
            details={"option": "judge_model", "value": options.judge},
        ) from exc


def answer_longmemeval(
    question: LongMemEvalQuestion,
    hits: Sequence[SearchResult],
    options: QAOptions,
    stored_sessions: Mapping[str, str] | None = None,
    *,
    rounds: bool = True,
) -> dict[str, Any]:
    """Answer from the top hits, then judge with the question type's rule.

    ``stored_sessions`` maps stored session ids to the benchmark's, for session hits; ``rounds``
    (all turns ingested) shows a retrieved turn with the one after it, as the benchmark's reader does.
    """
    shown = hits[: options.top_k]
    if options.prompt_style == "official":
        memories = prompts.longmemeval_history(question, shown, stored_sessions, rounds=rounds)
        template = options.prompt or prompts.LONGMEMEVAL_READER_PROMPT
        when = question.question_date.strftime(prompts.LONGMEMEVAL_DATE_FORMAT)
    else:
        memories, template = format_memories(shown), options.prompt or prompts.SERVICE_ANSWER_PROMPT
        when = question.question_date.strftime(DATE_FORMAT)
    prompt = template.format(memories=memories, question=question.question, question_date=when)
    return _answer_and_judge(
        options,
        prompt,
        max_tokens=prompts.LONGMEMEVAL_MAX_TOKENS if options.prompt_style == "official" else None,
        judge=lambda response: judge_prompt(
            question.question_type,
            question.question,
            question.answer,
            response,
            abstention=question.is_abstention,
        ),
    )


def answer_locomo(
    question: LocomoQuestion,
    hits: Sequence[SearchResult],
    now: datetime,
    options: QAOptions,
    conversation: LocomoConversation | None = None,
) -> dict[str, Any]:
    """Answer from the top hits; scored by LoCoMo's token F1 and by the judge.

    With the official prompt an adversarial question is a two-way choice, and the reply is read
    as the option it names before it is scored, as the benchmark does.
    """
    shown = hits[: options.top_k]
    choices = None
    if options.prompt_style == "official" and conversation is not None:
        context = prompts.locomo_context(conversation, shown)
        if options.prompt is None:
            asked = prompts.locomo_prompt(context, question)
            prompt, choices = asked.text, asked.choices
        else:
            prompt = options.prompt.format(
                memories=context, question=question.question, question_date=now.strftime(DATE_FORMAT)
            )
    else:
        template = options.prompt or prompts.SERVICE_ANSWER_PROMPT
        prompt = template.format(
            memories=format_memories(shown), question=question.question, question_date=now.strftime(DATE_FORMAT)
        )
    record = _answer_and_judge(
        options,
        prompt,
        max_tokens=prompts.LOCOMO_MAX_TOKENS if options.prompt_style == "official" else None,
        read=(lambda reply: prompts.locomo_choice(reply, choices)) if choices else None,
        judge=lambda response: judge_prompt(
            "multi-session",
            question.question,
            LOCOMO_UNANSWERABLE if question.is_adversarial else question.answer,
            response,
            abstention=question.is_adversarial,
        ),
    )
    answered = "hypothesis" in record
    record["f1"] = locomo_f1(question.category, record["hypothesis"], question.answer) if answered else 0.0
    return record


def _answer_and_judge(
    options: QAOptions,
    prompt: str,
    *,
    judge: Callable[[str], str],
    max_tokens: int | None = None,
    read: Callable[[str], str] | None = None,
) -> dict[str, Any]:
    """The answer and its verdict; a failed call is recorded with the stage it failed at."""
    from agents.llm import LLMError, complete

    started = time.perf_counter()
    try:
        answer = complete(
            options.model, [{"role": "user", "content": prompt}], max_tokens=max_tokens, **options.llm_options
        )
    except LLMError as exc:
        return {"error": str(exc), "error_stage": "answer", "latency_s": time.perf_counter() - started}
    raw = answer.text.strip()
    hypothesis = read(raw) if read is not None else raw
    record: dict[str, Any] = {"hypothesis": hypothesis}
    if hypothesis != raw:
        record["raw_hypothesis"] = raw
    try:
        verdict = complete(
            options.judge,
            [{"role": "user", "content": judge(hypothesis)}],
            max_tokens=JUDGE_MAX_TOKENS,
            **options.judge_options,
        )
    except LLMError as exc:
        return {**record, "error": str(exc), "error_stage": "judge", "latency_s": time.perf_counter() - started}
    return {
        **record,
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
    task-averaged accuracy is the mean of the per-type accuracies. A question whose LLM call
    failed counts as wrong in every accuracy; ``accuracy_answered`` leaves those out.
    """
    asked: list[tuple[str, bool, Mapping[str, Any]]] = [
        (record["question_type"], record["question_id"].endswith("_abs"), record["qa"])
        for record in records
        if record.get("qa")
    ]
    by_type: dict[str, list[bool]] = {}
    for qtype, _, qa in asked:
        by_type.setdefault(qtype, []).append(_correct(qa))
    per_type = {qtype: sum(labels) / len(labels) for qtype, labels in sorted(by_type.items())}
    abstention = [_correct(qa) for _, is_abs, qa in asked if is_abs]
    judged = [qa for _, _, qa in asked if "error" not in qa]
    return {
        **_judge(options),
        "questions": len(asked),
        "answered": len(judged),
        "errors": len(asked) - len(judged),
        "accuracy": _mean(_correct(qa) for _, _, qa in asked),
        "accuracy_answered": _mean(bool(qa["label"]) for qa in judged),
        "task_averaged_accuracy": _mean(per_type.values()),
        "abstention_accuracy": _mean(abstention) if abstention else None,
        "abstention_questions": len(abstention),
        "by_type": {qtype: {"accuracy": acc, "questions": len(by_type[qtype])} for qtype, acc in per_type.items()},
        **_cost(judged),
    }


def summarize_locomo_qa(questions: Iterable[Mapping[str, Any]], options: QAOptions) -> dict[str, Any]:
    """F1 and judge accuracy, overall and per category.

    As the benchmark's own statistics do, the overall figures take every category, adversarial
    questions (5) included; ``f1_1_4`` and ``accuracy_1_4`` leave them out. A failed LLM call
    scores F1 0 and counts as wrong; the ``_answered`` figures leave those out.
    """
    asked = [(int(question["category"]), question["qa"]) for question in questions if question.get("qa")]
    categories = sorted({category for category, _ in asked})
    by_category = {
        str(category): {
            "f1": _mean(float(qa.get("f1") or 0.0) for c, qa in asked if c == category),
            "accuracy": _mean(_correct(qa) for c, qa in asked if c == category),
            "questions": sum(1 for c, _ in asked if c == category),
        }
        for category in categories
    }
    judged = [qa for _, qa in asked if "error" not in qa]
    headline = [qa for category, qa in asked if category != 5]
    return {
        **_judge(options),
        "questions": len(asked),
        "answered": len(judged),
        "errors": len(asked) - len(judged),
        "f1": _mean(float(qa.get("f1") or 0.0) for _, qa in asked),
        "accuracy": _mean(_correct(qa) for _, qa in asked),
        "f1_1_4": _mean(float(qa.get("f1") or 0.0) for qa in headline),
        "accuracy_1_4": _mean(_correct(qa) for qa in headline),
        "f1_answered": _mean(float(qa["f1"]) for qa in judged),
        "accuracy_answered": _mean(bool(qa["label"]) for qa in judged),
        "by_category": by_category,
        **_cost(judged),
    }


def _correct(qa: Mapping[str, Any]) -> bool:
    """A failed call is a wrong answer, as an unanswered question is in the benchmark."""
    return "error" not in qa and bool(qa.get("label"))


def _judge(options: QAOptions) -> dict[str, Any]:
    return {
        "model": options.model,
        "judge_model": options.judge,
        "judge_is_official": options.judge_is_official,
        "prompt_style": "custom" if options.prompt is not None else options.prompt_style,
        "top_k": options.top_k,
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
