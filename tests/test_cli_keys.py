"""``memory-service keys``: made on the store, printed once, and working against the app at once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from memory_service.api.app import create_app
from memory_service.cli import app
from memory_service.runtime import build_runtime
from memory_service.security.key_store import KeyStore
from memory_service.security.secret import server_secret
from memory_service.settings import Settings
from memory_service.store.database import Database
from retrieval.embedder import SentenceTransformerEmbedder


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh SQLite data dir, reached through --data-dir only (MEMORY_DATA_DIR points elsewhere)."""
    for name in ("MEMORY_DATABASE_URL", "MEMORY_HOST", "MEMORY_API_KEYS", "MEMORY_KEY_SECRET", "MEMORY_REQUIRE_KEYS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MEMORY_DATA_DIR", str(tmp_path / "elsewhere"))
    return tmp_path / "data"


def keys(*args: str) -> list[str]:
    return ["keys", *args]


def test_a_created_key_is_printed_alone_on_the_last_line_and_works(
    data_dir: Path, embedder: SentenceTransformerEmbedder
) -> None:
    runner = CliRunner()
    made = runner.invoke(app, keys("create", "--namespace", "team-a", "--data-dir", str(data_dir)))
    assert made.exit_code == 0, made.output
    key = made.stdout.splitlines()[-1]
    assert made.stdout == key + "\n" and key.startswith("msk_") and len(key) == 47
    assert "key_1" in made.stderr and "shown only this once" in made.stderr
    assert not (data_dir.parent / "elsewhere").exists()

    runtime = build_runtime(Settings(data_dir=data_dir), embedder=embedder)
    try:
        with TestClient(create_app(runtime=runtime)) as client:
            assert client.get("/v1/sessions", params={"user_id": "ana"}).status_code == 401
            headers = {"Authorization": f"Bearer {key}"}
            body = {"user_id": "ana", "messages": [{"role": "user", "content": "I moved to Porto"}]}
            assert client.post("/v1/sessions/s1/messages", json=body, headers=headers).status_code == 201
            assert client.get("/v1/admin/keys", headers=headers).status_code == 403  # read and write only

            revoked = runner.invoke(app, keys("revoke", "key_1", "--data-dir", str(data_dir)))
            assert revoked.exit_code == 0 and "revoked key_1" in revoked.stdout
            refused = client.get("/v1/sessions", params={"user_id": "ana"}, headers=headers)
            assert refused.status_code == 401 and "revoked" in refused.json()["error"]["message"]
    finally:
        runtime.close()


def test_list_shows_prefixes_scopes_expiry_use_and_revocation(data_dir: Path) -> None:
    runner = CliRunner()
    where = ["--data-dir", str(data_dir)]
    first = runner.invoke(app, keys("create", "-n", "team-a", "--scopes", "read,admin", "--expires", "30d", *where))
    second = runner.invoke(app, keys("create", "-n", "team-b", "--expires", "2099-01-01T00:00:00Z", *where))
    assert first.exit_code == second.exit_code == 0
    secrets = [first.stdout.strip(), second.stdout.strip()]
    assert runner.invoke(app, keys("revoke", "key_2", *where)).exit_code == 0

    listed = runner.invoke(app, keys("list", *where))
    assert listed.exit_code == 0, listed.output
    header, *rows = listed.stdout.splitlines()
    assert re.split(r"\s{2,}", header) == [
        "ID",
        "PREFIX",
        "NAMESPACE",
        "SCOPES",
        "STATUS",
        "EXPIRES",
        "LAST USED",
        "REVOKED",
        "CREATED BY",
    ]
    assert rows[0].split()[:5] == ["key_1", secrets[0][:12], "team-a", "read,admin", "active"]
    assert rows[1].split()[:6] == ["key_2", secrets[1][:12], "team-b", "read,write", "revoked", "2099-01-01T00:00:00Z"]
    assert rows[1].split()[7].endswith("Z") and rows[0].split()[7] == "-"
    assert all(secret[12:] not in listed.stdout for secret in secrets)
    only_b = runner.invoke(app, keys("list", "--namespace", "team-b", *where)).stdout.splitlines()
    assert [row.split()[0] for row in only_b[1:]] == ["key_2"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["create", "--namespace", "a b"], 2, "invalid namespace"),
        (["create", "--namespace", "a", "--scopes", "root"], 2, "unknown scope"),
        (["create", "--namespace", "a", "--expires", "2020-01-01T00:00:00Z"], 2, "not in the future"),
        (["create", "--namespace", "a", "--expires", "later"], 2, "cannot read expiry"),
        (["revoke", "key_42"], 1, "not found"),
    ],
)
def test_mistakes_exit_with_one_line(data_dir: Path, args: list[str], code: int, message: str) -> None:
    result = CliRunner().invoke(app, keys(*args, "--data-dir", str(data_dir)))
    assert result.exit_code == code and message in result.stderr and "Traceback" not in result.output
    assert result.stdout == ""
    assert "no keys" in CliRunner().invoke(app, keys("list", "--data-dir", str(data_dir))).stderr


def test_keys_use_the_configured_database(own_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --data-dir, the MEMORY_* settings a server reads: on PostgreSQL too."""
    monkeypatch.setenv("MEMORY_DATA_DIR", str(own_settings.data_dir))
    if own_settings.database_url:
        monkeypatch.setenv("MEMORY_DATABASE_URL", own_settings.database_url)
    made = CliRunner().invoke(app, keys("create", "--namespace", "team-a"))
    assert made.exit_code == 0, made.output
    db = Database(own_settings.resolved_database_url)
    try:
        found = KeyStore(db, server_secret(own_settings)).authenticate(made.stdout.strip())
    finally:
        db.dispose()
    assert found.namespace == "team-a" and found.created_by == "cli"
