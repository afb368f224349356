"""One LongMemEval question end to end: ingest its haystack, search, score, answer, forget.

Each question is its own world: its haystack goes into a partition of its own (see
`partition`), with the sessions' real dates as the time the turns happened, and is searched
with the question's date as "now". The benchmark's turn ids travel in message metadata, so
ranked hits map back to the ids the gold sets are written in.

The result is a plain JSON-ready record (one line of ``results.jsonl``); aggregation happens
later, over records, in `scoring`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from memory_service.evaluation.client import EvalClient, forget, timed_search, wait_for_extraction, warm_up
from memory_service.evaluation.datasets import LongMemEvalQuestion, gold_session_ids, gold_turn_ids, turn_doc_id
from memory_service.evaluation.metrics import score_at_ks, score_turns_as_sessions_at_ks, turn_session_depth
from memory_service.evaluation.options import EvalOptions
from memory_service.evaluation.partition import SESSION_KEY, TURN_ID_KEY, Partition, make_partition
from memory_service.schemas import SearchResult

TURN_SPACING = timedelta(seconds=1)
"""Turns of one session are this far apart, so their order survives sorting by time."""
BATCH_MESSAGES = 200
BATCH_CHARS = 1_000_000
"""Per request, well under the API's default message and body-size limits."""


class Cancelled(Exception):
    """The run was asked to stop; the question in hand is dropped and redone on resume."""


def evaluate_question(
    client: EvalClient,
    question: LongMemEvalQuestion,
    options: EvalOptions,
    run_id: str,
    cancel: threading.Event | None = None,
) -> dict[str, Any]:
    """The question's record: ingest statistics, per-recipe scores and rankings, QA when enabled."""
    started = time.perf_counter()
    partition = make_partition(run_id, question.question_id, (s.session_id for s in question.sessions))
    forget(client, partition.user_id)
    try:
        turn_of: dict[str, str] = {}
        ingest = ingest_haystack(client, question, partition, options.ingest, cancel, options.infer, turn_of)
        if options.infer:
            ingest["extraction_wait_s"] = wait_for_extraction(client, partition.user_id)
        warm_up(client, partition.user_id, question.question_date, options.recipes[0])
        recipes: dict[str, Any] = {}
        turn_hits: list[SearchResult] = []
        session_hits: list[SearchResult] = []
        for index, recipe in enumerate(options.recipes):
            check_cancelled(cancel)
            scored, hits = _search_and_score(client, question, partition, options, recipe, turn_of)
            recipes[recipe] = scored
            if index == 0:
                turn_hits, session_hits = hits.get("turn", []), hits.get("session", [])
        qa = None
        if options.qa is not None:
            from memory_service.evaluation.qa import answer_longmemeval

            qa = answer_longmemeval(
                question, turn_hits or session_hits, options.qa, partition.original, rounds=options.ingest == "all"
            )
    finally:
        if not options.keep:
            forget(client, partition.user_id)
    return {
        "unit": question.question_id,
        "question_id": question.question_id,
        "question_type": question.question_type,
        "abstention": question.is_abstention,
        "gold": {"session": len(gold_session_ids(question)), "turn": len(gold_turn_ids(question))},
        "ingest": ingest,
        "recipes": recipes,
        "qa": qa,
        "user_id": partition.user_id if options.keep else None,
        "seconds": time.perf_counter() - started,
    }


