"""Public schemas read from the domain values: every field, in the order the API has always sent.

The schemas copy fields by attribute name, so a renamed or reordered domain field would change
the JSON silently; these tests pin each schema's keys, in order, and the fields whose public
name differs from the domain's.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

import pytest
from pydantic import BaseModel

from memory_service.domain import Episode, Page, SearchHit, SessionSummary, UserDeletion
from memory_service.layers.semantic.domain import ExtractionCounts, Memory, MemoryChange
from memory_service.layers.temporal.domain import GraphEdge, GraphEntity, GraphEntityDetail, GraphNeighbor
from memory_service.schemas import (
    EpisodePublic,
    EpisodesPage,
    ExtractionStatus,
    GraphEdgePublic,
    GraphEntityDetailPublic,
    GraphEntityPublic,
    GraphNeighborsResponse,
    MemoryChangePublic,
    MemoryHistory,
    MemoryPublic,
    MessagesCreated,
    SearchResponse,
    SearchResult,
    SessionPublic,
    UserDeleted,
)

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=1)

EPISODE = Episode(7, "s-1", "u-1", "planner", "user", "hi", 3, T0, T1, MappingProxyType({"k": [1, 2]}))
SESSION = SessionSummary("s-1", "u-1", None, T0, 3, T0, T1)
HIT = SearchHit("ep_7", "episodic", "hi", 0.5, "s-1", "user", T0, T0, T1, ("ep_7",), {"a": 1}, "session", (EPISODE,))
MEMORY = Memory(
    pk=5,
    user_id="u-1",
    subject="user",
    attribute="diet",
    text="User is vegetarian.",
    kind="preference",
    status="active",
    valid_at=T0,
    invalid_at=None,
    created_at=T0,
    updated_at=T1,
    version=2,
    confidence=0.9,
    importance=0.4,
    reinforcements=3,
    last_reinforced_at=T0,
    accesses=4,
    last_accessed_at=T1,
    provenance=("ep_1",),
    metadata={"m": 1},
    lineage_pk=5,
)
CHANGE = MemoryChange(1, 5, 2, "UPDATE", "old", "new", "api", ("ep_1", "ep_2"), T0, {"d": 1})
COUNTS = ExtractionCounts("u-1", 1, 2, 3, 4)
ENTITY = GraphEntity("ent_1_2", "Ana", "person", "A cellist.", ("Annie",))
EDGE = GraphEdge(
    "rel_1_3",
    "ent_1_2",
    "Ana",
    "works_at",
    "ent_1_4",
    "Acme",
    "Ana works at Acme.",
    T0,
    None,
    T1,
    None,
    ("ep_1",),
    True,
)

EPISODE_KEYS = "id session_id user_id agent_id role content position occurred_at created_at metadata"
EDGE_KEYS = (
    "id source_id source predicate target_id target fact valid_at invalid_at created_at expired_at provenance current"
)
ENTITY_KEYS = "id name type summary aliases"

CASES: list[tuple[type[BaseModel], object, str]] = [
    (EpisodePublic, EPISODE, EPISODE_KEYS),
    (SessionPublic, SESSION, "id user_id agent_id created_at message_count first_occurred_at last_occurred_at"),
    (
        SearchResult,
        HIT,
        "id layer text score session_id role occurred_at valid_at invalid_at provenance metadata granularity context",
    ),
    (
        MemoryPublic,
        MEMORY,
        "id user_id text subject attribute kind status valid_at invalid_at version provenance confidence importance "
        "reinforcements last_reinforced_at accesses last_accessed_at created_at updated_at metadata",
    ),
    (MemoryChangePublic, CHANGE, "memory_id version event old_text new_text actor provenance at details"),
    (ExtractionStatus, COUNTS, "user_id pending running done failed idle"),
    (GraphEntityPublic, ENTITY, ENTITY_KEYS),
    (GraphEdgePublic, EDGE, EDGE_KEYS),
    (UserDeleted, UserDeletion("u-1", 2, 5), "user_id deleted_sessions deleted_episodes"),
]


def dumped(model: BaseModel) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(model.model_dump_json())
    return loaded


@pytest.mark.parametrize(("schema", "value", "keys"), CASES, ids=[case[0].__name__ for case in CASES])
def test_public_schemas_send_every_field_in_order(schema: type[BaseModel], value: object, keys: str) -> None:
    body = dumped(schema.from_domain(value))  # type: ignore[attr-defined]
    assert list(body) == keys.split()


def test_fields_named_otherwise_in_the_domain_carry_the_domain_values() -> None:
    assert dumped(SessionPublic.from_domain(SESSION))["id"] == "s-1"
    deleted = dumped(UserDeleted.from_domain(UserDeletion("u-1", 2, 5)))
    assert (deleted["deleted_sessions"], deleted["deleted_episodes"]) == (2, 5)
    assert dumped(MemoryChangePublic.from_domain(CHANGE))["provenance"] == ["ep_1", "ep_2"]
    assert dumped(MemoryChangePublic.from_domain(CHANGE))["memory_id"] == "mem_5"
    assert dumped(ExtractionStatus.from_domain(COUNTS))["idle"] is False
    episode = dumped(EpisodePublic.from_domain(EPISODE))
    assert (episode["id"], episode["metadata"], episode["occurred_at"]) == (
        "ep_7",
        {"k": [1, 2]},
        "2024-03-01T09:00:00Z",
    )


def test_composite_schemas_nest_the_same_public_forms() -> None:
    episode = dumped(EpisodePublic.from_domain(EPISODE))
    created = dumped(MessagesCreated.from_domain("s-1", [EPISODE]))
    assert created == {"session_id": "s-1", "ids": ["ep_7"], "episodes": [episode]}
    assert dumped(EpisodesPage.from_domain(Page((EPISODE,), "next"))) == {"items": [episode], "next_cursor": "next"}
    hit = dumped(SearchResponse.from_domain([HIT]))["results"][0]
    assert hit["context"] == [episode] and hit["provenance"] == ["ep_7"]
    history = dumped(MemoryHistory.from_domain("mem_5", [CHANGE]))
    assert list(history) == ["memory_id", "items"] and history["items"] == [
        dumped(MemoryChangePublic.from_domain(CHANGE))
    ]
    detail = dumped(GraphEntityDetailPublic.from_detail(GraphEntityDetail(ENTITY, (EDGE,))))
    assert list(detail) == [*ENTITY_KEYS.split(), "relations"] and list(detail["relations"][0]) == EDGE_KEYS.split()
    neighbors = dumped(GraphNeighborsResponse.from_domain("ent_1_2", [GraphNeighbor(ENTITY, 2)]))
    assert neighbors == {
        "entity_id": "ent_1_2",
        "items": [{"entity": dumped(GraphEntityPublic.from_domain(ENTITY)), "distance": 2}],
    }
