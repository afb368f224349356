"""Forgetting a conversation or one message takes with it what was learned only from it.

The user says where they live in one session and repeats it, with their employer, in another.
Forgetting the first keeps the home (the second still says it) with only the second as its
source; forgetting the second takes the home and the employer out of every layer, every index
and every table. Run through the in-process, blocking (real uvicorn) and async clients, on
SQLite and PostgreSQL; another namespace's key can forget nothing.
"""

# ruff: noqa: F811 - the shared client fixtures are imported by name, and tests take them by name
from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import or_, select

from memory_service.api.app import create_app
from memory_service.errors import NotFoundError
from memory_service.runtime import Runtime
from memory_service.store import partitions as partition_store
from memory_service.store.tables import (
    EpisodeRow,
    GraphEntityRow,
    GraphRelationRow,
    MemoryHistoryRow,
    MemoryRow,
)
from tests.api.test_auth import keyed, make_key  # noqa: F401 - fixtures
from tests.sdk.fixtures import Client, app, call, client, live_server  # noqa: F401 - fixtures

HOME = "I live in Porto."
HOME_AND_WORK = "I live in Porto and I work at Siemens."
LAYERS = ["episodic", "semantic", "graph"]


async def say(client: Client, session_id: str, user_id: str, text: str) -> list[str]:
    created = await call(client.add_messages(session_id, user_id, [{"role": "user", "content": text}], infer=True))
    return list(created.ids)


async def settle(client: Client, user_id: str) -> None:
    deadline = time.monotonic() + 60
    while not (await call(client.extraction_status(user_id))).idle:
        assert time.monotonic() < deadline, "extraction did not finish"
        time.sleep(0.05)


async def memories(client: Client, user_id: str) -> list[Any]:
    return list((await call(client.list_memories(user_id, include_invalid=True))).items)


async def edges(client: Client, user_id: str) -> list[Any]:
    return list((await call(client.list_edges(user_id, include_past=True))).items)


async def found(client: Client, user_id: str, query: str) -> list[Any]:
    return list((await call(client.search(query, user_id, layers=LAYERS, top_k=50))).results)


def stored_texts(runtime: Runtime, user_id: str) -> list[str]:
    """Every text the store holds of the user: messages, memories and their history, the graph."""
    with runtime.db.read() as db:
        user = partition_store.find_named_user(db, "default", user_id)
        assert user is not None
        texts = list(db.scalars(select(EpisodeRow.content).where(EpisodeRow.user_id == user.id)))
        texts += db.scalars(select(MemoryRow.text).where(MemoryRow.user_id == user.id))
        history = db.execute(
            select(MemoryHistoryRow.old_text, MemoryHistoryRow.new_text)
            .join(MemoryRow, MemoryRow.id == MemoryHistoryRow.memory_id)
            .where(
                MemoryRow.user_id == user.id,
                or_(MemoryHistoryRow.old_text.isnot(None), MemoryHistoryRow.new_text.isnot(None)),
            )
        ).all()
        texts += [text for row in history for text in row if text]
        texts += db.scalars(select(GraphRelationRow.fact).where(GraphRelationRow.user_id == user.id))
        texts += db.scalars(select(GraphEntityRow.name).where(GraphEntityRow.user_id == user.id))
    return texts


