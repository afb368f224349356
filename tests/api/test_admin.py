"""Key management and the audit log over the real app: secrets shown once, namespaces kept apart."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from memory_service.api.app import create_app
from memory_service.runtime import Runtime, build_runtime
from memory_service.security.keys import hash_key
from memory_service.security.secret import server_secret
from memory_service.settings import Settings
from retrieval.embedder import SentenceTransformerEmbedder

OPERATOR = {"Authorization": "Bearer operator-bootstrap-key"}


@pytest.fixture
def runtime(own_settings: Settings, embedder: SentenceTransformerEmbedder) -> Iterator[Runtime]:
    settings = own_settings.model_copy(update={"api_keys": {"operator-bootstrap-key": "ops"}})
    rt = build_runtime(settings, embedder=embedder)
    yield rt
    rt.close()


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=runtime)) as test_client:
        yield test_client


def bearer(created: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {created['secret']}"}


def create(client: TestClient, headers: dict[str, str], **body: object) -> dict[str, str]:
    response = client.post("/v1/admin/keys", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, str] = response.json()
    return created


def test_a_new_key_is_shown_once_and_only_its_hash_is_stored(runtime: Runtime, client: TestClient) -> None:
    created = create(client, OPERATOR, namespace="team-a")
    secret = created["secret"]
    assert secret.startswith("msk_") and created["prefix"] == secret[:12]
    assert created["scopes"] == ["read", "write"] and created["status"] == "active"
    assert created["created_by"] == "bootstrap:ops" and created["namespace"] == "team-a"
    assert client.get("/v1/sessions", params={"user_id": "u"}, headers=bearer(created)).status_code == 200

    listed = client.get("/v1/admin/keys", headers=OPERATOR)
    assert secret not in listed.text and secret[12:] not in listed.text and "secret" not in listed.json()["items"][0]
    audit = client.get("/v1/admin/audit", headers=OPERATOR)
    assert secret not in audit.text and secret[12:] not in audit.text

    with runtime.db.engine.connect() as conn:  # the whole of both tables, every column
        stored = [
            str(value)
            for table in ("api_keys", "audit_events")
            for row in conn.execute(text(f"SELECT * FROM {table}"))  # noqa: S608
            for value in row
        ]
        digest = conn.execute(text("SELECT key_hash FROM api_keys")).scalar_one()
    assert not any(secret in value or secret[12:] in value or secret[-16:] in value for value in stored)
    assert digest == hash_key(secret, server_secret(runtime.settings))


def test_a_stored_admin_key_manages_its_own_namespace_only(client: TestClient) -> None:
    admin_a = bearer(create(client, OPERATOR, namespace="team-a", scopes=["admin"]))
    in_b = create(client, OPERATOR, namespace="team-b")

    mine = create(client, admin_a, scopes=["read"], expires_at="2099-01-01T00:00:00Z")
    assert mine["namespace"] == "team-a" and mine["expires_at"] == "2099-01-01T00:00:00Z"
    assert client.post("/v1/admin/keys", json={"namespace": "team-b"}, headers=admin_a).status_code == 403

    listed = client.get("/v1/admin/keys", headers=admin_a).json()["items"]
    assert {key["namespace"] for key in listed} == {"team-a"} and len(listed) == 2
    assert client.get("/v1/admin/keys", params={"namespace": "team-b"}, headers=admin_a).status_code == 403
    assert client.delete(f"/v1/admin/keys/{in_b['id']}", headers=admin_a).status_code == 404
    assert client.get("/v1/sessions", params={"user_id": "u"}, headers=bearer(in_b)).status_code == 200

    events = client.get("/v1/admin/audit", headers=admin_a).json()["items"]
    assert {event["namespace"] for event in events} == {"team-a"}
    assert client.get("/v1/admin/audit", params={"namespace": "team-b"}, headers=admin_a).status_code == 403

    everything = client.get("/v1/admin/keys", headers=OPERATOR).json()["items"]
    assert {key["namespace"] for key in everything} == {"team-a", "team-b"}
    only_b = client.get("/v1/admin/keys", params={"namespace": "team-b"}, headers=OPERATOR).json()["items"]
    assert [key["id"] for key in only_b] == [in_b["id"]]


def test_revoking_takes_effect_at_once_and_is_audited(client: TestClient) -> None:
    admin_a = bearer(create(client, OPERATOR, namespace="team-a", scopes=["admin"]))
    admin_id = client.get("/v1/admin/keys", headers=OPERATOR).json()["items"][0]["id"]
    victim = create(client, admin_a)
    assert client.get("/v1/sessions", params={"user_id": "u"}, headers=bearer(victim)).status_code == 200

    revoked = client.delete(f"/v1/admin/keys/{victim['id']}", headers=admin_a)
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked" and revoked.json()["revoked_at"]
    assert "secret" not in revoked.json()
    assert client.get("/v1/sessions", params={"user_id": "u"}, headers=bearer(victim)).status_code == 401
    again = client.delete(f"/v1/admin/keys/{victim['id']}", headers=admin_a)
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    assert client.delete("/v1/admin/keys/key_999999", headers=admin_a).status_code == 404

    events = client.get("/v1/admin/audit", headers=OPERATOR).json()["items"]
    assert [(e["action"], e["actor"], e["target"]) for e in events] == [
        ("key.revoke", admin_id, victim["id"]),
        ("key.create", admin_id, victim["id"]),
        ("key.create", "bootstrap:ops", admin_id),
    ]
    by_action = client.get("/v1/admin/audit", params={"action": "key.revoke"}, headers=OPERATOR).json()["items"]
    assert [e["target"] for e in by_action] == [victim["id"]]
    by_actor = client.get("/v1/admin/audit", params={"actor": "bootstrap:ops"}, headers=OPERATOR).json()["items"]
    assert [e["target"] for e in by_actor] == [admin_id]


def test_listings_page_like_every_other(client: TestClient) -> None:
    made = [create(client, OPERATOR, namespace="team-a")["id"] for _ in range(3)]
    first = client.get("/v1/admin/keys", params={"limit": 2}, headers=OPERATOR).json()
    second = client.get("/v1/admin/keys", params={"limit": 2, "cursor": first["next_cursor"]}, headers=OPERATOR).json()
    assert [k["id"] for k in first["items"] + second["items"]] == made and second["next_cursor"] is None
    newest = client.get("/v1/admin/audit", params={"limit": 1}, headers=OPERATOR).json()
    assert newest["items"][0]["target"] == made[-1] and newest["next_cursor"]
    assert client.get("/v1/admin/keys", params={"limit": 0}, headers=OPERATOR).status_code == 422
    assert client.get("/v1/admin/keys", params={"cursor": "junk"}, headers=OPERATOR).status_code == 422


def test_last_use_shows_in_the_listing(client: TestClient) -> None:
    key = create(client, OPERATOR, namespace="team-a")
    assert client.get("/v1/admin/keys", headers=OPERATOR).json()["items"][0]["last_used_at"] is None
    client.get("/v1/sessions", params={"user_id": "u"}, headers=bearer(key))
    used = datetime.fromisoformat(client.get("/v1/admin/keys", headers=OPERATOR).json()["items"][0]["last_used_at"])
    assert abs(used - datetime.now(UTC)) < timedelta(minutes=1)


@pytest.mark.parametrize(
    "body",
    [
        {"scopes": []},
        {"scopes": ["root"]},
        {"namespace": "__eval_jobs__"},
        {"namespace": "a b"},
        {"expires_at": "2020-01-01T00:00:00Z"},
        {"expires_at": "2099-01-01T00:00:00"},
        {"colour": "red"},
    ],
)
def test_bad_key_requests_are_422_and_make_nothing(client: TestClient, body: dict[str, object]) -> None:
    response = client.post("/v1/admin/keys", json=body, headers=OPERATOR)
    assert response.status_code == 422, json.dumps(body)
    assert client.get("/v1/admin/keys", headers=OPERATOR).json()["items"] == []
    assert client.get("/v1/admin/audit", headers=OPERATOR).json()["items"] == []
