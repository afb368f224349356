"""The service layer on each store backend, with the real model and real FAISS."""

from __future__ import annotations

import logging
import shutil
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import func, select

from memory_service.domain import NewMessage, SearchQuery, TimeWindow
from memory_service.errors import ConflictError, InvalidInputError, NotFoundError, PayloadTooLargeError
from memory_service.layers.episodic.search import EpisodicSearcher
from memory_service.runtime import Runtime, build_runtime
from memory_service.search import SearchService
from memory_service.settings import Settings
from memory_service.store.tables import EmbeddingRow, EpisodeRow, SessionRow, UserRow
from retrieval.embedder import SentenceTransformerEmbedder

NS = "default"
T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)

CONVERSATION = [
    NewMessage("user", "I just adopted a golden retriever puppy named Biscuit.", T0),
    NewMessage("assistant", "Congratulations! Golden retrievers are wonderful family dogs.", T0),
    NewMessage("user", "My sister Ana is visiting from Lisbon next month.", T0 + timedelta(days=1)),
    NewMessage("user", "I started training for the Berlin marathon in September.", T0 + timedelta(days=40)),
]


def counts(runtime: Runtime) -> tuple[int, int, int]:
    with runtime.db.read() as db:
        return (
            db.scalar(select(func.count()).select_from(EpisodeRow)) or 0,
            db.scalar(select(func.count()).select_from(SessionRow)) or 0,
            db.scalar(select(func.count()).select_from(EmbeddingRow)) or 0,
        )


