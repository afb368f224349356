"""``GET /v1/export`` and ``POST /v1/import`` under stored keys: scopes and namespaces."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from memory_service.api.app import create_app
from memory_service.runtime import Runtime
from memory_service.security.scopes import Scope
from tests.transfer.conftest import USER

NDJSON = {"Content-Type": "application/x-ndjson"}


@pytest.fixture
def served(make_runtime: Callable[[str], Runtime]) -> Iterator[tuple[Runtime, TestClient]]:
    runtime = make_runtime("served")
    with TestClient(create_app(runtime=runtime)) as client:
        yield runtime, client


def _key(runtime: Runtime, namespace: str, scopes: list[Scope]) -> dict[str, str]:
    created = runtime.auth.keys.create(namespace, scopes, actor="cli")
    return {"Authorization": f"Bearer {created.secret}"}


def test_import_then_export_with_keys(exported: Path, served: tuple[Runtime, TestClient]) -> None:
    runtime, client = served
    writer = _key(runtime, "team", ["read", "write"])
    body = exported.read_bytes()
    imported = client.post("/v1/import", content=body, headers=writer | NDJSON)
    assert imported.status_code == 200, imported.text
    assert imported.json()["namespace"] == "team" and imported.json()["imported"] == [USER]

    again = client.get("/v1/export", params={"user_id": USER}, headers=writer)
    assert again.status_code == 200, again.text
    assert again.headers["content-type"].startswith("application/x-ndjson")
    assert again.text.splitlines()[1:] == [
        line.replace('"namespace":"transfer"', '"namespace":"team"') for line in body.decode().splitlines()[1:]
    ]
    assert client.get("/v1/admin/export", headers=writer).status_code == 403  # the whole namespace needs admin
    admin = _key(runtime, "team", ["admin"])
    assert client.get("/v1/admin/export", headers=admin).text.splitlines()[1:] == again.text.splitlines()[1:]
    assert client.get("/v1/export", params={"user_id": "nobody"}, headers=writer).status_code == 404


def test_import_is_refused_without_write_or_into_another_namespace(
    exported: Path, served: tuple[Runtime, TestClient]
) -> None:
    runtime, client = served
    body = exported.read_bytes()
    reader = _key(runtime, "team", ["read"])
    assert client.post("/v1/import", content=body, headers=reader | NDJSON).status_code == 403
    writer = _key(runtime, "team", ["read", "write", "admin"])
    elsewhere = client.post("/v1/import", params={"namespace": "other"}, content=body, headers=writer | NDJSON)
    assert elsewhere.status_code == 403, elsewhere.text
    cut = b"".join(body.splitlines(keepends=True)[:3])
    refused = client.post("/v1/import", content=cut, headers=writer | NDJSON)
    assert refused.status_code == 422 and refused.json()["error"]["message"].startswith("line 4: "), refused.text
    assert client.get("/v1/export", params={"user_id": USER}, headers=writer).status_code == 404
