"""Every answer carries a request id (a caller's own when it is a sane token); errors show it too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from memory_service.api.app import create_app
from memory_service.runtime import Runtime


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=runtime)) as test_client:
        yield test_client


def test_answers_carry_a_fresh_id_and_errors_name_it(client: TestClient) -> None:
    ok = client.get("/healthz")
    first, second = ok.headers["x-request-id"], client.get("/healthz").headers["x-request-id"]
    assert len(first) == 32 and first != second
    missing = client.get("/v1/sessions/nope")
    assert missing.status_code == 404
    assert missing.json()["error"]["request_id"] == missing.headers["x-request-id"]
    invalid = client.post("/v1/search", json={"query": ""})
    assert invalid.status_code == 422 and invalid.json()["error"]["request_id"] == invalid.headers["x-request-id"]


@pytest.mark.parametrize(
    ("given", "kept"), [("trace-42.a:b", True), ("x" * 65, False), ("bad id with spaces", False), ("", False)]
)
def test_a_callers_id_is_kept_when_it_is_a_token(client: TestClient, given: str, kept: bool) -> None:
    answer = client.get("/v1/sessions/nope", headers={"X-Request-ID": given})
    assert (answer.headers["x-request-id"] == given) is kept
    assert answer.json()["error"]["request_id"] == answer.headers["x-request-id"]


def test_a_method_not_allowed_says_which_are(client: TestClient) -> None:
    answer = client.request("TRACE", "/v1/search")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"
    assert answer.json()["error"]["code"] == "method_not_allowed"


def test_every_v1_route_documents_the_errors_any_route_may_give(client: TestClient) -> None:
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        for method, operation in operations.items():
            if path.startswith("/v1"):
                assert {"400", "401", "403", "413", "422"} <= set(operation["responses"]), (method, path)