def texts(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [h.text for h in hits]


def test_add_then_read_back_in_order(runtime: Runtime, user_id: str) -> None:
    episodes = runtime.episodic.add_messages(NS, f"{user_id}-s1", user_id, CONVERSATION[:2], agent_id="agent-7")
    more = runtime.episodic.add_messages(NS, f"{user_id}-s1", user_id, CONVERSATION[2:])
    assert [e.position for e in episodes + more] == [1, 2, 3, 4]
    page = runtime.episodic.list_session_messages(NS, f"{user_id}-s1", limit=3)
    assert [e.content for e in page.items] == [m.content for m in CONVERSATION[:3]]
    rest = runtime.episodic.list_session_messages(NS, f"{user_id}-s1", limit=3, cursor=page.next_cursor)
    assert [e.content for e in rest.items] == [CONVERSATION[3].content] and rest.next_cursor is None
    session = runtime.episodic.get_session(NS, f"{user_id}-s1")
    assert session.message_count == 4
    assert session.agent_id == "agent-7"
    assert session.first_occurred_at == T0
    assert session.last_occurred_at == T0 + timedelta(days=40)
    assert rest.items[0].occurred_at.tzinfo is not None


def test_search_finds_the_relevant_turn_first(runtime: Runtime, user_id: str) -> None:
    runtime.episodic.add_messages(NS, f"{user_id}-s1", user_id, CONVERSATION)
    hits = runtime.search.search(NS, SearchQuery("What is the name of my dog?", user_id, top_k=3))
    assert hits[0].text == CONVERSATION[0].content
    assert hits[0].layer == "episodic" and hits[0].provenance == (hits[0].id,)
    assert hits[0].score >= hits[1].score >= hits[2].score
    hits = runtime.search.search(NS, SearchQuery("marathon race", user_id, top_k=1))
    assert texts(hits) == [CONVERSATION[3].content]


def test_filters_by_time_session_and_role(runtime: Runtime, user_id: str) -> None:
    runtime.episodic.add_messages(NS, f"{user_id}-a", user_id, CONVERSATION[:2])
    runtime.episodic.add_messages(NS, f"{user_id}-b", user_id, CONVERSATION[2:])
    window = TimeWindow(T0 + timedelta(days=30), None)
    hits = runtime.search.search(NS, SearchQuery("dog", user_id, time_range=window))
    assert texts(hits) == [CONVERSATION[3].content]
    hits = runtime.search.search(NS, SearchQuery("dog", user_id, session_ids=(f"{user_id}-b",)))
    assert set(texts(hits)) == {CONVERSATION[2].content, CONVERSATION[3].content}
    hits = runtime.search.search(NS, SearchQuery("dog", user_id, roles=("assistant",)))
    assert texts(hits) == [CONVERSATION[1].content]
    hits = runtime.search.search(NS, SearchQuery("dog", user_id, as_of=T0))
    assert set(texts(hits)) == {CONVERSATION[0].content, CONVERSATION[1].content}
    assert runtime.search.search(NS, SearchQuery("dog", user_id, session_ids=("nope",))) == []


def test_partitions_are_isolated(runtime: Runtime, user_id: str) -> None:
    runtime.episodic.add_messages(NS, f"{user_id}-s", user_id, CONVERSATION)
    assert runtime.search.search(NS, SearchQuery("dog", f"{user_id}-other")) == []
    assert runtime.search.search("another-namespace", SearchQuery("dog", user_id)) == []
    with pytest.raises(NotFoundError):
        runtime.episodic.get_session("another-namespace", f"{user_id}-s")


def test_session_of_another_user_is_a_conflict_and_writes_nothing(runtime: Runtime, user_id: str) -> None:
    runtime.episodic.add_messages(NS, f"{user_id}-s", user_id, CONVERSATION[:1])
    before = counts(runtime)
    with pytest.raises(ConflictError):
        runtime.episodic.add_messages(NS, f"{user_id}-s", f"{user_id}-intruder", CONVERSATION[1:])
    assert counts(runtime) == before


def test_a_rejected_write_for_a_new_user_leaves_no_user_row(runtime: Runtime, user_id: str) -> None:
    runtime.episodic.add_messages(NS, f"{user_id}-s", user_id, CONVERSATION[:1])
    with pytest.raises(ConflictError):
        runtime.episodic.add_messages(NS, f"{user_id}-s", f"{user_id}-new", CONVERSATION[1:])
    with runtime.db.read() as db:
        users = db.scalars(select(UserRow.external_id).where(UserRow.external_id.like(f"{user_id}%"))).all()
    assert users == [user_id]
    # The same user then writes to a session of its own, and only that lands.
    runtime.episodic.add_messages(NS, f"{user_id}-new-s", f"{user_id}-new", CONVERSATION[1:2])
    assert [h.text for h in runtime.search.search(NS, SearchQuery("golden retriever", f"{user_id}-new"))] == [
        CONVERSATION[1].content
    ]


def test_bad_messages_are_refused_whole(runtime: Runtime, user_id: str) -> None:
    before = counts(runtime)
    cases: list[tuple[list[NewMessage], type[Exception]]] = [
        ([], InvalidInputError),
        ([CONVERSATION[0], NewMessage("user", "   ")], InvalidInputError),
        ([NewMessage("user", "x" * (runtime.episodic.max_message_chars + 1))], PayloadTooLargeError),
        ([NewMessage("user", "naive", datetime(2024, 1, 1))], InvalidInputError),
        ([NewMessage("user", "   ")], InvalidInputError),  # with infer=True below: refused before queueing
    ]
    for index, (messages, error) in enumerate(cases):
        with pytest.raises(error):
            runtime.episodic.add_messages(NS, f"{user_id}-s", user_id, messages, infer=index == len(cases) - 1)
    assert counts(runtime) == before


def test_model_failure_leaves_the_store_untouched(
    runtime: Runtime, user_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = counts(runtime)

    def broken(texts: list[str]) -> np.ndarray:
        raise RuntimeError("model crashed")

    monkeypatch.setattr(runtime.embedder, "embed_batch", broken)
    never_seen = [NewMessage("user", f"A text no cache holds: {user_id}")]
    with pytest.raises(RuntimeError):
        runtime.episodic.add_messages(NS, f"{user_id}-s", user_id, never_seen)
    assert counts(runtime) == before


def test_repeated_texts_are_embedded_once(runtime: Runtime, user_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    runtime.episodic.add_messages(NS, f"{user_id}-s1", user_id, CONVERSATION)
    embedded: list[str] = []
    original = runtime.embedder.embed_batch

    def counting(batch: list[str]) -> np.ndarray:
        embedded.extend(batch)
        return original(batch)

    monkeypatch.setattr(runtime.embedder, "embed_batch", counting)
    runtime.episodic.add_messages(NS, f"{user_id}-s2", f"{user_id}-b", CONVERSATION)
    assert embedded == []


def test_restart_and_deleted_index_files_give_identical_results(
    runtime: Runtime, user_id: str, embedder: SentenceTransformerEmbedder
) -> None:
    runtime.episodic.add_messages(NS, f"{user_id}-s", user_id, CONVERSATION)
    query = SearchQuery("Who is visiting from Portugal?", user_id, top_k=4)
    before = runtime.search.search(NS, query)
    runtime.close()  # persists the indexes

    again = build_runtime(runtime.settings, embedder=embedder)
    assert again.search.search(NS, query) == before
    again.close()

    shutil.rmtree(runtime.settings.index_dir)
    rebuilt = build_runtime(runtime.settings, embedder=embedder)
    assert rebuilt.search.search(NS, query) == before
    rebuilt.close()


def test_a_rebuild_reads_the_stored_vectors_and_embeds_nothing(
    runtime: Runtime, user_id: str, embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A replica that never loaded the partition rebuilds it from the vectors in the store (the
    service refuses to start on a store with texts lacking them: `memory-service reindex`)."""
    runtime.episodic.add_messages(NS, f"{user_id}-s", user_id, CONVERSATION)
    query = SearchQuery("Who is visiting from Portugal?", user_id, top_k=4)
    before = runtime.search.search(NS, query)
    runtime.close()
    shutil.rmtree(runtime.settings.index_dir)
    embedded: list[str] = []
    original = embedder.embed_batch

    def counting(batch: list[str]) -> np.ndarray:
        embedded.extend(batch)
        return original(batch)

    monkeypatch.setattr(embedder, "embed_batch", counting)
    rebuilt = build_runtime(runtime.settings, embedder=embedder)
    try:
        assert rebuilt.search.search(NS, query) == before
        assert embedded == [query.query]
    finally:
        rebuilt.close()


def test_stale_index_on_disk_is_rebuilt(runtime: Runtime, user_id: str, embedder: SentenceTransformerEmbedder) -> None:
    """A second process wrote after this one saved its index: the saved one must not be used."""
    runtime.episodic.add_messages(NS, f"{user_id}-s", user_id, CONVERSATION[:2])
    runtime.search.search(NS, SearchQuery("dog", user_id))
    runtime.close()
    other = build_runtime(runtime.settings, embedder=embedder)
    other.episodic.add_messages(NS, f"{user_id}-s", user_id, CONVERSATION[2:])
    other.extraction.close()
    other.db.dispose()  # dies without saving its index
    fresh = build_runtime(runtime.settings, embedder=embedder)
    hits = fresh.search.search(NS, SearchQuery("marathon", user_id, top_k=1))
    assert texts(hits) == [CONVERSATION[3].content]
    fresh.close()


def test_delete_user_forgets_every_layer_and_index(runtime: Runtime, user_id: str) -> None:
    runtime.episodic.add_messages(NS, f"{user_id}-s1", user_id, CONVERSATION[:2])
    runtime.episodic.add_messages(NS, f"{user_id}-s2", user_id, CONVERSATION[2:])
    assert runtime.search.search(NS, SearchQuery("dog", user_id))
    deletion = runtime.users.delete_user(NS, user_id)
    assert (deletion.sessions, deletion.episodes) == (2, 4)
    assert runtime.search.search(NS, SearchQuery("dog", user_id)) == []
    assert runtime.episodic.list_sessions(NS, user_id).items == ()
    with pytest.raises(NotFoundError):
        runtime.episodic.list_session_messages(NS, f"{user_id}-s1")
    with pytest.raises(NotFoundError):
        runtime.users.delete_user(NS, user_id)
    # The user id can be reused, starting empty.
    runtime.episodic.add_messages(NS, f"{user_id}-s3", user_id, CONVERSATION[3:])
    assert texts(runtime.search.search(NS, SearchQuery("dog", user_id))) == [CONVERSATION[3].content]


def test_a_layer_the_server_does_not_run_is_refused(runtime: Runtime, user_id: str) -> None:
    episodic_only = SearchService(runtime.db, runtime.embedder, [EpisodicSearcher(runtime.db, runtime.indexes)])
    try:
        with pytest.raises(InvalidInputError, match="graph"):
            episodic_only.search(NS, SearchQuery("x", user_id, layers=("episodic", "graph")))
    finally:
        episodic_only.close()
    assert runtime.search.search(NS, SearchQuery("x", user_id, layers=("episodic", "graph"))) == []


def test_bad_cursor_and_limit(runtime: Runtime, user_id: str) -> None:
    runtime.episodic.add_messages(NS, f"{user_id}-s", user_id, CONVERSATION)
    with pytest.raises(InvalidInputError):
        runtime.episodic.list_session_messages(NS, f"{user_id}-s", cursor="not-a-cursor")
    with pytest.raises(InvalidInputError):
        runtime.episodic.list_sessions(NS, user_id, limit=0)


def test_partition_switches_to_ivf_past_the_threshold_and_survives_restart(
    sqlite_settings: Settings, user_id: str, embedder: SentenceTransformerEmbedder, caplog: pytest.LogCaptureFixture
) -> None:
    settings = sqlite_settings.model_copy(update={"ivf_threshold": 60})
    runtime = build_runtime(settings, embedder=embedder)
    notes = [NewMessage("user", f"Note {i}: remember errand number {i} for the week.", T0) for i in range(50)]
    runtime.episodic.add_messages(NS, f"{user_id}-a", user_id, [*CONVERSATION, *notes])
    query = SearchQuery("What is the name of my dog?", user_id, top_k=3)
    assert runtime.search.search(NS, query)[0].text == CONVERSATION[0].content
    ((_, index),) = runtime.indexes.loaded.items()
    flat = index.dense
    assert flat.backend == "faiss-flat"
    more = [NewMessage("user", f"Shopping item {i}: oat milk and apples.", T0) for i in range(20)]
    runtime.episodic.add_messages(NS, f"{user_id}-b", user_id, more)
    ((_, index),) = runtime.indexes.loaded.items()
    assert index.dense.backend == "faiss-ivf" and len(index.dense) == 74
    before = runtime.search.search(NS, query)
    assert before[0].text == CONVERSATION[0].content
    runtime.close()

    caplog.set_level(logging.INFO, logger="memory_service.layers.episodic.index")
    again = build_runtime(settings, embedder=embedder)
    assert again.search.search(NS, query) == before
    assert not [r for r in caplog.records if "rebuilding" in r.getMessage()]  # loaded, not rebuilt
    again.close()


def test_idle_partitions_unload_and_come_back_from_disk(
    sqlite_settings: Settings, user_id: str, embedder: SentenceTransformerEmbedder, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = build_runtime(sqlite_settings.model_copy(update={"max_loaded_partitions": 2}), embedder=embedder)
    users = [f"{user_id}-{n}" for n in range(3)]
    first = []
    for n, user in enumerate(users):
        runtime.episodic.add_messages(NS, f"{user}-s", user, CONVERSATION[n : n + 2])
        first.append(runtime.search.search(NS, SearchQuery("my puppy", user)))
    assert runtime.indexes.loaded_partitions() == 2
    caplog.set_level(logging.INFO, logger="memory_service.layers.episodic.index")
    hits = runtime.search.search(NS, SearchQuery("my puppy", users[0]))
    assert hits == first[0] and hits[0].text == CONVERSATION[0].content
    assert runtime.indexes.loaded_partitions() == 2
    assert not [r for r in caplog.records if "rebuilding" in r.getMessage()]  # reloaded from its saved files
    runtime.close()


def test_partitions_unused_for_a_while_unload_and_come_back_from_disk(
    sqlite_settings: Settings, user_id: str, embedder: SentenceTransformerEmbedder, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = build_runtime(sqlite_settings.model_copy(update={"unload_idle_after_s": 0}), embedder=embedder)
    partitions = runtime.indexes.loaded.cache
    now = [0.0]
    partitions.clock = lambda: now[0]
    quiet, busy = f"{user_id}-quiet", f"{user_id}-busy"
    runtime.episodic.add_messages(NS, "quiet-s", quiet, CONVERSATION[:2])
    runtime.episodic.add_messages(NS, "busy-s", busy, CONVERSATION[2:4])
    before = runtime.search.search(NS, SearchQuery("my puppy", quiet))
    now[0] += 120
    runtime.search.search(NS, SearchQuery("my puppy", busy))
    _, busy_key = list(partitions.loaded())  # least recently used first
    assert partitions.unload_idle(60) == 1
    assert partitions.loaded() == {busy_key: ("episodic",)}
    caplog.set_level(logging.INFO, logger="memory_service.layers.episodic.index")
    assert runtime.search.search(NS, SearchQuery("my puppy", quiet)) == before
    assert not [r for r in caplog.records if "rebuilding" in r.getMessage()]  # reloaded from its saved files
    runtime.close()


def test_the_unloader_checks_on_its_own(
    sqlite_settings: Settings, user_id: str, embedder: SentenceTransformerEmbedder
) -> None:
    runtime = build_runtime(sqlite_settings.model_copy(update={"unload_idle_after_s": 0.1}), embedder=embedder)
    runtime.episodic.add_messages(NS, "s", user_id, CONVERSATION[:2])
    before = runtime.search.search(NS, SearchQuery("my puppy", user_id))
    deadline = time.monotonic() + 10
    while runtime.indexes.loaded_partitions():  # no request needed
        assert time.monotonic() < deadline, "the idle partition was not unloaded"
        time.sleep(0.05)
    assert runtime.search.search(NS, SearchQuery("my puppy", user_id)) == before
    runtime.close()


def test_idle_unloading_can_be_turned_off(sqlite_settings: Settings, embedder: SentenceTransformerEmbedder) -> None:
    runtime = build_runtime(sqlite_settings.model_copy(update={"unload_idle_after_s": 0}), embedder=embedder)
    assert runtime.unloader is None
    runtime.close()


def test_query_micro_batches_follow_the_setting(
    sqlite_settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    runtime = build_runtime(sqlite_settings.model_copy(update={"query_batch_size": 1}), embedder=embedder)
    assert runtime.search.queries.max_batch == 1
    runtime.close()
