"""The semantic layer honours a search's session, role and time filters through its memories' sources."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from agents.extraction import USER_SUBJECT, CandidateFact
from memory_service.domain import NewMessage, Role, SearchQuery, TimeWindow
from memory_service.layers.semantic import repository as semantic_repo
from memory_service.layers.semantic.domain import MemoryEdit, memory_public_id
from memory_service.layers.semantic.index import IndexedMemory
from memory_service.runtime import Runtime
from memory_service.store import partitions as partition_store

NS = "default"
T0 = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Known:
    lisbon: str
    cat: str
    jazz: str
    chess: str


def said(runtime: Runtime, user_id: str, session: str, role: Role, text: str, at: datetime) -> str:
    (episode,) = runtime.episodic.add_messages(NS, session, user_id, [NewMessage(role, text, at)])
    return episode.id


@pytest.fixture
def known(runtime: Runtime, user_id: str) -> Known:
    """Lisbon drawn from a user turn in session a and an assistant turn in session c; the cat
    from an assistant turn in session b; jazz added directly; chess, said in session d, true
    only during 2023."""
    a = said(runtime, user_id, f"{user_id}-a", "user", "I live in Lisbon.", T0)
    b = said(runtime, user_id, f"{user_id}-b", "assistant", 'You said "I have a cat".', T0 + timedelta(days=50))
    c = said(runtime, user_id, f"{user_id}-c", "assistant", 'You said "I live in Lisbon".', T0 + timedelta(days=60))
    d = said(runtime, user_id, f"{user_id}-d", "user", "I play chess.", datetime(2022, 12, 1, tzinfo=UTC))
    with runtime.db.read() as db:
        namespace_id = partition_store.find_namespace(db, NS)
        assert namespace_id is not None
        user = partition_store.find_user(db, namespace_id, user_id)
        assert user is not None
        user_pk = user.id
    candidates = [
        CandidateFact(USER_SUBJECT, "location", "User lives in Lisbon.", "fact", T0, source_episode_ids=(a,)),
        CandidateFact(
            USER_SUBJECT, "pet:cat", "User has a cat.", "fact", T0 + timedelta(days=50), source_episode_ids=(b,)
        ),
        CandidateFact(
            USER_SUBJECT, "location", "User lives in Lisbon.", "fact", T0 + timedelta(days=60), source_episode_ids=(c,)
        ),
        CandidateFact(
            USER_SUBJECT,
            "hobby",
            "User plays chess.",
            "fact",
            datetime(2023, 1, 1, tzinfo=UTC),
            source_episode_ids=(d,),
        ),
    ]
    runtime.extraction.consolidator.consolidate(user_pk, candidates)
    with runtime.db.read() as db:
        rows = {r.text: r for r in semantic_repo.visible_memories(db, user_pk)}
    assert rows["User lives in Lisbon."].source_episode_ids == [a, c]
    jazz = runtime.semantic.add(NS, user_id, "User likes jazz.", valid_at=datetime(2024, 6, 1, tzinfo=UTC))
    chess = memory_public_id(rows["User plays chess."].id)  # said in 2022, so known by 2023
    runtime.semantic.update(
        NS, chess, MemoryEdit(invalid_at=datetime(2024, 1, 1, tzinfo=UTC), fields=frozenset({"invalid_at"}))
    )
    return Known(
        memory_public_id(rows["User lives in Lisbon."].id),
        memory_public_id(rows["User has a cat."].id),
        jazz.id,
        chess,
    )


def found(runtime: Runtime, user_id: str, **filters: Any) -> set[str]:
    query = SearchQuery("what about the user", user_id, layers=("semantic",), top_k=20, **filters)
    return {hit.id for hit in runtime.search.search(NS, query)}


def test_unfiltered_search_sees_every_current_memory(runtime: Runtime, user_id: str, known: Known) -> None:
    assert found(runtime, user_id) == {known.lisbon, known.cat, known.jazz}


def test_sessions_keep_memories_with_a_source_there(runtime: Runtime, user_id: str, known: Known) -> None:
    assert found(runtime, user_id, session_ids=(f"{user_id}-a",)) == {known.lisbon}
    assert found(runtime, user_id, session_ids=(f"{user_id}-c",)) == {known.lisbon}
    assert found(runtime, user_id, session_ids=(f"{user_id}-b",)) == {known.cat}
    assert found(runtime, user_id, session_ids=(f"{user_id}-a", f"{user_id}-b")) == {known.lisbon, known.cat}
    assert found(runtime, user_id, session_ids=("no-such-session",)) == set()


def test_roles_keep_memories_with_a_source_of_that_role(runtime: Runtime, user_id: str, known: Known) -> None:
    assert found(runtime, user_id, roles=("user",)) == {known.lisbon}
    assert found(runtime, user_id, roles=("assistant",)) == {known.lisbon, known.cat}
    assert found(runtime, user_id, roles=("system",)) == set()
    # Each filter is tested on the sources on its own: Lisbon has a source in session a and one by the assistant.
    assert found(runtime, user_id, session_ids=(f"{user_id}-a",), roles=("assistant",)) == {known.lisbon}
    assert found(runtime, user_id, session_ids=(f"{user_id}-b",), roles=("user",)) == set()


def test_time_range_keeps_memories_valid_during_it(runtime: Runtime, user_id: str, known: Known) -> None:
    spring = TimeWindow(datetime(2024, 2, 1, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC))
    assert found(runtime, user_id, time_range=spring) == {known.lisbon, known.cat}
    summer = TimeWindow(datetime(2024, 6, 1, tzinfo=UTC), None)
    assert found(runtime, user_id, time_range=summer) == {known.lisbon, known.cat, known.jazz}
    # The range's end is exclusive: jazz begins exactly where this one ends.
    assert found(runtime, user_id, time_range=TimeWindow(None, datetime(2024, 6, 1, tzinfo=UTC))) == {
        known.lisbon,
        known.cat,
    }
    assert found(runtime, user_id, time_range=TimeWindow(None, datetime(2023, 6, 1, tzinfo=UTC))) == set()
    then = datetime(2023, 6, 1, tzinfo=UTC)
    during = TimeWindow(datetime(2023, 12, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC))
    after = TimeWindow(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC))
    assert found(runtime, user_id, as_of=then, time_range=during) == {known.chess}
    assert found(runtime, user_id, as_of=then, time_range=after) == set()


def test_memories_added_directly_pass_no_source_filter(runtime: Runtime, user_id: str, known: Known) -> None:
    for filters in (
        {"session_ids": (f"{user_id}-a",)},
        {"roles": ("user", "assistant", "person", "system", "tool", "event")},
    ):
        assert known.jazz not in found(runtime, user_id, **filters)


def test_overlap_of_validity_and_a_window() -> None:
    def memory(valid_at: datetime | None, invalid_at: datetime | None) -> IndexedMemory:
        return IndexedMemory("active", valid_at, invalid_at, T0, T0, 0, None, 0, (), learned_at=T0)

    day = timedelta(days=1)
    window = TimeWindow(T0, T0 + 10 * day)
    assert memory(None, None).overlaps(window)  # created at T0, still true
    assert memory(T0 - day, T0 + day).overlaps(window)
    assert not memory(T0 - 5 * day, T0).overlaps(window)  # ended as the window began
    assert not memory(T0 + 10 * day, None).overlaps(window)  # began as the window ended
    assert memory(T0 + 9 * day, None).overlaps(TimeWindow(None, T0 + 10 * day))
    assert memory(T0 - 9 * day, T0 + day).overlaps(TimeWindow(T0, None))


def test_memory_as_it_stood_needs_it_learned_and_valid_then() -> None:
    day = timedelta(days=1)
    said_late = IndexedMemory("active", T0 - 30 * day, None, T0, T0, 0, None, 0, (), learned_at=T0)
    assert said_late.valid_as_of(T0 - day) and not said_late.stood_at(T0 - day)  # true then, said later
    assert said_late.stood_at(T0)
    ended = IndexedMemory("invalid", T0 - 30 * day, T0 + day, T0, T0, 0, None, 0, (), learned_at=T0 - 30 * day)
    assert ended.stood_at(T0) and not ended.stood_at(T0 + day)