def ingest_haystack(
    client: EvalClient,
    question: LongMemEvalQuestion,
    partition: Partition,
    which: str = "all",
    cancel: threading.Event | None = None,
    infer: bool = False,
    turn_of: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Store every session's turns with their dates; blank turns are skipped (the API refuses them).

    ``turn_of`` receives each stored episode's benchmark turn id, so that hits of the semantic
    and graph layers can be scored as the turns they came from.
    """
    started = time.perf_counter()
    turns = skipped = 0
    for session in question.sessions:
        check_cancelled(cancel)
        messages = []
        for position, turn in enumerate(session.turns, start=1):
            if which == "user" and turn.role != "user":
                continue
            if not turn.content.strip():
                skipped += 1
                continue
            messages.append(
                {
                    "role": turn.role,
                    "content": turn.content,
                    "occurred_at": session.date + TURN_SPACING * (position - 1),
                    "metadata": {
                        TURN_ID_KEY: turn_doc_id(session.session_id, position),
                        SESSION_KEY: session.session_id,
                    },
                }
            )
        for batch in batches(messages):
            created = client.add_messages(
                partition.session_ids[session.session_id], partition.user_id, batch, infer=infer
            )
            if turn_of is not None:
                turn_of.update(zip(created.ids, (m["metadata"][TURN_ID_KEY] for m in batch), strict=True))
        turns += len(messages)
    return {
        "sessions": len(question.sessions),
        "turns": turns,
        "skipped_blank": skipped,
        "seconds": time.perf_counter() - started,
    }


def batches(messages: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Consecutive slices small enough for one request each."""
    out: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    size = 0
    for message in messages:
        length = len(message["content"])
        if current and (len(current) >= BATCH_MESSAGES or size + length > BATCH_CHARS):
            out.append(current)
            current, size = [], 0
        current.append(message)
        size += length
    if current:
        out.append(current)
    return out


def ranked_turn_ids(hits: Sequence[SearchResult], turn_of: Mapping[str, str] | None = None) -> list[str]:
    """Benchmark turn ids of turn hits, best first; a hit without one stands for itself.

    A fact or relation (semantic or graph layer) stands for the turns it was drawn from, in the
    order of its provenance; a turn already ranked higher is not counted again.
    """
    ranked: dict[str, None] = {}
    for hit in hits:
        if hit.layer == "episodic" or not turn_of:
            ranked.setdefault(str(hit.metadata.get(TURN_ID_KEY) or hit.id))
            continue
        for episode in hit.provenance:
            if episode in turn_of:
                ranked.setdefault(turn_of[episode])
    return list(ranked)


def ranked_session_ids(hits: Sequence[SearchResult], partition: Partition) -> list[str]:
    """Benchmark session ids of session hits, best first."""
    original = partition.original
    return [original.get(hit.id, hit.id) for hit in hits]


def _search_and_score(
    client: EvalClient,
    question: LongMemEvalQuestion,
    partition: Partition,
    options: EvalOptions,
    recipe: str,
    turn_of: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], dict[str, list[SearchResult]]]:
    scored: dict[str, Any] = {"latency_ms": {}, "ranked": {}, "depth": {}}
    hits: dict[str, list[SearchResult]] = {}
    for granularity in options.granularities:
        search = timed_search(
            client,
            question.question,
            partition.user_id,
            top_k=options.top_k if granularity == "session" else options.turn_search_depth,
            now=question.question_date,
            recipe=recipe,
            granularity="session" if granularity == "session" else "turn",
            layers=None if granularity == "session" else options.layers,  # type: ignore[arg-type]
        )
        hits[granularity] = search.results
        scored["latency_ms"][granularity] = search.latency_ms
        if granularity == "session":
            ranked = ranked_session_ids(search.results, partition)
            scored["session"] = score_at_ks(ranked, gold_session_ids(question), options.ks)
            scored["depth"]["session"] = len(set(ranked))
        else:
            ranked = ranked_turn_ids(search.results, turn_of)
            gold = gold_turn_ids(question)
            scored["turn"] = score_at_ks(ranked, gold, options.ks)
            scored["turn_to_session"] = score_turns_as_sessions_at_ks(ranked, gold, options.ks)
            scored["depth"]["turn"] = len(ranked)
            scored["depth"]["turn_to_session"] = turn_session_depth(ranked, gold)
        scored["ranked"][granularity] = ranked
    return scored, hits


def check_cancelled(cancel: threading.Event | None) -> None:
    """Stop between steps when asked; the unit in hand is redone on resume."""
    if cancel is not None and cancel.is_set():
        raise Cancelled
