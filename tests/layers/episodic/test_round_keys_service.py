"""Round keys in the service: kept in step with writes, equal after a rebuild, joined by facts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from memory_service.domain import NewMessage, SearchQuery
from memory_service.layers.episodic.repository import episodes_by_pk
from memory_service.layers.semantic import repository as semantic_repo
from memory_service.layers.semantic.domain import parse_memory_id
from memory_service.runtime import Runtime, build_runtime
from memory_service.settings import Settings
from memory_service.store.partitions import Partition, find_namespace, find_user
from memory_service.store.tables import MemoryRow
from retrieval.embedder import SentenceTransformerEmbedder

NS = "default"
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


TRIP = [
    NewMessage("user", "I'm going to Kyoto next month with my sister.", at(0)),
    NewMessage("assistant", "Visit the Fushimi Inari shrine early in the morning, before the crowds.", at(1)),
]
OTHER = [
    NewMessage("user", "Can you suggest a vegetarian lasagna recipe?", at(10)),
    NewMessage("assistant", "Layer spinach, ricotta and tomato sauce between the sheets.", at(11)),
    NewMessage("user", "My sister prefers quiet temples to museums.", at(12)),
    NewMessage("assistant", "Then plan a few quiet temple visits.", at(13)),
]


def search(runtime: Runtime, user_id: str, text: str, recipe: str = "hybrid", top_k: int = 4) -> list[str]:
    hits = runtime.search.search(NS, SearchQuery(text, user_id, recipe=recipe, top_k=top_k, now=at(100)))
    return [hit.text for hit in hits]


def test_a_round_ranks_both_its_turns_for_evidence_split_between_them(runtime: Runtime, user_id: str) -> None:
    runtime.episodic.add_messages(NS, f"{user_id}-trip", user_id, TRIP)
    runtime.episodic.add_messages(NS, f"{user_id}-other", user_id, OTHER)
    found = search(runtime, user_id, "which shrine did you recommend for my Kyoto trip?", top_k=2)
    assert set(found) == {TRIP[0].content, TRIP[1].content}


def test_incremental_round_keys_equal_a_rebuild_from_the_store(
    settings: Settings, embedder: SentenceTransformerEmbedder, user_id: str
) -> None:
    queries = ["Kyoto shrine morning", "sister temples", "vegetarian lasagna spinach"]
    runtime = build_runtime(settings, embedder=embedder)
    try:
        # The reply arrives in a later write than its user turn: the open round is re-keyed.
        runtime.episodic.add_messages(NS, f"{user_id}-trip", user_id, TRIP[:1])
        runtime.search.search(NS, SearchQuery("warm the index", user_id))
        runtime.episodic.add_messages(NS, f"{user_id}-trip", user_id, TRIP[1:])
        runtime.episodic.add_messages(NS, f"{user_id}-other", user_id, OTHER)
        before = [search(runtime, user_id, q) for q in queries]
        runtime.indexes.save_all()
    finally:
        runtime.close()
    for folder in settings.index_dir.glob("*"):
        for file in folder.glob("*"):
            file.unlink()
    rebuilt = build_runtime(settings, embedder=embedder)
    try:
        assert [search(rebuilt, user_id, q) for q in queries] == before
    finally:
        rebuilt.close()


@pytest.fixture
def fact_runtime(settings: Settings, embedder: SentenceTransformerEmbedder) -> Iterator[Runtime]:
    runtime = build_runtime(settings.model_copy(update={"fact_keys": True}), embedder=embedder)
    yield runtime
    runtime.close()


def round_hits(runtime: Runtime, user_id: str, text: str) -> list[str]:
    """The turns of the rounds whose lexical key matches ``text``, as the next search sees them."""
    with runtime.db.read() as db:
        namespace_id = find_namespace(db, NS)
        assert namespace_id is not None
        user = find_user(db, namespace_id, user_id)
        assert user is not None
        revisions = (user.revision, semantic_repo.revision(db, user.id))
    index = runtime.indexes.get(Partition(namespace_id, user.id), *revisions)
    anchors = [anchor for anchor, _ in index.rounds.lexical.search(text, 5)]
    with runtime.db.read() as db:
        openers, replies = index.rounds.expand(anchors, None)
        episodes = episodes_by_pk(db, openers + replies)
    return [episode.content for episode in episodes.values()]


def test_facts_join_the_key_of_the_round_they_came_from_and_leave_it(fact_runtime: Runtime, user_id: str) -> None:
    assert fact_runtime.semantic is not None
    (puppy,) = fact_runtime.episodic.add_messages(
        NS, f"{user_id}-pet", user_id, [NewMessage("user", "We got a puppy!", at(0))]
    )
    fact_runtime.episodic.add_messages(NS, f"{user_id}-other", user_id, OTHER)
    assert round_hits(fact_runtime, user_id, "Biscuit the beagle") == []

    memory = fact_runtime.semantic.add(NS, user_id, "User owns a beagle named Biscuit.")
    with fact_runtime.db.write() as db:
        row = db.get(MemoryRow, parse_memory_id(memory.id))
        assert row is not None
        row.source_episode_ids = [puppy.id]
        semantic_repo.bump_revision(db, row.user_id)
    assert round_hits(fact_runtime, user_id, "Biscuit the beagle") == [puppy.content]

    fact_runtime.semantic.delete(NS, memory.id)
    assert round_hits(fact_runtime, user_id, "Biscuit the beagle") == []
