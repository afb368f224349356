"""``memory-service export`` and ``import``: a round trip between two data dirs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from memory_service import cli_transfer
from memory_service.cli import app
from memory_service.runtime import Runtime, build_runtime
from memory_service.settings import Settings
from retrieval.embedder import SentenceTransformerEmbedder
from tests.transfer.conftest import NS, USER


@pytest.fixture(autouse=True)
def _loaded_model(monkeypatch: pytest.MonkeyPatch, embedder: SentenceTransformerEmbedder) -> None:
    def open_runtime(settings: Settings) -> Runtime:
        return build_runtime(settings, embedder=embedder)

    monkeypatch.setattr(cli_transfer, "open_runtime", open_runtime)


def test_cli_round_trip(exported: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    imported = runner.invoke(
        app, ["import", str(exported), "--remap-namespace", f"{NS}=copy", "--data-dir", str(tmp_path / "b")]
    )
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.stdout)["imported"] == [USER]
    out = tmp_path / "again.jsonl"
    again = runner.invoke(
        app, ["export", "--user-id", USER, "--namespace", "copy", "--out", str(out), "--data-dir", str(tmp_path / "b")]
    )
    assert again.exit_code == 0, again.output
    assert out.read_text(encoding="utf-8").splitlines()[1:] == exported.read_text(encoding="utf-8").splitlines()[1:]
    whole = runner.invoke(app, ["export", "--namespace", "copy", "--out", "-", "--data-dir", str(tmp_path / "b")])
    assert whole.exit_code == 0 and whole.stdout.splitlines()[1:] == out.read_text(encoding="utf-8").splitlines()[1:]


def test_cli_refuses_a_bad_file_in_one_line(exported: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(exported.read_text(encoding="utf-8").splitlines(keepends=True)[:5]), encoding="utf-8")
    result = CliRunner().invoke(app, ["import", str(bad), "--data-dir", str(tmp_path / "b")])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: line 6: ")
    usage = CliRunner().invoke(app, ["export", "--out", "-", "--data-dir", str(tmp_path / "b")])
    assert usage.exit_code == 2
