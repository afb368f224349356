"""/v1/memories over HTTP: CRUD with versions and history, errors, deletion, fused search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from memory_service.runtime import Runtime
from memory_service.store.tables import ExtractionTaskRow, MemoryHistoryRow, MemoryRow
from tests.layers.semantic.conftest import wait_for_extraction


def count(table: Any, condition: Any) -> Any:
    return select(func.count()).select_from(table).where(condition)


def add(client: TestClient, user_id: str, text: str, **extra: Any) -> dict[str, Any]:
    created = client.post("/v1/memories", json={"user_id": user_id, "text": text, **extra})
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


def search(client: TestClient, user_id: str, query: str, **extra: Any) -> list[dict[str, Any]]:
    found = client.post("/v1/search", json={"query": query, "user_id": user_id, **extra})
    assert found.status_code == 200, found.text
    results: list[dict[str, Any]] = found.json()["results"]
    return results


def test_add_read_edit_delete_with_history(client: TestClient, user_id: str) -> None:
    memory = add(client, user_id, "User is vegetarian.", valid_at="2024-03-01T00:00:00Z", metadata={"by": "me"})
    assert memory["id"].startswith("mem_") and (memory["status"], memory["version"]) == ("active", 1)
    assert memory["valid_at"] == "2024-03-01T00:00:00Z" and memory["invalid_at"] is None
    assert memory["metadata"] == {"by": "me"} and memory["provenance"] == []
    read = client.get(f"/v1/memories/{memory['id']}").json()
    assert read["text"] == "User is vegetarian." and read["accesses"] == 1

    edited = client.patch(f"/v1/memories/{memory['id']}", json={"text": "User is vegan."})
    assert edited.status_code == 200 and (edited.json()["text"], edited.json()["version"]) == ("User is vegan.", 2)
    ended = client.patch(f"/v1/memories/{memory['id']}", json={"invalid_at": "2024-09-01T00:00:00Z"}).json()
    assert (ended["status"], ended["version"], ended["invalid_at"]) == ("invalid", 3, "2024-09-01T00:00:00Z")
    assert client.get("/v1/memories", params={"user_id": user_id}).json()["items"] == []
    listed = client.get("/v1/memories", params={"user_id": user_id, "include_invalid": True}).json()["items"]
    assert [m["id"] for m in listed] == [memory["id"]]

    deleted = client.delete(f"/v1/memories/{memory['id']}")
    assert deleted.status_code == 200 and deleted.json()["status"] == "deleted"
    assert client.get(f"/v1/memories/{memory['id']}").status_code == 404
    assert client.delete(f"/v1/memories/{memory['id']}").status_code == 404
    assert client.get("/v1/memories", params={"user_id": user_id, "include_invalid": True}).json()["items"] == []

    history = client.get(f"/v1/memories/{memory['id']}/history").json()["items"]
    assert [(h["event"], h["version"], h["actor"]) for h in history] == [
        ("ADD", 1, "api"),
        ("UPDATE", 2, "api"),
        ("UPDATE", 3, "api"),
        ("DELETE", 4, "api"),
    ]
    assert (history[1]["old_text"], history[1]["new_text"]) == ("User is vegetarian.", "User is vegan.")
    assert history[2]["details"]["changed"]["invalid_at"]["new"] == "2024-09-01T00:00:00+00:00"


def test_listing_pages(client: TestClient, user_id: str) -> None:
    ids = [add(client, user_id, f"User fact number {n}.")["id"] for n in range(3)]
    first = client.get("/v1/memories", params={"user_id": user_id, "limit": 2}).json()
    assert [m["id"] for m in first["items"]] == ids[:2] and first["next_cursor"]
    rest = client.get("/v1/memories", params={"user_id": user_id, "cursor": first["next_cursor"]}).json()
    assert [m["id"] for m in rest["items"]] == ids[2:] and rest["next_cursor"] is None


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/v1/memories/mem_999999", None),
        ("get", "/v1/memories/not-an-id", None),
        ("patch", "/v1/memories/mem_999999", {"text": "x"}),
        ("delete", "/v1/memories/mem_999999", None),
        ("get", "/v1/memories/mem_999999/history", None),
    ],
)
def test_unknown_memories_are_404(client: TestClient, method: str, path: str, body: Any) -> None:
    answer = client.request(method, path, json=body)
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"


def test_bad_bodies_are_422_and_write_nothing(client: TestClient, user_id: str) -> None:
    for body in [
        {"user_id": user_id},
        {"user_id": user_id, "text": ""},
        {"user_id": user_id, "text": "   "},
        {"user_id": user_id, "text": "x", "valid_at": "2024-01-01T00:00:00"},
        {"user_id": user_id, "text": "x", "colour": "red"},
        {"user_id": "bad user", "text": "x"},
    ]:
        answer = client.post("/v1/memories", json=body)
        assert answer.status_code == 422, body
        assert "error" in answer.json()
    memory = add(client, user_id, "User plays chess.", valid_at="2024-05-01T00:00:00Z")
    for patch in [{}, {"text": None}, {"invalid_at": "2024-01-01T00:00:00Z"}, {"version": 9}]:
        answer = client.patch(f"/v1/memories/{memory['id']}", json=patch)
        assert answer.status_code == 422, patch
    assert client.get(f"/v1/memories/{memory['id']}").json()["version"] == 1
    assert client.get("/v1/memories", params={"user_id": user_id, "limit": 0}).status_code == 422


def test_semantic_hits_fuse_with_episodic_ones_and_deleted_never_return(client: TestClient, user_id: str) -> None:
    episode = client.post(
        f"/v1/sessions/{user_id}-s/messages",
        json={
            "user_id": user_id,
            "infer": True,
            "messages": [
                {"role": "user", "content": "I moved to Lisbon in 2024.", "occurred_at": "2024-02-01T09:00:00Z"},
                {
                    "role": "user",
                    "content": "The weather was great this weekend.",
                    "occurred_at": "2024-02-03T09:00:00Z",
                },
            ],
        },
    ).json()["ids"]
    wait_for_extraction(client, user_id)
    note = add(client, user_id, "User's favourite city is Lisbon.")

    both = search(client, user_id, "Where does the user live?", layers=["episodic", "semantic"], top_k=10)
    layers = {r["layer"] for r in both}
    assert layers == {"episodic", "semantic"}
    assert all(a["score"] >= b["score"] for a, b in zip(both, both[1:], strict=False))
    learned = next(r for r in both if r["layer"] == "semantic" and r["provenance"])
    assert learned["provenance"] == [episode[0]] and "Lisbon" in learned["text"]
    assert learned["metadata"]["version"] == 1 and learned["metadata"]["status"] == "active"
    assert learned["valid_at"].startswith("2024-") and learned["invalid_at"] is None

    only = search(client, user_id, "Lisbon", layers=["semantic"])
    assert {r["layer"] for r in only} == {"semantic"} and note["id"] in [r["id"] for r in only]
    assert client.delete(f"/v1/memories/{note['id']}").status_code == 200
    for layers_asked in (["semantic"], ["episodic", "semantic"]):
        assert note["id"] not in [
            r["id"] for r in search(client, user_id, "favourite city Lisbon", layers=layers_asked)
        ]
    assert note["id"] not in [m["id"] for m in client.get("/v1/memories", params={"user_id": user_id}).json()["items"]]
    # The infer=true turns also fed the graph layer, which answers on its own.
    graph_hits = search(client, user_id, "Where does the user live?", layers=["graph"])
    assert graph_hits and {r["layer"] for r in graph_hits} == {"graph"} and "Lisbon" in graph_hits[0]["text"]


def test_semantic_as_of_sees_memory_as_it_stood_then(client: TestClient, user_id: str) -> None:
    old = add(client, user_id, "User works at Acme.", valid_at="2023-01-01T00:00:00Z")
    client.patch(f"/v1/memories/{old['id']}", json={"invalid_at": "2024-01-01T00:00:00Z"})
    new = add(client, user_id, "User works at Globex.", valid_at="2024-01-01T00:00:00Z")
    asked = "where does the user work"
    now = [r["id"] for r in search(client, user_id, asked, layers=["semantic"])]
    later = datetime.now(UTC) + timedelta(seconds=1)
    current = search(client, user_id, asked, layers=["semantic"], as_of=later.isoformat())
    assert now == [r["id"] for r in current] == [new["id"]]
    # Added by a person today: at a moment in 2023 the service knew neither, whatever their validity.
    assert search(client, user_id, asked, layers=["semantic"], as_of="2023-06-01T00:00:00Z") == []


def test_deleting_the_user_removes_memories_history_and_tasks(
    client: TestClient, runtime: Runtime, user_id: str
) -> None:
    client.post(
        f"/v1/sessions/{user_id}-s/messages",
        json={"user_id": user_id, "infer": True, "messages": [{"role": "user", "content": "I live in Oslo."}]},
    )
    wait_for_extraction(client, user_id)
    memory = add(client, user_id, "User likes skiing.")
    with runtime.db.read() as db:
        user_pk = db.scalar(select(MemoryRow.user_id).where(MemoryRow.id == int(memory["id"].removeprefix("mem_"))))
        pks = list(db.scalars(select(MemoryRow.id).where(MemoryRow.user_id == user_pk)))
        assert len(pks) == 2 and db.scalar(count(MemoryHistoryRow, MemoryHistoryRow.memory_id.in_(pks))) == 2
        assert db.scalar(count(ExtractionTaskRow, ExtractionTaskRow.user_id == user_pk)) == 1
    assert client.delete(f"/v1/users/{user_id}").status_code == 200
    assert client.get(f"/v1/memories/{memory['id']}").status_code == 404
    assert client.get(f"/v1/memories/{memory['id']}/history").status_code == 404
    with runtime.db.read() as db:
        assert db.scalar(count(MemoryRow, MemoryRow.user_id == user_pk)) == 0
        assert db.scalar(count(MemoryHistoryRow, MemoryHistoryRow.memory_id.in_(pks))) == 0
        assert db.scalar(count(ExtractionTaskRow, ExtractionTaskRow.user_id == user_pk)) == 0
    assert search(client, user_id, "skiing", layers=["semantic"]) == []
