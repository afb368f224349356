"""Retrieval quality on real benchmark data: LongMemEval oracle dev questions, ingested with their dates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from memory_service.domain import NewMessage, SearchQuery
from memory_service.evaluation.datasets import (
    LongMemEvalQuestion,
    gold_session_ids,
    gold_turn_ids,
    load_longmemeval,
    turn_doc_id,
)
from memory_service.evaluation.metrics import recall_any
from memory_service.runtime import Runtime, build_runtime
from memory_service.settings import Settings
from retrieval.embedder import SentenceTransformerEmbedder
from tests.conftest import shared_data_dir

ORACLE = shared_data_dir() / "longmemeval" / "longmemeval_oracle_dev.json"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not ORACLE.exists(), reason=f"benchmark sample not found at {ORACLE}"),
]


def ingest(runtime: Runtime, question: LongMemEvalQuestion) -> dict[str, str]:
    """Each question is its own user; returns public episode id -> benchmark turn id."""
    turn_ids: dict[str, str] = {}
    for session in question.sessions:
        messages = [
            NewMessage(turn.role, turn.content, session.date + timedelta(seconds=i))  # type: ignore[arg-type]
            for i, turn in enumerate(session.turns)
        ]
        stored = runtime.episodic.add_messages("eval", session.session_id, question.question_id, messages)
        for position, episode in enumerate(stored, start=1):
            turn_ids[episode.id] = turn_doc_id(session.session_id, position)
    return turn_ids


@pytest.fixture
def runtime(sqlite_settings: Settings, embedder: SentenceTransformerEmbedder) -> Iterator[Runtime]:
    """SQLite only: the store backends are compared elsewhere; this test measures ranking."""
    rt = build_runtime(sqlite_settings, embedder=embedder)
    yield rt
    rt.close()


def test_evidence_ranks_in_the_top_5(runtime: Runtime) -> None:
    scored = [q for q in load_longmemeval(ORACLE) if not q.is_abstention and gold_turn_ids(q)]
    session_hits: list[float] = []
    turn_hits: list[float] = []
    for question in scored:
        turn_ids = ingest(runtime, question)
        query = SearchQuery(question.question, question.question_id, top_k=50, now=question.question_date)
        hits = runtime.search.search("eval", query)
        sessions_ranked = list(dict.fromkeys(h.session_id for h in hits if h.session_id))
        session_hits.append(recall_any(sessions_ranked, gold_session_ids(question), 5))
        user_turns = [turn_ids[h.id] for h in hits if h.role == "user"]
        turn_hits.append(recall_any(user_turns, gold_turn_ids(question), 5))
    assert len(scored) == 10
    session_recall = sum(session_hits) / len(scored)
    turn_recall = sum(turn_hits) / len(scored)
    print(f"oracle dev: session recall_any@5 {session_recall:.2f}, user-turn recall_any@5 {turn_recall:.2f}")
    assert session_recall == 1.0
    assert turn_recall >= 0.7
