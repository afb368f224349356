"""A search counts as one retrieval of each semantic memory it hands back, and only of those."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from memory_service.domain import NewMessage, SearchHit, SearchQuery
from memory_service.layers.semantic import repository as semantic_repo
from memory_service.layers.semantic.domain import parse_memory_id
from memory_service.runtime import Runtime
from memory_service.store.tables import MemoryRow

NS = "default"
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
TEXTS = ("User lives in Lisbon.", "User has a cat named Tom.", "User plays the piano.")


@pytest.fixture
def memories(runtime: Runtime, user_id: str) -> list[str]:
    return [runtime.semantic.add(NS, user_id, text).id for text in TEXTS]


def search(runtime: Runtime, user_id: str, **extra: Any) -> list[SearchHit]:
    fields: dict[str, Any] = {"layers": ("semantic",), "now": NOW, **extra}
    return runtime.search.search(NS, SearchQuery("where does the user live", user_id, **fields))


def counts(runtime: Runtime, ids: list[str]) -> dict[str, tuple[int, datetime | None]]:
    """(accesses, last_accessed_at) of each memory, as stored."""
    pks = {parse_memory_id(i): i for i in ids}
    with runtime.db.read() as db:
        rows = db.execute(
            select(MemoryRow.id, MemoryRow.accesses, MemoryRow.last_accessed_at).where(MemoryRow.id.in_(list(pks)))
        ).all()
    return {pks[pk]: (accesses, at) for pk, accesses, at in rows}


def cached_accesses(runtime: Runtime, ids: list[str]) -> dict[str, int]:
    with runtime.db.read() as db:
        user_pk = db.scalar(select(MemoryRow.user_id).where(MemoryRow.id == parse_memory_id(ids[0])))
    assert user_pk is not None
    facts = runtime.semantic.indexes.get(user_pk).facts
    return {i: facts[pk].accesses for i in ids if (pk := parse_memory_id(i)) is not None}


def test_each_returned_memory_counts_once(runtime: Runtime, user_id: str, memories: list[str]) -> None:
    (first,) = [hit.id for hit in search(runtime, user_id, top_k=1)]
    assert counts(runtime, memories) == {m: (1, NOW) if m == first else (0, None) for m in memories}
    assert cached_accesses(runtime, memories) == {m: int(m == first) for m in memories}

    later = NOW + timedelta(days=1)
    returned = [hit.id for hit in search(runtime, user_id, top_k=10, now=later)]
    assert sorted(returned) == sorted(memories)
    assert counts(runtime, memories) == {m: (2, later) if m == first else (1, later) for m in memories}
    assert cached_accesses(runtime, memories) == {m: 2 if m == first else 1 for m in memories}


def test_memories_cut_by_top_k_after_fusion_do_not_count(runtime: Runtime, user_id: str, memories: list[str]) -> None:
    runtime.episodic.add_messages(
        NS, f"{user_id}-s", user_id, [NewMessage("user", "I live in Lisbon, by the river.", NOW - timedelta(days=9))]
    )
    hits = search(runtime, user_id, layers=("episodic", "semantic"), top_k=2)
    returned = {hit.id for hit in hits if hit.layer == "semantic"}
    assert len(hits) == 2 and 0 < len(returned) < len(memories)
    assert {m: n for m, (n, _) in counts(runtime, memories).items()} == {m: int(m in returned) for m in memories}


def test_time_travel_read_only_and_other_layers_count_nothing(
    runtime: Runtime, user_id: str, memories: list[str]
) -> None:
    assert search(runtime, user_id, as_of=datetime.now(UTC) + timedelta(seconds=1))  # added today: known then
    assert search(runtime, user_id, reinforce=False)
    runtime.episodic.add_messages(NS, f"{user_id}-s", user_id, [NewMessage("user", "I live in Lisbon.", NOW)])
    assert search(runtime, user_id, layers=("episodic",))
    assert counts(runtime, memories) == dict.fromkeys(memories, (0, None))


def test_an_earlier_now_does_not_move_the_last_access_back(runtime: Runtime, user_id: str, memories: list[str]) -> None:
    search(runtime, user_id)
    search(runtime, user_id, now=NOW - timedelta(days=30))
    assert counts(runtime, memories) == dict.fromkeys(memories, (2, NOW))


def test_a_failure_to_count_still_answers(
    runtime: Runtime,
    user_id: str,
    memories: list[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def unavailable(*_: object) -> None:
        raise OperationalError("UPDATE memories", {}, Exception("database is locked"))

    monkeypatch.setattr(semantic_repo, "record_accesses", unavailable)
    with caplog.at_level(logging.WARNING, logger="memory_service.layers.semantic.service"):
        assert len(search(runtime, user_id)) == 3
    assert "could not count the retrieval" in caplog.text
    assert counts(runtime, memories) == dict.fromkeys(memories, (0, None))
    assert cached_accesses(runtime, memories) == dict.fromkeys(memories, 0)


def test_reading_a_memory_reaches_the_loaded_index(runtime: Runtime, user_id: str, memories: list[str]) -> None:
    search(runtime, user_id, top_k=1)
    before = cached_accesses(runtime, memories)
    runtime.semantic.get(NS, memories[2])
    after = cached_accesses(runtime, memories)
    assert after == {m: before[m] + (m == memories[2]) for m in memories}


def test_reading_a_memory_counts_unless_it_is_only_a_look(runtime: Runtime, user_id: str, memories: list[str]) -> None:
    first = memories[0]
    looked = runtime.semantic.get(NS, first, record=False)
    assert looked.accesses == 0 and counts(runtime, [first])[first] == (0, None)
    recalled = runtime.semantic.get(NS, first)
    assert recalled.accesses == 1 and counts(runtime, [first])[first][0] == 1
