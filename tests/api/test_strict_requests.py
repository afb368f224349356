"""What the API fuzzing found, pinned: requests of the wrong type are refused rather than coerced,
the schema says what a route accepts, and a 405 names every method of its path."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from memory_service.api.app import create_app
from memory_service.runtime import build_runtime
from memory_service.settings import Settings
from retrieval.embedder import SentenceTransformerEmbedder

MESSAGE = {"role": "user", "content": "I moved to Porto."}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder) -> Iterator[TestClient]:
    runtime = build_runtime(Settings(data_dir=tmp_path_factory.mktemp("strict") / "data"), embedder=embedder)
    try:
        with TestClient(create_app(runtime=runtime)) as test_client:
            yield test_client
    finally:
        runtime.close()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        # A number is not read as seconds since 1970, nor 0 and 1 as booleans, nor "5" as a count.
        ("/v1/sessions/s/messages", {"user_id": "ana", "messages": [{**MESSAGE, "occurred_at": 0}]}),
        ("/v1/sessions/s/messages", {"user_id": "ana", "messages": [MESSAGE], "infer": 1}),
        ("/v1/memories", {"user_id": "ana", "text": "Ana lives in Porto", "valid_at": 1700000000}),
        ("/v1/search", {"query": "Porto", "user_id": "ana", "now": 1700000000}),
        ("/v1/search", {"query": "Porto", "user_id": "ana", "time_range": {"start": 0}}),
        ("/v1/search", {"query": "Porto", "user_id": "ana", "reinforce": 0}),
        ("/v1/search", {"query": "Porto", "user_id": "ana", "neighbors": False}),
        ("/v1/search", {"query": "Porto", "user_id": "ana", "top_k": "5"}),
        ("/v1/admin/keys", {"namespace": "team-a", "expires_at": 1700000000}),
        ("/v1/search", {"query": "Porto", "user_id": "ana", "as_of": "1700000000"}),  # a number as text too
    ],
)
def test_a_value_of_the_wrong_type_is_a_422(client: TestClient, path: str, body: dict[str, Any]) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize("path", ["/v1/memories?user_id=ana", "/v1/users/ana/profile", "/v1/graph/edges?user_id=ana"])
@pytest.mark.parametrize("moment", ["0.5", "1700000000", "-3e2"])
def test_a_number_in_a_query_is_no_time(client: TestClient, path: str, moment: str) -> None:
    joiner = "&" if "?" in path else "?"
    response = client.get(f"{path}{joiner}as_of={moment}")
    assert response.status_code == 422, response.text
    assert client.get(f"{path}{joiner}as_of=2024-06-01T00:00:00Z").status_code == 200


def test_times_as_iso_text_and_plain_values_are_still_accepted(client: TestClient) -> None:
    sent = client.post(
        "/v1/sessions/s/messages",
        json={"user_id": "ana", "messages": [{**MESSAGE, "occurred_at": "2024-05-01T09:30:00Z"}], "infer": False},
    )
    assert sent.status_code == 201, sent.text
    body = {"query": "Porto", "user_id": "ana", "now": "2024-06-01T00:00:00+02:00", "top_k": 5, "reinforce": False}
    assert client.post("/v1/search", json=body).status_code == 200


def test_the_schema_says_a_memory_edit_text_is_a_string_and_null_is_refused(client: TestClient) -> None:
    edit = client.get("/openapi.json").json()["components"]["schemas"]["MemoryUpdate"]["properties"]["text"]
    assert edit["type"] == "string"
    memory = client.post("/v1/memories", json={"user_id": "ana", "text": "Ana lives in Porto"}).json()
    assert client.patch(f"/v1/memories/{memory['id']}", json={"text": None}).status_code == 422


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/v1/memories/mem_1", {"GET", "PATCH", "DELETE"}),
        ("/v1/sessions/s/messages", {"GET", "POST"}),
        ("/v1/memories", {"GET", "POST"}),
    ],
)
def test_a_405_names_every_method_of_the_path(client: TestClient, path: str, allowed: set[str]) -> None:
    response = client.request("PUT", path, json={})
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == allowed
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_metrics_are_documented_as_text(client: TestClient) -> None:
    documented = client.get("/openapi.json").json()["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    assert list(documented) == ["text/plain"]
    assert client.get("/metrics").headers["content-type"].startswith("text/plain")
