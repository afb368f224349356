"""The command line, in process: add, search, db, and how it refuses bad input and settings."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from memory_service.cli import app
from memory_service.runtime import build_runtime
from memory_service.settings import Settings
from retrieval.embedder import SentenceTransformerEmbedder


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh SQLite data dir as the CLI's configuration, and nothing else from MEMORY_*."""
    for name in ("MEMORY_DATABASE_URL", "MEMORY_HOST", "MEMORY_PORT", "MEMORY_API_KEYS", "MEMORY_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MEMORY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MEMORY_DEVICE", "cpu")
    return tmp_path / "data"


def stored(data_dir: Path, embedder: SentenceTransformerEmbedder, user: str) -> list[list[str]]:
    """Every message of the user, per session, read back from the data dir."""
    runtime = build_runtime(Settings(data_dir=data_dir), embedder=embedder)
    try:
        sessions = runtime.episodic.list_sessions("default", user).items
        return [
            [e.content for e in runtime.episodic.list_session_messages("default", s.session_id).items] for s in sessions
        ]
    finally:
        runtime.close()


def test_add_from_file_and_stdin_then_search(data_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    messages = tmp_path / "trip.json"
    messages.write_text(
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": "I booked flights to Lisbon for June."},
                    {"role": "assistant", "content": "Great, Lisbon is lovely in June."},
                ]
            }
        )
    )
    added = runner.invoke(app, ["add", "trip", "--user", "ana", "--file", str(messages), "--agent", "planner"])
    assert added.exit_code == 0, added.output
    assert added.stdout.split() == ["ep_1", "ep_2"]

    jsonl = '{"role": "user", "content": "My cat Miso only eats tuna."}\n\n{"role": "assistant", "content": "Noted."}\n'
    piped = runner.invoke(app, ["add", "pets", "-u", "ana"], input=jsonl)
    assert piped.exit_code == 0, piped.output
    assert piped.stdout.split() == ["ep_3", "ep_4"]

    found = runner.invoke(app, ["search", "what does my cat eat?", "--user", "ana", "--top-k", "3", "--json"])
    assert found.exit_code == 0, found.output
    results = json.loads(found.stdout)["results"]
    assert len(results) == 3
    assert results[0]["text"] == "My cat Miso only eats tuna." and results[0]["session_id"] == "pets"

    table = runner.invoke(app, ["search", "flights", "--user", "ana", "--layers", "episodic"])
    assert table.exit_code == 0, table.output
    assert "Lisbon" in table.stdout and "trip" in table.stdout


def test_add_reads_a_plain_list_from_stdin_dash(data_dir: Path, embedder: SentenceTransformerEmbedder) -> None:
    body = json.dumps([{"role": "user", "content": "Remind me to water the ferns."}])
    result = CliRunner().invoke(app, ["add", "chores", "--user", "bo", "--file", "-"], input=body)
    assert result.exit_code == 0, result.output
    assert stored(data_dir, embedder, "bo") == [["Remind me to water the ferns."]]


@pytest.mark.parametrize(
    ("given", "error"),
    [
        ('[{"role": "user", "content": "hi"}', "invalid JSON"),
        ('{"role": "user", "content": "hi"}\n{"role": "user", "content": ', "invalid JSON on line 2"),
        ("", "input is empty"),
        ('"just a string"', "expected a list of messages"),
        ('[{"role": "user", "content": "fine"}, {"role": "robot", "content": "hi"}]', "messages.1.role"),
        ('[{"role": "user", "content": "hi", "when": "today"}]', "messages.0.when"),
        ("[]", "messages"),
    ],
)
def test_bad_messages_exit_2_and_store_nothing(
    data_dir: Path, embedder: SentenceTransformerEmbedder, given: str, error: str
) -> None:
    result = CliRunner().invoke(app, ["add", "s-1", "--user", "cy"], input=given)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and error in result.stderr  # before any model load
    assert "Traceback" not in result.output
    assert stored(data_dir, embedder, "cy") == []


def test_add_from_a_missing_file_exits_2(data_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["add", "s-1", "--user", "cy", "--file", str(tmp_path / "nope.json")])
    assert result.exit_code == 2 and "cannot read" in result.stderr


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--layers", "episodic,nowhere"], "layers"),
        (["--now", "2024-03-01T09:00:00"], "now: Input should have timezone info"),
        (["--since", "last week"], "time_range.start"),
        (["--since", "2024-03-02T00:00:00Z", "--until", "2024-03-01T00:00:00Z"], "must not be after"),
        (["--role", "user,robot"], "filters.roles.1"),
        (["--granularity", "paragraph"], "granularity"),
        (["--neighbors", "11"], "neighbors"),
    ],
)
def test_bad_search_arguments_exit_2(data_dir: Path, args: list[str], error: str) -> None:
    result = CliRunner().invoke(app, ["search", "q", "--user", "cy", *args])
    assert result.exit_code == 2 and result.stderr.startswith("error: ") and error in result.stderr, result.output
    assert not data_dir.exists()  # refused before the store or the model was opened


