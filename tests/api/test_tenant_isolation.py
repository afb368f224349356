"""No route shows one namespace's data to another, walked from the API's own description.

Namespace A writes a conversation (extracted into memories and a graph) and holds a key; a key of
namespace B, with every scope, then calls every ``/v1`` route of the OpenAPI schema with A's real
ids in the path and A's user in the query. Each answer must be a 404, a refusal of the body, or
an empty listing, and none may carry anything of A's. A route added later is walked without
editing this test.
"""

# ruff: noqa: F811 - the shared fixtures are imported by name, and tests take them by name
from __future__ import annotations

import re
import time
from typing import Any

from fastapi.testclient import TestClient

from memory_service.runtime import Runtime
from tests.api.test_auth import client, keyed, make_key  # noqa: F401 - fixtures

USER = "ana"
SECRET_FACT = "My locker code is 4512 and I work at Acme Corp in Lisbon."
SIGNS_OF_A = ("4512", "Acme", "Lisbon", "locker")
"""Words of A's conversation: none may appear in anything B is answered."""


def write_a(client: TestClient, headers: dict[str, str]) -> dict[str, str]:
    """A's session, message, extracted memories and graph; the ids to aim B's requests at."""
    body = {"user_id": USER, "infer": True, "messages": [{"role": "user", "content": SECRET_FACT}]}
    sent = client.post("/v1/sessions/trip/messages", json=body, headers=headers)
    assert sent.status_code == 201, sent.text
    deadline = time.monotonic() + 60
    while not client.get(f"/v1/users/{USER}/extraction", headers=headers).json()["idle"]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    memories = client.get("/v1/memories", params={"user_id": USER}, headers=headers).json()["items"]
    entities = client.get("/v1/graph/entities", params={"user_id": USER}, headers=headers).json()["items"]
    assert memories and entities
    keys = client.get("/v1/admin/keys", headers=headers).json()["items"]
    return {
        "session_id": "trip",
        "episode_id": sent.json()["ids"][0],
        "user_id": USER,
        "memory_id": memories[0]["id"],
        "entity_id": entities[0]["id"],
        "key_id": keys[0]["id"],
        "job_id": "job_1",
    }


BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/v1/sessions/{session_id}/messages"): {
        "user_id": "intruder",
        "messages": [{"role": "user", "content": "hello"}],
    },
    ("patch", "/v1/memories/{memory_id}"): {"text": "overwritten"},
    ("post", "/v1/search"): {
        "query": "locker code Acme Lisbon",
        "user_id": USER,
        "layers": ["episodic", "semantic", "graph"],
    },
}
"""Bodies that would act on A's data if the namespace check let them; other writes get ``{}``."""


def test_no_route_shows_one_namespace_to_another(keyed: Runtime, client: TestClient) -> None:
    a = make_key(keyed, "team-a", ["read", "write", "admin"])
    b = make_key(keyed, "team-b", ["read", "write", "admin"])
    ids = write_a(client, a)
    walked = 0
    for template, operations in client.get("/openapi.json").json()["paths"].items():
        if not template.startswith("/v1"):
            continue
        path = re.sub(r"\{([^}]+)\}", lambda m: ids[m.group(1)], template)
        for method in operations:
            body = BODIES.get((method, template), {}) if method in {"post", "patch"} else None
            params = {"user_id": USER} if method == "get" else None
            answer = client.request(method, path, params=params, json=body, headers=b)
            where = f"{method.upper()} {template}: {answer.status_code} {answer.text[:200]}"
            assert answer.status_code in {200, 201, 404, 409, 422}, where
            assert not any(sign in answer.text for sign in SIGNS_OF_A), where
            listing = answer.headers.get("content-type", "").startswith("application/json")
            if answer.status_code == 200 and method == "get" and listing and "items" in answer.json():
                assert all(item.get("namespace", "team-b") == "team-b" for item in answer.json()["items"]), where
            walked += 1
    assert walked >= 20
    # A's data is as it was: nothing B sent reached it.
    memory = client.get(f"/v1/memories/{ids['memory_id']}", headers=a)
    assert memory.status_code == 200 and memory.json()["text"] != "overwritten"
    session = client.get("/v1/sessions/trip", headers=a).json()
    assert session["user_id"] == USER
    found = client.post("/v1/search", json={"query": "locker code", "user_id": USER}, headers=a).json()["results"]
    assert any("4512" in hit["text"] for hit in found)
