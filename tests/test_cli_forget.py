"""``memory-service forget-session`` / ``forget-episode``, in process on a data dir."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from memory_service.cli import app
from retrieval.embedder import SentenceTransformerEmbedder
from tests.test_cli import data_dir, stored  # noqa: F401 - fixture


def test_forget_an_episode_then_the_session(data_dir: Path, embedder: SentenceTransformerEmbedder) -> None:  # noqa: F811
    runner = CliRunner()
    body = '[{"role": "user", "content": "My PIN is 1234."}, {"role": "user", "content": "I like tea."}]'
    added = runner.invoke(app, ["add", "chat", "--user", "ana"], input=body)
    assert added.exit_code == 0, added.output
    pin, _ = added.stdout.split()

    one = runner.invoke(app, ["forget-episode", pin])
    assert one.exit_code == 0, one.output
    assert "forgot 1 message(s) of session chat" in one.stdout
    assert stored(data_dir, embedder, "ana") == [["I like tea."]]

    again = runner.invoke(app, ["forget-episode", pin])
    assert again.exit_code == 1 and "not found" in again.output

    whole = runner.invoke(app, ["forget-session", "chat"])
    assert whole.exit_code == 0, whole.output
    assert "forgot 1 message(s)" in whole.stdout
    assert stored(data_dir, embedder, "ana") == []
