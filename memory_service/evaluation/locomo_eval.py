"""One LoCoMo conversation end to end: ingest its sessions, ask every question, score, forget.

LoCoMo is a conversation between two people, so both speakers' turns are stored (the first
speaker as ``user``, the second as ``person``: neither is an AI assistant) with the speaker's
name in front of the text, as questions name people ("When did Caroline ..."). Each turn's
``dia_id`` travels in message metadata, so hits map back to the evidence ids. Questions carry no
date; they are asked as of the last session. Each question is scored twice: the benchmark's way,
on its evidence as written (official), and on the cleaned evidence (see `datasets.locomo`).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from memory_service.evaluation.client import EvalClient, forget, timed_search, warm_up
from memory_service.evaluation.datasets import LocomoConversation
from memory_service.evaluation.longmemeval_eval import TURN_SPACING, batches, check_cancelled
from memory_service.evaluation.metrics import evidence_recall_at_ks, official_evidence_recall_at_ks
from memory_service.evaluation.options import EvalOptions
from memory_service.evaluation.partition import DIA_ID_KEY, make_partition
from memory_service.schemas import SearchResult


def evaluate_conversation(
    client: EvalClient,
    conversation: LocomoConversation,
    options: EvalOptions,
    run_id: str,
    cancel: threading.Event | None = None,
) -> dict[str, Any]:
    """The conversation's record: ingest statistics and, per question, per-recipe evidence recall."""
    started = time.perf_counter()
    partition = make_partition(run_id, conversation.sample_id, (s.session_id for s in conversation.sessions))
    forget(client, partition.user_id)
    now = max(session.date for session in conversation.sessions)
    questions: list[dict[str, Any]] = []
    try:
        ingest_started = time.perf_counter()
        turns = 0
        for session in conversation.sessions:
            check_cancelled(cancel)
            messages = [
                {
                    "role": "user" if turn.speaker == conversation.speakers[0] else "person",
                    "content": f"{turn.speaker}: {turn.text}",
                    "occurred_at": session.date + TURN_SPACING * position,
                    "metadata": {DIA_ID_KEY: turn.dia_id, "speaker": turn.speaker},
                }
                for position, turn in enumerate(session.turns)
                if turn.text.strip()
            ]
            for batch in batches(messages):
                client.add_messages(partition.session_ids[session.session_id], partition.user_id, batch)
            turns += len(messages)
        ingest_s = time.perf_counter() - ingest_started
        warm_up(client, partition.user_id, now, options.recipes[0])
        for index, question in enumerate(conversation.questions):
            check_cancelled(cancel)
            record: dict[str, Any] = {
                "index": index,
                "category": question.category,
                "evidence": len(question.raw_evidence),
                "evidence_cleaned": len(question.evidence),
                "recipes": {},
            }
            first_hits: list[SearchResult] = []
            for position, recipe in enumerate(options.recipes):
                search = timed_search(
                    client,
                    question.question,
                    partition.user_id,
                    top_k=options.top_k,
                    now=now,
                    recipe=recipe,
                    granularity="turn",
                )
                ranked = [str(hit.metadata.get(DIA_ID_KEY) or hit.id) for hit in search.results]
                record["recipes"][recipe] = {
                    "scores": official_evidence_recall_at_ks(ranked, question.raw_evidence, options.ks),
                    "scores_cleaned": evidence_recall_at_ks(ranked, question.evidence, options.ks),
                    "latency_ms": search.latency_ms,
                    "ranked": ranked,
                }
                if position == 0:
                    first_hits = search.results
            if options.qa is not None:
                from memory_service.evaluation.qa import answer_locomo

                record["qa"] = answer_locomo(question, first_hits, now, options.qa, conversation)
            questions.append(record)
    finally:
        if not options.keep:
            forget(client, partition.user_id)
    return {
        "unit": conversation.sample_id,
        "sample_id": conversation.sample_id,
        "ingest": {"sessions": len(conversation.sessions), "turns": turns, "seconds": ingest_s},
        "skipped_evidence": conversation.skipped_evidence,
        "questions": questions,
        "user_id": partition.user_id if options.keep else None,
        "seconds": time.perf_counter() - started,
    }
