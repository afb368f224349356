"""GraphService without HTTP: replays, the cache across processes, and a graph view read by a model."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from agents.extraction import EpisodeText
from agents.statements import GraphView, LLMStatementExtractor, RuleStatementExtractor, graph_view
from memory_service.domain import NewMessage, SearchQuery
from memory_service.errors import InvalidInputError
from memory_service.layers.cache import PartitionCache
from memory_service.layers.temporal.service import GraphService
from memory_service.runtime import Runtime
from memory_service.store import partitions as partition_store
from memory_service.store.tables import GraphEntityRow, GraphRelationRow
from tests.layers.temporal.conftest import CONVERSATION

NS = "default"


def episodes_of(runtime: Runtime, user_id: str) -> tuple[int, list[EpisodeText]]:
    """Stores the conversation (without inference) and returns the user's key and the turns."""
    texts = []
    for n, (at, text) in enumerate(CONVERSATION):
        when = datetime.fromisoformat(at)
        (episode,) = runtime.episodic.add_messages(NS, f"{user_id}-s{n}", user_id, [NewMessage("user", text, when)])
        texts.append(EpisodeText(episode.id, "user", text, when, episode.session_id))
    with runtime.db.read() as db:
        user = partition_store.find_user(db, partition_store.find_namespace(db, NS) or -1, user_id)
        assert user is not None
        return user.id, texts


def read(episodes: list[EpisodeText]) -> GraphView:
    """The graph view of the offline reading of ``episodes``."""
    return graph_view(RuleStatementExtractor().extract(episodes))


def row_counts(runtime: Runtime, user_pk: int) -> tuple[int, int]:
    with runtime.db.read() as db:
        entities = db.scalar(select(func.count()).select_from(GraphEntityRow).where(GraphEntityRow.user_id == user_pk))
        relations = db.scalar(
            select(func.count()).select_from(GraphRelationRow).where(GraphRelationRow.user_id == user_pk)
        )
    return entities or 0, relations or 0


def test_replaying_the_episodes_changes_nothing(runtime: Runtime, user_id: str) -> None:
    user_pk, episodes = episodes_of(runtime, user_id)
    for episode in episodes:
        runtime.graph.ingest(user_pk, read([episode]))
    before = runtime.graph.edges(NS, user_id, include_past=True)
    counts = row_counts(runtime, user_pk)
    for episode in episodes:
        replay = runtime.graph.ingest(user_pk, read([episode]))
        assert (replay.entities_created, replay.relations_added, replay.relations_invalidated) == (0, 0, 0)
    assert row_counts(runtime, user_pk) == counts
    assert runtime.graph.edges(NS, user_id, include_past=True) == before


def test_a_graph_written_elsewhere_is_seen_at_once(runtime: Runtime, user_id: str) -> None:
    """Two services on one store stand for two processes: the revision counter keeps caches honest."""
    user_pk, episodes = episodes_of(runtime, user_id)
    runtime.graph.ingest(user_pk, read(episodes[:1]))
    assert {e.target for e in runtime.graph.edges(NS, user_id).items} >= {"Acme Corp", "Lisbon"}
    other = GraphService(runtime.db, runtime.embedder, partitions=PartitionCache())
    other.ingest(user_pk, read(episodes[1:3]))
    targets = {e.target for e in runtime.graph.edges(NS, user_id).items if e.predicate != "sister_of"}
    assert targets == {"Globex", "Berlin"}
    hits = runtime.search.search(
        NS, SearchQuery("where do I work now?", user_id, layers=("graph",), now=datetime(2024, 8, 1, tzinfo=UTC))
    )
    assert hits[0].layer == "graph" and hits[0].metadata["target"] == "Globex"
    assert hits[0].provenance == (episodes[1].id,)


def test_a_model_read_grows_the_graph(runtime: Runtime, user_id: str) -> None:
    user_pk, episodes = episodes_of(runtime, user_id)
    statement = {
        "subject": "user",
        "attribute": "employer",
        "statement": "User works at Initech.",
        "kind": "profile",
        "value": "Initech",
        "value_type": "organization",
        "predicate": "works_at",
        "source_ids": [episodes[0].id],
    }
    model = LLMStatementExtractor("gpt-4o-mini", mock_response=json.dumps({"statements": [statement]}))
    runtime.graph.ingest(user_pk, graph_view(model.extract(episodes[:1])))
    (edge,) = runtime.graph.edges(NS, user_id).items
    assert (edge.predicate, edge.target) == ("works_at", "Initech")


def test_an_empty_view_writes_nothing(runtime: Runtime, user_id: str) -> None:
    user_pk, _ = episodes_of(runtime, user_id)
    changes = runtime.graph.ingest(user_pk, GraphView())
    assert (changes.entities_created, changes.relations_added) == (0, 0)
    assert row_counts(runtime, user_pk) == (0, 0)


@pytest.mark.parametrize("hops", [0, 4])
def test_hops_out_of_range_are_refused_by_the_service(runtime: Runtime, user_id: str, hops: int) -> None:
    user_pk, episodes = episodes_of(runtime, user_id)
    runtime.graph.ingest(user_pk, read(episodes[:1]))
    entity = runtime.graph.list_entities(NS, user_id).items[0]
    with pytest.raises(InvalidInputError, match="hops"):
        runtime.graph.neighbors(NS, entity.id, hops=hops)
