"""Managed keys over the real app (HTTP, in-process transport), on SQLite and PostgreSQL:
who gets in, what each scope allows, and that a namespace sees nothing of another."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from memory_service.api.app import create_app
from memory_service.runtime import Runtime, build_runtime
from memory_service.security.scopes import Scope
from memory_service.settings import Settings
from memory_service.store.tables import ApiKeyRow
from retrieval.embedder import SentenceTransformerEmbedder

MESSAGE = {"role": "user", "content": "My locker code is 4512 and I love hiking in the Alps."}


@pytest.fixture
def keyed(own_settings: Settings, embedder: SentenceTransformerEmbedder) -> Iterator[Runtime]:
    runtime = build_runtime(own_settings, embedder=embedder)
    yield runtime
    runtime.close()


@pytest.fixture
def client(keyed: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=keyed)) as test_client:
        yield test_client


def make_key(runtime: Runtime, namespace: str, scopes: list[Scope] | None = None) -> dict[str, str]:
    """A stored key, made as the command line makes one, as request headers."""
    created = runtime.auth.keys.create(namespace, scopes or ["read", "write"], actor="cli")
    return {"Authorization": f"Bearer {created.secret}"}


def write_some(client: TestClient, headers: dict[str, str], user: str = "ana") -> dict[str, Any]:
    """A session with a message, and a memory, of ``user``; the ids made."""
    sent = client.post("/v1/sessions/trip/messages", json={"user_id": user, "messages": [MESSAGE]}, headers=headers)
    assert sent.status_code == 201, sent.text
    memory = client.post("/v1/memories", json={"user_id": user, "text": "Ana loves hiking"}, headers=headers)
    assert memory.status_code == 201, memory.text
    return {"episode": sent.json()["ids"][0], "memory": memory.json()["id"]}


def test_the_server_is_open_until_the_first_key_is_stored(keyed: Runtime, client: TestClient) -> None:
    assert client.get("/v1/sessions", params={"user_id": "ana"}).status_code == 200
    headers = make_key(keyed, "default")  # e.g. by `memory-service keys create` beside the server
    refused = client.get("/v1/sessions", params={"user_id": "ana"})
    assert refused.status_code == 401
    assert client.get("/v1/sessions", params={"user_id": "ana"}, headers=headers).status_code == 200
    assert client.get("/healthz").status_code == 200 and client.get("/readyz").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/sessions?user_id=ana", None),
        ("POST", "/v1/sessions/s/messages", {"user_id": "ana", "messages": [MESSAGE]}),
        ("POST", "/v1/search", {"query": "locker", "user_id": "ana"}),
        ("GET", "/v1/memories?user_id=ana", None),
        ("GET", "/v1/graph/edges?user_id=ana", None),
        ("DELETE", "/v1/users/ana", None),
        ("GET", "/v1/admin/keys", None),
        ("GET", "/v1/eval/jobs", None),
    ],
)
def test_every_v1_request_needs_a_key_once_one_exists(
    keyed: Runtime, client: TestClient, method: str, path: str, body: Any
) -> None:
    make_key(keyed, "default")
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer"}):
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (path, headers)
        assert "Authorization: Bearer <key>" in response.json()["error"]["message"]
        assert response.headers["www-authenticate"] == "Bearer"
    for token in ("msk_" + "A" * 43, "not-a-key"):
        response = client.request(method, path, json=body, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401 and "unknown API key" in response.json()["error"]["message"]


def test_expired_and_revoked_keys_get_401_saying_so(keyed: Runtime, client: TestClient) -> None:
    admin = make_key(keyed, "team-a", ["admin"])
    made = client.post("/v1/admin/keys", json={"scopes": ["read"]}, headers=admin).json()
    reader = {"Authorization": f"Bearer {made['secret']}"}
    assert client.get("/v1/sessions", params={"user_id": "ana"}, headers=reader).status_code == 200

    with keyed.db.write() as session:  # a day passes for this key: it expired an hour ago
        past = datetime.now(UTC) - timedelta(hours=1)
        session.execute(update(ApiKeyRow).where(ApiKeyRow.prefix == made["prefix"]).values(expires_at=past))
    expired = client.get("/v1/sessions", params={"user_id": "ana"}, headers=reader)
    assert expired.status_code == 401 and "expired at" in expired.json()["error"]["message"]
    assert expired.json()["error"]["details"] == {"key_id": made["id"], "status": "expired"}

    other = client.post("/v1/admin/keys", json={}, headers=admin).json()
    writer = {"Authorization": f"Bearer {other['secret']}"}
    assert client.delete(f"/v1/admin/keys/{other['id']}", headers=admin).status_code == 200
    revoked = client.post("/v1/search", json={"query": "x", "user_id": "ana"}, headers=writer)
    assert revoked.status_code == 401 and "was revoked" in revoked.json()["error"]["message"]


def test_a_read_key_reads_but_cannot_write(keyed: Runtime, client: TestClient) -> None:
    writer, reader = make_key(keyed, "team-a"), make_key(keyed, "team-a", ["read"])
    ids = write_some(client, writer)
    for method, path in [
        ("GET", "/v1/sessions?user_id=ana"),
        ("GET", "/v1/sessions/trip"),
        ("GET", "/v1/sessions/trip/messages"),
        ("GET", "/v1/memories?user_id=ana"),
        ("GET", f"/v1/memories/{ids['memory']}"),
        ("GET", f"/v1/memories/{ids['memory']}/history"),
        ("GET", "/v1/users/ana/extraction"),
        ("GET", "/v1/users/ana/profile"),
        ("GET", "/v1/graph/entities?user_id=ana"),
        ("GET", "/v1/search/recipes"),
    ]:
        assert client.request(method, path, headers=reader).status_code == 200, path
    found = client.post("/v1/search", json={"query": "locker code", "user_id": "ana"}, headers=reader)
    assert found.status_code == 200 and found.json()["results"][0]["text"] == MESSAGE["content"]

    for method, path, body in [
        ("POST", "/v1/sessions/trip/messages", {"user_id": "ana", "messages": [MESSAGE]}),
        ("POST", "/v1/memories", {"user_id": "ana", "text": "x"}),
        ("PATCH", f"/v1/memories/{ids['memory']}", {"text": "Ana hates hiking"}),
        ("DELETE", f"/v1/memories/{ids['memory']}", None),
        ("DELETE", "/v1/users/ana", None),
        ("POST", "/v1/admin/keys", {}),
        ("GET", "/v1/admin/audit", None),
        ("GET", "/v1/eval/jobs", None),
        ("POST", "/v1/eval/jobs", {"benchmark": "locomo", "dataset_path": "x.json"}),
    ]:
        response = client.request(method, path, json=body, headers=reader)
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "forbidden" and "scope" in response.json()["error"]["message"]
    assert client.get("/v1/sessions/trip/messages", headers=reader).json()["items"][0]["content"] == MESSAGE["content"]
    assert client.get(f"/v1/memories/{ids['memory']}", headers=reader).json()["text"] == "Ana loves hiking"


def test_scopes_are_independent(keyed: Runtime, client: TestClient) -> None:
    write_only, admin_only = make_key(keyed, "team-a", ["write"]), make_key(keyed, "team-a", ["admin"])
    assert client.post("/v1/memories", json={"user_id": "ana", "text": "x"}, headers=write_only).status_code == 201
    assert client.get("/v1/memories", params={"user_id": "ana"}, headers=write_only).status_code == 403
    assert client.post("/v1/search", json={"query": "x", "user_id": "ana"}, headers=write_only).status_code == 403
    assert client.get("/v1/admin/keys", headers=write_only).status_code == 403
    assert client.get("/v1/admin/keys", headers=admin_only).status_code == 200
    assert client.get("/v1/eval/jobs", headers=admin_only).status_code == 200
    assert client.get("/v1/memories", params={"user_id": "ana"}, headers=admin_only).status_code == 403


def test_a_key_of_another_namespace_sees_nothing(keyed: Runtime, client: TestClient) -> None:
    a, b = make_key(keyed, "team-a"), make_key(keyed, "team-b")
    ids = write_some(client, a)
    listings = [
        "/v1/sessions?user_id=ana",
        "/v1/memories?user_id=ana",
        "/v1/graph/entities?user_id=ana",
        "/v1/graph/edges?user_id=ana",
    ]
    for path in listings:
        assert client.get(path, headers=b).json()["items"] == [], path
    assert client.post("/v1/search", json={"query": "locker code", "user_id": "ana"}, headers=b).json() == {
        "results": []
    }
    for method, path, body in [
        ("GET", "/v1/sessions/trip", None),
        ("GET", "/v1/sessions/trip/messages", None),
        ("GET", f"/v1/memories/{ids['memory']}", None),
        ("GET", f"/v1/memories/{ids['memory']}/history", None),
        ("PATCH", f"/v1/memories/{ids['memory']}", {"text": "Ana hates hiking"}),
        ("DELETE", f"/v1/memories/{ids['memory']}", None),
        ("DELETE", "/v1/users/ana", None),
    ]:
        assert client.request(method, path, json=body, headers=b).status_code == 404, path
    # Everything of team-a is as it was.
    assert client.get(f"/v1/memories/{ids['memory']}", headers=a).json()["text"] == "Ana loves hiking"
    assert [s["id"] for s in client.get("/v1/sessions", params={"user_id": "ana"}, headers=a).json()["items"]] == [
        "trip"
    ]
    assert client.post("/v1/search", json={"query": "locker code", "user_id": "ana"}, headers=a).json()["results"]


def test_bootstrap_keys_hold_every_scope(own_settings: Settings, embedder: SentenceTransformerEmbedder) -> None:
    settings = own_settings.model_copy(update={"api_keys": {"boot-a": "team-a"}})
    runtime = build_runtime(settings, embedder=embedder)
    boot = {"Authorization": "Bearer boot-a"}
    try:
        with TestClient(create_app(runtime=runtime)) as client:
            assert client.get("/v1/sessions", params={"user_id": "ana"}).status_code == 401
            write_some(client, boot)
            assert client.get("/v1/memories", params={"user_id": "ana"}, headers=boot).json()["items"]
            made = client.post("/v1/admin/keys", json={"namespace": "team-z", "scopes": ["read"]}, headers=boot)
            assert made.status_code == 201 and made.json()["namespace"] == "team-z"
            assert client.get("/v1/eval/jobs", headers=boot).status_code == 200
    finally:
        runtime.close()


def test_require_keys_refuses_everyone_until_a_key_exists(
    own_settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    runtime = build_runtime(own_settings.model_copy(update={"require_keys": True}), embedder=embedder)
    try:
        with TestClient(create_app(runtime=runtime)) as client:
            assert client.get("/v1/sessions", params={"user_id": "ana"}).status_code == 401
            headers = make_key(runtime, "default", ["read"])
            assert client.get("/v1/sessions", params={"user_id": "ana"}, headers=headers).status_code == 200
    finally:
        runtime.close()
    assert Settings(host="0.0.0.0", require_keys=True).host == "0.0.0.0"


def expected_scope(method: str, path: str) -> Scope:
    if path.startswith(("/v1/admin", "/v1/eval")):
        return "admin"
    return "read" if method == "get" or path == "/v1/search" else "write"


def test_every_v1_route_needs_the_scope_its_method_implies(keyed: Runtime, client: TestClient) -> None:
    """Each route of the API's own description, called with every scope but the one it should need
    (403), then with that one alone (past the scope check): a new route without a scope fails here."""
    everything: list[Scope] = ["read", "write", "admin"]
    keys = {scope: make_key(keyed, "team-a", [scope]) for scope in everything}
    all_but = {scope: make_key(keyed, "team-a", [s for s in everything if s != scope]) for scope in everything}
    checked = 0
    for template, operations in client.get("/openapi.json").json()["paths"].items():
        if not template.startswith("/v1"):
            continue
        path = re.sub(r"\{[^}]+\}", "x", template)
        for method in operations:
            scope = expected_scope(method, template)
            body = {} if method in {"post", "patch"} else None
            refused = client.request(method, path, json=body, headers=all_but[scope])
            assert refused.status_code == 403, (method, template, refused.text)
            assert refused.json()["error"]["details"]["required_scope"] == scope
            allowed = client.request(method, path, json=body, headers=keys[scope])
            assert allowed.status_code not in {401, 403}, (method, template, allowed.text)
            checked += 1
    assert checked >= 24
