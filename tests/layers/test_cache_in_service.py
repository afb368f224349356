"""The shared partition cache in the running service: one bound and one idle clock for all layers."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from agents.extraction import EpisodeText
from agents.statements import RuleStatementExtractor, graph_view
from memory_service.domain import Layer, NewMessage, SearchHit, SearchQuery
from memory_service.layers.cache import PartitionCache
from memory_service.runtime import Runtime, build_runtime
from memory_service.settings import Settings
from memory_service.store import partitions as partition_store
from retrieval.embedder import SentenceTransformerEmbedder

NS = "default"
NOW = datetime(2024, 8, 1, tzinfo=UTC)
SAID = datetime(2024, 1, 10, 12, tzinfo=UTC)
TEXT = "Hi! I work at Acme Corp as a designer, and I live in Lisbon."


def remember(runtime: Runtime, user: str) -> int:
    """Gives the user an episode, a semantic memory and a graph; returns the user's key."""
    (episode,) = runtime.episodic.add_messages(NS, f"{user}-s", user, [NewMessage("user", TEXT, SAID)])
    runtime.semantic.add(NS, user, "User works at Acme Corp.")
    with runtime.db.read() as db:
        found = partition_store.find_named_user(db, NS, user)
        assert found is not None
        user_pk = found.id
    said = [EpisodeText(episode.id, "user", TEXT, SAID, episode.session_id)]
    runtime.graph.ingest(user_pk, graph_view(RuleStatementExtractor().extract(said)))
    return user_pk


def search(runtime: Runtime, user: str, *layers: Layer) -> list[SearchHit]:
    query = SearchQuery("where does the user work?", user, layers=layers, now=NOW)
    return runtime.search.search(NS, query)


def partitions(runtime: Runtime) -> PartitionCache:
    return runtime.indexes.loaded.cache


def test_one_bound_holds_the_semantic_and_graph_layers_together(
    settings: Settings, user_id: str, embedder: SentenceTransformerEmbedder
) -> None:
    runtime = build_runtime(settings.model_copy(update={"max_loaded_partitions": 1}), embedder=embedder)
    a, b = remember(runtime, f"{user_id}-a"), remember(runtime, f"{user_id}-b")
    first = search(runtime, f"{user_id}-a", "semantic", "graph")
    assert {hit.layer for hit in first} == {"semantic", "graph"}
    assert partitions(runtime).loaded() == {a: ("semantic", "graph")}
    search(runtime, f"{user_id}-b", "semantic", "graph")
    assert partitions(runtime).loaded() == {b: ("semantic", "graph")}  # one partition, not one per layer
    # Across layers too: three caches bounded on their own would keep A's semantic index here.
    search(runtime, f"{user_id}-a", "semantic")
    search(runtime, f"{user_id}-b", "graph")
    assert partitions(runtime).loaded() == {b: ("graph",)}
    assert search(runtime, f"{user_id}-a", "semantic", "graph") == first  # rebuilt alike
    assert partitions(runtime).unload_idle(0) == 2 and partitions(runtime).loaded() == {}
    runtime.close()


def test_an_episodic_index_unloaded_for_another_layer_is_saved_and_reloads_from_disk(
    sqlite_settings: Settings, user_id: str, embedder: SentenceTransformerEmbedder, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = build_runtime(sqlite_settings.model_copy(update={"max_loaded_partitions": 1}), embedder=embedder)
    user, other = f"{user_id}-a", f"{user_id}-b"
    remember(runtime, user)
    remember(runtime, other)
    search(runtime, user, "episodic")
    more = [NewMessage("user", "My manager at Acme Corp is called Rui.", SAID)]
    runtime.episodic.add_messages(NS, f"{user}-s", user, more)  # grows the loaded index: changed since saved
    before = search(runtime, user, "episodic")
    search(runtime, other, "semantic")  # the semantic layer's use unloads the episodic index
    assert runtime.indexes.loaded_partitions() == 0
    caplog.set_level(logging.INFO, logger="memory_service.layers.episodic.index")
    assert search(runtime, user, "episodic") == before
    assert not [r for r in caplog.records if "rebuilding" in r.getMessage()]  # reloaded from its saved files
    runtime.close()


def test_a_store_with_a_vector_folder_embeds_nothing_another_store_embedded(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    """An evaluation's question stores come and go; their vectors stay in the folder for the next."""
    embedded: list[str] = []

    class Counting:
        name, dim = embedder.name, embedder.dim

        def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
            embedded.extend(texts)
            return embedder.embed_batch(texts)

    def store(folder: str) -> Runtime:
        settings = Settings(data_dir=tmp_path / folder, embedding_cache_dir=tmp_path / "vectors")
        return build_runtime(settings, embedder=Counting())

    first = store("question-1")
    first.episodic.add_messages(NS, "s", "u", [NewMessage("user", TEXT, SAID)])
    first.users.delete_user(NS, "u")  # the question's partition goes; its vectors stay in the folder
    first.close()
    assert embedded == [TEXT]
    second = store("question-2")
    try:
        second.episodic.add_messages(NS, "s", "u", [NewMessage("user", TEXT, SAID)])
        assert search(second, "u", "episodic")[0].text == TEXT
    finally:
        second.close()
    assert embedded.count(TEXT) == 1  # stored in the second store without being embedded again
