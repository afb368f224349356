"""Crash safety of the extraction queue: abandoned tasks complete once, replays change nothing."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from agents.statements import RuleStatementExtractor, facts_view
from memory_service.domain import NewMessage
from memory_service.extraction import queue as tasks
from memory_service.extraction.worker import _episode_text
from memory_service.runtime import build_runtime
from memory_service.settings import Settings
from memory_service.store import partitions as partition_store
from memory_service.store.database import Database
from memory_service.store.tables import ExtractionTaskRow, MemoryHistoryRow, MemoryRow
from retrieval.embedder import SentenceTransformerEmbedder

NS = "default"
T0 = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
TURNS = [
    NewMessage("user", "I live in Lisbon and I love sushi.", T0),
    NewMessage("user", "I just moved to Berlin.", T0 + timedelta(days=50)),
]


def snapshot(db: Database, user_pk: int) -> tuple[list[tuple[object, ...]], int, int]:
    """The user's memories, history rows and finished tasks, as stored."""
    with db.read() as session:
        rows = session.execute(
            select(MemoryRow.text, MemoryRow.status, MemoryRow.version, MemoryRow.reinforcements)
            .where(MemoryRow.user_id == user_pk)
            .order_by(MemoryRow.id)
        ).all()
        history = session.scalar(
            select(func.count()).select_from(MemoryHistoryRow).join(MemoryRow).where(MemoryRow.user_id == user_pk)
        )
        done = session.scalar(
            select(func.count()).where(ExtractionTaskRow.status == "done", ExtractionTaskRow.user_id == user_pk)
        )
    return [tuple(r) for r in rows], int(history or 0), int(done or 0)


def test_a_task_abandoned_while_running_completes_once_after_restart(
    settings: Settings, embedder: SentenceTransformerEmbedder, user_id: str
) -> None:
    first = build_runtime(settings, embedder=embedder)
    first.extraction.close()  # this process "dies" before its worker finishes anything
    episodes = first.episodic.add_messages(NS, f"{user_id}-s", user_id, TURNS, infer=True)
    with first.db.write() as db:
        task = tasks.claim(db)
        assert task is not None and task.episode_pks == tuple(e.pk for e in episodes)
        # Claimed long ago by a worker that is gone.
        db.execute(update(ExtractionTaskRow).where(ExtractionTaskRow.id == task.pk).values(claimed_at=T0))
    user_pk = task.user_pk
    first.close()

    second = build_runtime(settings, embedder=embedder)  # reclaims at start, then drains
    try:
        deadline = datetime.now(UTC) + timedelta(seconds=60)
        while second.semantic.extraction_status(NS, user_id).done < 1:
            assert datetime.now(UTC) < deadline, second.semantic.extraction_status(NS, user_id)
            time.sleep(0.05)
        status = second.semantic.extraction_status(NS, user_id)
        assert (status.pending, status.running, status.done, status.failed) == (0, 0, 1, 0)
    finally:
        second.close()
    db = Database(settings.resolved_database_url)
    rows, history, done = snapshot(db, user_pk)
    db.dispose()
    texts = [text for text, *_ in rows]
    assert len(texts) == len(set(texts)) == 3, rows  # Lisbon (ended), sushi, Berlin: no duplicates
    assert [status for _, status, *_ in rows].count("active") == 2
    assert (history, done) == (3, 1)


def test_consolidating_the_same_candidates_twice_changes_nothing(
    settings: Settings, embedder: SentenceTransformerEmbedder, user_id: str
) -> None:
    runtime = build_runtime(settings, embedder=embedder)
    runtime.extraction.close()
    try:
        episodes = runtime.episodic.add_messages(NS, f"{user_id}-s", user_id, TURNS, infer=True)
        facts = facts_view(RuleStatementExtractor().extract([_episode_text(e) for e in episodes]))
        with runtime.db.read() as db:
            user_pk = partition_store.find_user(db, partition_store.find_namespace(db, NS) or 0, user_id).id  # type: ignore[union-attr]
        first = runtime.extraction.consolidator.consolidate(user_pk, facts)
        assert (first.added, first.updated) == (2, 1)
        # The process dies after consolidating; the task is still queued and runs again on restart.
        before = snapshot(runtime.db, user_pk)
        second = runtime.extraction.consolidator.consolidate(user_pk, facts)
        assert (second.added, second.updated, second.deleted, second.unchanged) == (0, 0, 0, len(facts))
        assert snapshot(runtime.db, user_pk) == before
        assert runtime.extraction.drain() == 1  # the queued task: a replay, NOOP throughout
        rows, history, done = snapshot(runtime.db, user_pk)
        assert (rows, history) == before[:2] and done == 1
        assert all(reinforcements == 0 for *_, reinforcements in rows)
    finally:
        runtime.close()