def test_db_upgrade_then_current(data_dir: Path) -> None:
    runner = CliRunner()
    upgraded = runner.invoke(app, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert (data_dir / "memory.db").exists()
    current = runner.invoke(app, ["db", "current"])
    revision = current.stdout.strip()
    assert current.exit_code == 0 and revision and not revision.startswith("none")
    assert f"revision {revision} (head)" in upgraded.stdout
    again = runner.invoke(app, ["db", "upgrade"])
    assert again.exit_code == 0 and f"revision {revision}" in again.stdout


def test_db_current_on_an_empty_database_says_so(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["db", "current"])
    assert result.exit_code == 0 and result.stdout.startswith("none")


def test_serve_refuses_an_open_public_host(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEMORY_HOST", "0.0.0.0")
    result = CliRunner().invoke(app, ["serve", "--port", "9"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "refusing to serve on 0.0.0.0" in result.stderr
    assert "MEMORY_API_KEYS" in result.stderr


def test_serve_reports_malformed_settings(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEMORY_API_KEYS", "not json")
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 2 and "api_keys" in result.stderr and "Traceback" not in result.output


@pytest.fixture
def uvicorn_calls(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> list[tuple[Any, dict[str, Any]]]:
    """``uvicorn.run`` recorded instead of serving; serve's log level is put back afterwards."""
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **options: calls.append((app, options)))
    level = logging.getLogger("memory_service").level
    request.addfinalizer(lambda: logging.getLogger("memory_service").setLevel(level))
    return calls


def test_serve_hands_its_settings_to_the_app_not_the_environment(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, uvicorn_calls: list[Any]
) -> None:
    made: list[Settings] = []
    monkeypatch.setattr("memory_service.api.app.create_app", lambda settings: made.append(settings) or "the app")
    before = dict(os.environ)
    result = CliRunner().invoke(app, ["serve", "--port", "9123", "--data-dir", str(tmp_path / "elsewhere")])
    assert result.exit_code == 0, result.output
    assert [(s.data_dir, s.port) for s in made] == [((tmp_path / "elsewhere").resolve(), 9123)]
    [(served, options)] = uvicorn_calls
    assert served == "the app" and (options["host"], options["port"]) == ("127.0.0.1", 9123)
    assert options["timeout_graceful_shutdown"] == 30 and options["log_config"] is not None
    assert dict(os.environ) == before


def test_serve_in_json_leaves_uvicorns_lines_to_the_json_handler(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, uvicorn_calls: list[Any]
) -> None:
    monkeypatch.setattr("memory_service.api.app.create_app", lambda settings: "the app")
    monkeypatch.setenv("MEMORY_LOG_FORMAT", "json")
    monkeypatch.setenv("MEMORY_SHUTDOWN_TIMEOUT_S", "5")
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # what json sets, undone after the test
    before = dict(os.environ)
    result = CliRunner().invoke(app, ["serve", "--port", "9125"])
    assert result.exit_code == 0, result.output
    [(_, options)] = uvicorn_calls
    assert options["log_config"] is None and options["timeout_graceful_shutdown"] == 5
    assert dict(os.environ) == before


def test_serve_with_reload_passes_its_options_to_the_reloaded_process(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, uvicorn_calls: list[Any]
) -> None:
    for name in ("MEMORY_HOST", "MEMORY_PORT"):  # recorded, so that what serve sets is undone
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    result = CliRunner().invoke(app, ["serve", "--reload", "--port", "9124", "--data-dir", str(tmp_path / "dev")])
    assert result.exit_code == 0, result.output
    options = {"factory": True, "host": "127.0.0.1", "port": 9124, "reload": True}
    assert uvicorn_calls == [("memory_service.api.app:create_app", options)]
    assert os.environ["MEMORY_DATA_DIR"] == str((tmp_path / "dev").resolve()) and os.environ["MEMORY_PORT"] == "9124"


def test_search_as_of_sees_memory_as_it_stood(data_dir: Path) -> None:
    runner = CliRunner()
    said = [
        {"role": "user", "content": "I moved to Porto.", "occurred_at": "2024-03-01T10:00:00Z"},
        {"role": "user", "content": "I moved to Lisbon.", "occurred_at": "2025-01-10T10:00:00Z"},
    ]
    added = runner.invoke(app, ["add", "moves", "--user", "ana"], input=json.dumps(said))
    assert added.exit_code == 0, added.output

    def found(*args: str) -> list[str]:
        result = runner.invoke(app, ["search", "where did I move?", "--user", "ana", "--json", *args])
        assert result.exit_code == 0, result.output
        return [hit["text"] for hit in json.loads(result.stdout)["results"]]

    assert found("--as-of", "2024-06-01T00:00:00Z") == ["I moved to Porto."]
    assert set(found()) == {"I moved to Porto.", "I moved to Lisbon."}
    refused = runner.invoke(app, ["search", "q", "--user", "ana", "--as-of", "2024-06-01"])
    assert refused.exit_code == 2 and "timezone" in refused.stderr, refused.output
