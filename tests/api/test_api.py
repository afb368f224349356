"""The real FastAPI app over HTTP (in-process transport): contract, errors and limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from memory_service.api.app import create_app
from memory_service.runtime import Runtime, build_runtime
from memory_service.settings import Settings
from retrieval.embedder import SentenceTransformerEmbedder


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=runtime)) as test_client:
        yield test_client


def post_messages(client: TestClient, session: str, body: dict[str, Any]) -> Any:
    return client.post(f"/v1/sessions/{session}/messages", json=body)


def snapshot(client: TestClient, user: str) -> Any:
    sessions = client.get("/v1/sessions", params={"user_id": user}).json()
    messages = [client.get(f"/v1/sessions/{s['id']}/messages").json() for s in sessions["items"]]
    return sessions, messages


def test_write_read_search_delete_round_trip(client: TestClient, user_id: str) -> None:
    created = post_messages(
        client,
        f"{user_id}-s1",
        {
            "user_id": user_id,
            "agent_id": "planner",
            "messages": [
                {"role": "user", "content": "I'm allergic to peanuts.", "occurred_at": "2024-05-01T09:30:00+02:00"},
                {"role": "assistant", "content": "Noted, I'll avoid peanut recipes.", "metadata": {"turn": 2}},
            ],
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert body["ids"] == [e["id"] for e in body["episodes"]]
    assert body["episodes"][0]["occurred_at"] == "2024-05-01T07:30:00Z"
    assert body["episodes"][1]["metadata"] == {"turn": 2}

    page = client.get(f"/v1/sessions/{user_id}-s1/messages", params={"limit": 1}).json()
    assert [e["content"] for e in page["items"]] == ["I'm allergic to peanuts."]
    second = client.get(f"/v1/sessions/{user_id}-s1/messages", params={"limit": 1, "cursor": page["next_cursor"]})
    assert second.json()["items"][0]["position"] == 2 and second.json()["next_cursor"] is None

    sessions = client.get("/v1/sessions", params={"user_id": user_id}).json()
    assert [s["id"] for s in sessions["items"]] == [f"{user_id}-s1"]
    assert client.get(f"/v1/sessions/{user_id}-s1").json()["message_count"] == 2

    results = client.post("/v1/search", json={"query": "food allergy", "user_id": user_id, "top_k": 1}).json()
    assert results["results"][0]["text"] == "I'm allergic to peanuts."
    assert results["results"][0]["layer"] == "episodic"
    assert results["results"][0]["session_id"] == f"{user_id}-s1"

    deleted = client.delete(f"/v1/users/{user_id}")
    assert deleted.status_code == 200 and deleted.json()["deleted_episodes"] == 2
    assert client.post("/v1/search", json={"query": "allergy", "user_id": user_id}).json() == {"results": []}


GOOD_MESSAGE = {"role": "user", "content": "hello"}
BAD_BODIES = [
    ("missing user_id", {"messages": [GOOD_MESSAGE]}, 422),
    ("user_id of wrong type", {"user_id": 42, "messages": [GOOD_MESSAGE]}, 422),
    ("user_id with spaces", {"user_id": "a b", "messages": [GOOD_MESSAGE]}, 422),
    ("no messages", {"user_id": "u", "messages": []}, 422),
    ("messages not a list", {"user_id": "u", "messages": "hello"}, 422),
    ("unknown role", {"user_id": "u", "messages": [{"role": "robot", "content": "x"}]}, 422),
    ("empty content", {"user_id": "u", "messages": [{"role": "user", "content": ""}]}, 422),
    ("blank content", {"user_id": "u", "messages": [GOOD_MESSAGE, {"role": "user", "content": "  "}]}, 422),
    ("naive timestamp", {"user_id": "u", "messages": [{**GOOD_MESSAGE, "occurred_at": "2024-05-01T09:30:00"}]}, 422),
    ("invalid timestamp", {"user_id": "u", "messages": [{**GOOD_MESSAGE, "occurred_at": "yesterday"}]}, 422),
    ("unknown field", {"user_id": "u", "messages": [GOOD_MESSAGE], "priority": 1}, 422),
    ("metadata not an object", {"user_id": "u", "messages": [{**GOOD_MESSAGE, "metadata": [1]}]}, 422),
]


@pytest.mark.parametrize(("case", "body", "status"), BAD_BODIES, ids=[c[0] for c in BAD_BODIES])
def test_bad_messages_get_a_json_4xx_and_change_nothing(
    client: TestClient, user_id: str, case: str, body: dict[str, Any], status: int
) -> None:
    post_messages(client, f"{user_id}-s", {"user_id": user_id, "messages": [GOOD_MESSAGE]})
    before = snapshot(client, user_id)
    if body.get("user_id") == "u":
        body = {**body, "user_id": user_id}
    response = post_messages(client, f"{user_id}-s", body)
    assert response.status_code == status, case
    error = response.json()["error"]
    assert error["code"] in {"validation_error", "invalid_input"} and error["message"]
    assert snapshot(client, user_id) == before


def test_malformed_json_and_wrong_content_type(client: TestClient) -> None:
    response = client.post("/v1/search", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_session_owned_by_another_user_is_409(client: TestClient, user_id: str) -> None:
    post_messages(client, f"{user_id}-s", {"user_id": user_id, "messages": [GOOD_MESSAGE]})
    response = post_messages(client, f"{user_id}-s", {"user_id": f"{user_id}-x", "messages": [GOOD_MESSAGE]})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_unknown_things_are_404(client: TestClient, user_id: str) -> None:
    for method, path in [
        ("GET", f"/v1/sessions/{user_id}-nope/messages"),
        ("GET", f"/v1/sessions/{user_id}-nope"),
        ("DELETE", f"/v1/users/{user_id}"),
        ("GET", "/v1/no-such-route"),
    ]:
        response = client.request(method, path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "body",
    [
        {"query": "", "user_id": "u"},
        {"query": "x", "user_id": "u", "top_k": 0},
        {"query": "x", "user_id": "u", "top_k": 10_000},
        {"query": "x", "user_id": "u", "layers": ["dreams"]},
        {"query": "x", "user_id": "u", "time_range": {"start": "2024-02-01T00:00:00Z", "end": "2024-01-01T00:00:00Z"}},
        {"query": "x", "user_id": "u", "now": "2024-02-01"},
        {"query": "x", "user_id": "u", "filters": {"colour": "red"}},
        {"query": "x", "user_id": "u", "recipe": "fastest"},
        {"query": "x", "user_id": "u", "recipe": "hybrid:answer_weight=lots"},
        {"query": "x", "user_id": "u", "recipe": "hybrid:colour=red"},
        {"query": "x", "user_id": "u", "granularity": "paragraph"},
        {"query": "x", "user_id": "u", "neighbors": 11},
    ],
)
def test_bad_searches_are_422(client: TestClient, body: dict[str, Any]) -> None:
    response = client.post("/v1/search", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["message"]


def test_search_with_a_filter_matching_nothing_is_an_empty_list(client: TestClient, user_id: str) -> None:
    post_messages(client, f"{user_id}-s", {"user_id": user_id, "messages": [GOOD_MESSAGE]})
    body = {
        "query": "hello",
        "user_id": user_id,
        "time_range": {"start": "2001-01-01T00:00:00Z", "end": "2001-01-02T00:00:00Z"},
    }
    assert client.post("/v1/search", json=body).json() == {"results": []}
    assert client.post("/v1/search", json={"query": "hello", "user_id": "nobody-here"}).json() == {"results": []}


def test_recipes_session_granularity_and_neighbours_over_http(client: TestClient, user_id: str) -> None:
    recipes = client.get("/v1/search/recipes").json()
    assert {"hybrid", "dense", "bm25"} <= {r["name"] for r in recipes}
    messages = [
        {"role": "user", "content": "My cat Miso hates the vacuum cleaner."},
        {"role": "assistant", "content": "Many cats do; try running it while she is in another room."},
        {"role": "user", "content": "Good idea, thanks."},
    ]
    post_messages(client, f"{user_id}-cat", {"user_id": user_id, "messages": messages})
    post_messages(client, f"{user_id}-other", {"user_id": user_id, "messages": [GOOD_MESSAGE]})
    body = {"query": "cat vacuum", "user_id": user_id, "recipe": "bm25", "neighbors": 1, "top_k": 1}
    [hit] = client.post("/v1/search", json=body).json()["results"]
    assert hit["text"] == messages[0]["content"] and hit["granularity"] == "turn"
    assert [c["content"] for c in hit["context"]] == [messages[1]["content"]]
    variant = {**body, "recipe": "bm25:round_weight=0,short_turn_terms=0"}
    assert client.post("/v1/search", json=variant).json()["results"][0]["text"] == messages[0]["content"]
    body = {"query": "cat vacuum", "user_id": user_id, "granularity": "session"}
    sessions = client.post("/v1/search", json=body).json()["results"]
    assert sessions[0]["id"] == f"{user_id}-cat" and sessions[0]["granularity"] == "session"


def test_bad_paging_is_422(client: TestClient, user_id: str) -> None:
    assert client.get("/v1/sessions", params={"user_id": user_id, "limit": 0}).status_code == 422
    post_messages(client, f"{user_id}-s", {"user_id": user_id, "messages": [GOOD_MESSAGE]})
    assert client.get(f"/v1/sessions/{user_id}-s/messages", params={"cursor": "%%%"}).status_code == 422


@pytest.fixture
def small_limit_client(
    sqlite_settings: Settings, embedder: SentenceTransformerEmbedder
) -> Iterator[tuple[TestClient, Runtime]]:
    settings = sqlite_settings.model_copy(update={"max_request_bytes": 4096})
    runtime = build_runtime(settings, embedder=embedder)
    with TestClient(create_app(runtime=runtime)) as test_client:
        yield test_client, runtime
    runtime.close()


def test_oversized_payload_is_413_and_stores_nothing(small_limit_client: tuple[TestClient, Runtime]) -> None:
    client, _ = small_limit_client
    huge = {"user_id": "big", "messages": [{"role": "user", "content": "x" * 10_000}]}
    response = post_messages(client, "s-big", huge)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    streamed = client.post(
        "/v1/sessions/s-big/messages",
        content=iter([b'{"user_id": "big", "messages": [', b"1" * 8192, b"]}"]),
        headers={"content-type": "application/json"},
    )
    assert streamed.status_code == 413
    assert client.get("/v1/sessions", params={"user_id": "big"}).json()["items"] == []


def test_api_keys_scope_requests_to_their_namespace(
    sqlite_settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    settings = sqlite_settings.model_copy(update={"api_keys": {"key-a": "tenant-a", "key-b": "tenant-b"}})
    runtime = build_runtime(settings, embedder=embedder)
    with TestClient(create_app(runtime=runtime)) as client:
        body = {"user_id": "same-user", "messages": [{"role": "user", "content": "my locker code is 4512"}]}
        assert post_messages(client, "s", body).status_code == 401
        wrong = client.post("/v1/sessions/s/messages", json=body, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "unauthenticated"
        ok = client.post("/v1/sessions/s/messages", json=body, headers={"Authorization": "Bearer key-a"})
        assert ok.status_code == 201
        search = {"query": "locker code", "user_id": "same-user"}
        seen_by_b = client.post("/v1/search", json=search, headers={"Authorization": "Bearer key-b"})
        assert seen_by_b.json() == {"results": []}
        seen_by_a = client.post("/v1/search", json=search, headers={"Authorization": "Bearer key-a"})
        assert len(seen_by_a.json()["results"]) == 1
        assert client.get("/healthz").status_code == 200
    runtime.close()


def test_health_readiness_metrics_and_docs(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["embedding_dim"] == 384
    client.post("/v1/search", json={"query": "x", "user_id": "metrics-user"})
    metrics = client.get("/metrics").text
    assert 'memory_http_requests_total{method="POST",route="/v1/search",status="200"}' in metrics
    assert "process_resident_memory_bytes " in metrics
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/sessions/{session_id}/messages", "/v1/search", "/v1/users/{user_id}"} <= set(paths)


def test_public_host_without_keys_is_refused() -> None:
    with pytest.raises(ValueError, match="MEMORY_API_KEYS"):
        Settings(host="0.0.0.0")
    assert Settings(host="0.0.0.0", api_keys={"k": "ns"}).host == "0.0.0.0"
