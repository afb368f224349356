"""The temporal graph through the running service: infer=true writes, graph endpoints, search, forgetting."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from memory_service.runtime import Runtime
from memory_service.store.tables import GraphEntityRow, GraphRelationRow, GraphRevisionRow, UserRow
from tests.layers.temporal.conftest import get_json, post_conversation


def edges(client: TestClient, user_id: str, **params: Any) -> set[tuple[str, str, str]]:
    page = get_json(client, "/v1/graph/edges", user_id=user_id, **params)
    return {(e["source"], e["predicate"], e["target"]) for e in page["items"] if e["predicate"] != "sister_of"}


def jobs_and_homes(client: TestClient, user_id: str, **params: Any) -> set[tuple[str, str]]:
    found = edges(client, user_id, **params)
    return {(p, t) for s, p, t in found if s == "user" and p in ("works_at", "lives_in")}


def test_a_conversation_becomes_a_temporal_graph(client: TestClient, runtime: Runtime, user_id: str) -> None:
    episodes = post_conversation(client, user_id)

    entities = get_json(client, "/v1/graph/entities", user_id=user_id)["items"]
    names = [e["name"] for e in entities]
    assert names.count("Ana") == 1  # "my sister Ana" and later "Ana" are one node
    assert {"user", "Acme Corp", "Globex", "Lisbon", "Berlin", "Ana"} <= set(names)
    assert len(entities) == 7

    assert jobs_and_homes(client, user_id) == {("works_at", "Globex"), ("lives_in", "Berlin")}
    history = get_json(client, "/v1/graph/edges", user_id=user_id, include_past=True)["items"]
    past = {e["target"]: e for e in history if not e["current"]}
    assert set(past) == {"Acme Corp", "Lisbon"}
    assert past["Acme Corp"]["invalid_at"] == "2024-03-04T00:00:00Z"  # "last week" said on 15 March
    assert past["Acme Corp"]["expired_at"] == "2024-03-15T12:00:00Z"  # learned then
    globex = next(e for e in history if e["target"] == "Globex")
    assert globex["provenance"] == [episodes[1]] and globex["valid_at"] == "2024-03-04T00:00:00Z"

    # Three points in time: before the job change, between it and the move, after the move.
    assert jobs_and_homes(client, user_id, as_of="2024-02-01T00:00:00Z") == {
        ("works_at", "Acme Corp"),
        ("lives_in", "Lisbon"),
    }
    assert jobs_and_homes(client, user_id, as_of="2024-04-01T00:00:00Z") == {
        ("works_at", "Globex"),
        ("lives_in", "Lisbon"),
    }
    assert jobs_and_homes(client, user_id, as_of="2024-07-01T00:00:00+02:00") == {
        ("works_at", "Globex"),
        ("lives_in", "Berlin"),
    }
    # What the service knew on 10 March: the new job had begun, but it had not been told yet.
    assert ("works_at", "Acme Corp") in jobs_and_homes(client, user_id, as_of="2024-03-10T00:00:00Z", by="known")
    assert ("works_at", "Globex") in jobs_and_homes(client, user_id, as_of="2024-03-10T00:00:00Z", by="valid")

    ana = next(e for e in entities if e["name"] == "Ana")
    detail = get_json(client, f"/v1/graph/entities/{ana['id']}")
    assert detail["type"] == "person"
    sister = [r for r in detail["relations"] if r["predicate"] == "sister_of"]
    assert len(sister) == 1 and sister[0]["provenance"] == [episodes[0], episodes[3]]
    near = get_json(client, f"/v1/graph/entities/{ana['id']}/neighbors", hops=2)
    assert near["entity_id"] == ana["id"]
    distances = {n["entity"]["name"]: n["distance"] for n in near["items"]}
    assert distances["user"] == 1 and distances["Berlin"] == 2 and "Lisbon" not in distances
    back_then = get_json(client, f"/v1/graph/entities/{ana['id']}/neighbors", hops=2, as_of="2024-02-01T00:00:00Z")
    assert "Lisbon" in {n["entity"]["name"] for n in back_then["items"]}

    found = client.post(
        "/v1/search",
        json={"query": "where do I work now?", "user_id": user_id, "layers": ["graph"], "now": "2024-08-01T00:00:00Z"},
    )
    assert found.status_code == 200, found.text
    first = found.json()["results"][0]
    assert first["layer"] == "graph" and first["id"].startswith("rel_")
    assert (first["metadata"]["predicate"], first["metadata"]["target"]) == ("works_at", "Globex")
    assert first["metadata"]["source"] == "user" and first["metadata"]["current"] is True
    assert first["provenance"] == [episodes[1]] and first["valid_at"] == "2024-03-04T00:00:00Z"
    assert first["invalid_at"] is None

    # Forgetting the user removes every node, edge and counter of the graph (the database may
    # hold other tests' users, so count this user's rows).
    with runtime.db.read() as db:
        user_pk = db.scalar(select(UserRow.id).where(UserRow.external_id == user_id))
    assert client.delete(f"/v1/users/{user_id}").status_code == 200
    with runtime.db.read() as db:
        for table in (GraphEntityRow, GraphRelationRow, GraphRevisionRow):
            remaining = select(func.count()).select_from(table).where(table.user_id == user_pk)
            assert db.scalar(remaining) == 0, table.__tablename__
    assert get_json(client, "/v1/graph/entities", user_id=user_id) == {"items": [], "next_cursor": None}
    assert client.get(f"/v1/graph/entities/{ana['id']}").status_code == 404


def test_pages_and_errors(client: TestClient, user_id: str) -> None:
    post_conversation(client, user_id)
    every = get_json(client, "/v1/graph/entities", user_id=user_id)["items"]
    first = get_json(client, "/v1/graph/entities", user_id=user_id, limit=4)
    rest = get_json(client, "/v1/graph/entities", user_id=user_id, limit=4, cursor=first["next_cursor"])
    assert first["items"] + rest["items"] == every and rest["next_cursor"] is None
    all_edges = get_json(client, "/v1/graph/edges", user_id=user_id, include_past=True)["items"]
    one = get_json(client, "/v1/graph/edges", user_id=user_id, include_past=True, limit=1)
    two = get_json(client, "/v1/graph/edges", user_id=user_id, include_past=True, limit=1, cursor=one["next_cursor"])
    assert one["items"] + two["items"] == all_edges[:2]
    assert get_json(client, "/v1/graph/edges", user_id="nobody-here") == {"items": [], "next_cursor": None}

    entity = every[0]["id"]
    unknown = ("/v1/graph/entities/ent_999999_1", "/v1/graph/entities/nonsense", "/v1/graph/entities/ent_1_x/neighbors")
    for path in unknown:
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    missing_node = entity.rsplit("_", 1)[0] + "_999999"
    assert client.get(f"/v1/graph/entities/{missing_node}/neighbors").status_code == 404

    for path, params in [
        (f"/v1/graph/entities/{entity}/neighbors", {"hops": 0}),
        (f"/v1/graph/entities/{entity}/neighbors", {"hops": 9}),
        (f"/v1/graph/entities/{entity}/neighbors", {"by": "sideways"}),
        (f"/v1/graph/entities/{entity}/neighbors", {"as_of": "2024-01-01T00:00:00"}),
        ("/v1/graph/edges", {"user_id": user_id, "as_of": "yesterday"}),
        ("/v1/graph/edges", {"user_id": user_id, "limit": 0}),
        ("/v1/graph/edges", {"user_id": user_id, "cursor": "not-a-cursor"}),
        ("/v1/graph/edges", {}),
        ("/v1/graph/entities", {"user_id": "bad id!"}),
    ]:
        response = client.get(path, params=params)
        assert response.status_code == 422, (path, params, response.text)
        assert response.json()["error"]["message"]


@pytest.mark.parametrize("layers", [["graph"], ["episodic", "semantic", "graph"]])
def test_graph_layer_in_search(client: TestClient, user_id: str, layers: list[str]) -> None:
    post_conversation(client, user_id)
    body = {"query": "where do I live now?", "user_id": user_id, "layers": layers, "now": "2024-08-01T00:00:00Z"}
    results = client.post("/v1/search", json=body).json()["results"]
    graph_hits = [r for r in results if r["layer"] == "graph"]
    assert graph_hits and graph_hits[0]["metadata"]["target"] == "Berlin"
    assert {r["layer"] for r in results} == set(layers)