async def test_forgetting_sessions_takes_what_only_they_said_out_of_every_layer(
    client: Client, runtime: Runtime, user_id: str
) -> None:
    first = await say(client, f"{user_id}-a", user_id, HOME)
    second = await say(client, f"{user_id}-b", user_id, HOME_AND_WORK)
    await settle(client, user_id)
    home = [m for m in await memories(client, user_id) if "Porto" in m.text]
    assert home and set(first) <= set(home[0].provenance) and set(second) <= set(home[0].provenance)

    forgotten = await call(client.delete_session(f"{user_id}-a"))
    assert (forgotten.session_id, forgotten.episode_ids, forgotten.deleted_episodes) == (f"{user_id}-a", first, 1)
    assert forgotten.deleted_memories == 0 and forgotten.pruned_memories >= 1
    # Both sessions said where the user lives: the relation stays, citing only the second.
    assert forgotten.deleted_relations == 0 and forgotten.pruned_relations >= 1
    kept = {m.id: m for m in await memories(client, user_id)}
    assert kept[home[0].id].provenance == second
    changes = (await call(client.memory_history(home[0].id))).items
    assert changes[-1].event == "UPDATE" and changes[-1].actor == "api" and changes[-1].provenance == first
    left = await edges(client, user_id)
    assert left and all(list(edge.provenance) == second for edge in left)
    assert {edge.target for edge in left} >= {"Porto", "Siemens"}
    hits = await found(client, user_id, HOME)
    assert hits and not any(set(first) & set(hit.provenance) or hit.text == HOME for hit in hits)
    with pytest.raises(NotFoundError):
        await call(client.get_session(f"{user_id}-a"))
    with pytest.raises(NotFoundError):
        await call(client.delete_episode(first[0]))

    forgotten = await call(client.delete_session(f"{user_id}-b"))
    assert forgotten.deleted_episodes == 1 and forgotten.deleted_memories >= 2 and forgotten.deleted_relations >= 1
    assert forgotten.pruned_memories == 0 and forgotten.pruned_relations == 0
    assert [m.text for m in await memories(client, user_id)] == []
    assert [edge.fact for edge in await edges(client, user_id)] == []
    for query in ("where does the user live and work?", "Porto", "Siemens"):
        assert [hit.text for hit in await found(client, user_id, query)] == [], query
    with pytest.raises(NotFoundError):
        await call(client.delete_episode(second[0]))
    assert [t for t in stored_texts(runtime, user_id) if "Porto" in t or "Siemens" in t] == []


async def test_forgetting_one_message_keeps_the_rest_of_its_session(
    client: Client, runtime: Runtime, user_id: str
) -> None:
    session = f"{user_id}-s"
    ids = await say(client, session, user_id, HOME_AND_WORK)
    ids += await say(client, session, user_id, "I am vegetarian.")
    await settle(client, user_id)
    forgotten = await call(client.delete_episode(ids[0]))
    assert forgotten.episode_ids == [ids[0]] and forgotten.deleted_memories >= 2 and forgotten.deleted_relations >= 1
    left = await call(client.get_session(session))
    assert left.message_count == 1
    texts = [m.text for m in await memories(client, user_id)]
    assert texts and not any("Porto" in t or "Siemens" in t for t in texts)
    assert [hit.text for hit in await found(client, user_id, "Porto Siemens") if "Porto" in hit.text] == []
    # The session takes new messages after the gap the forgotten one left.
    more = await say(client, session, user_id, "I have a cat.")
    assert (await call(client.get_session(session))).message_count == 2 and more
    with pytest.raises(NotFoundError):
        await call(client.delete_episode(ids[0]))


@pytest.fixture
def http_client(keyed: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=keyed)) as test_client:
        yield test_client


def test_another_namespace_can_forget_nothing(keyed: Runtime, http_client: TestClient) -> None:
    a = make_key(keyed, "team-a", ["read", "write"])
    b = make_key(keyed, "team-b", ["read", "write"])
    body = {"user_id": "ana", "infer": True, "messages": [{"role": "user", "content": HOME_AND_WORK}]}
    sent = http_client.post("/v1/sessions/home/messages", json=body, headers=a)
    assert sent.status_code == 201, sent.text
    deadline = time.monotonic() + 60
    while not http_client.get("/v1/users/ana/extraction", headers=a).json()["idle"]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    before = http_client.get("/v1/memories", params={"user_id": "ana"}, headers=a).json()["items"]
    for path in ("/v1/sessions/home", f"/v1/episodes/{sent.json()['ids'][0]}", "/v1/episodes/not-an-episode"):
        answer = http_client.delete(path, headers=b)
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found", answer.text
        assert "Porto" not in answer.text
    reader = make_key(keyed, "team-a", ["read"])
    assert http_client.delete("/v1/sessions/home", headers=reader).status_code == 403
    assert http_client.get("/v1/memories", params={"user_id": "ana"}, headers=a).json()["items"] == before
    assert http_client.get("/v1/sessions/home", headers=a).json()["message_count"] == 1
    gone = http_client.delete("/v1/sessions/home", headers=a)
    assert gone.status_code == 200 and gone.json()["deleted_episodes"] == 1, gone.text
