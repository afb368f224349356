"""The ONNX Runtime twin of the packaged model: exported locally, faithful, chosen on CPU."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval import onnx_embedder
from retrieval.embedder import SentenceTransformerEmbedder
from retrieval.onnx_embedder import OnnxEmbedder, OnnxUnavailableError, best_query_embedder

TEXTS = ["where did I park the car?", "x", "My favourite band released a new album " * 40]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def twin(embedder: SentenceTransformerEmbedder, model_dir: Path) -> OnnxEmbedder:
    return OnnxEmbedder(embedder, model_dir)


def test_vectors_match_the_reference_model(twin: OnnxEmbedder, embedder: SentenceTransformerEmbedder) -> None:
    ours, theirs = twin.embed_batch(TEXTS), embedder.embed_batch(TEXTS)
    assert ours.shape == (3, embedder.dim) and ours.dtype == np.float32
    assert np.min(np.sum(ours * theirs, axis=1)) >= 0.999
    assert twin.name == embedder.name and twin.cosine >= 0.99
    assert twin.embed_batch([]).shape == (0, embedder.dim)


def test_the_export_is_written_once(twin: OnnxEmbedder, embedder: SentenceTransformerEmbedder, model_dir: Path) -> None:
    [exported] = list(model_dir.glob("*.onnx"))
    stamp = exported.stat().st_mtime_ns
    OnnxEmbedder(embedder, model_dir)
    assert exported.stat().st_mtime_ns == stamp and not list(model_dir.glob("*.tmp"))


def test_auto_picks_onnx_on_cpu_and_torch_when_asked(
    twin: OnnxEmbedder, embedder: SentenceTransformerEmbedder, model_dir: Path
) -> None:
    assert isinstance(best_query_embedder(embedder, model_dir, "auto"), OnnxEmbedder)
    assert best_query_embedder(embedder, model_dir, "torch") is embedder


def test_drifting_vectors_fall_back_to_torch(
    twin: OnnxEmbedder, embedder: SentenceTransformerEmbedder, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(onnx_embedder, "MIN_COSINE", 1.01)  # no export can reach it
    assert best_query_embedder(embedder, model_dir, "auto") is embedder
    with pytest.raises(OnnxUnavailableError, match="drift"):
        best_query_embedder(embedder, model_dir, "onnx")


def test_texts_of_like_lengths_are_padded_together() -> None:
    buckets = onnx_embedder.length_buckets([10, 80, 11, 12, 79, 40, 10])
    assert sorted(i for bucket in buckets for i in bucket) == list(range(7))
    assert buckets == [[0, 6, 2, 3], [5], [4, 1]]


def test_a_mixed_batch_gives_each_text_its_own_vector(twin: OnnxEmbedder) -> None:
    texts = ["hi", "What did I buy for my sister's birthday last month, and where did I buy it?", "ok then"]
    together = twin.embed_batch(texts)
    alone = np.stack([twin.embed_batch([text])[0] for text in texts])
    assert np.allclose(together, alone, atol=1e-5)
