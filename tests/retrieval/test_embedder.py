"""The real packaged model: long texts are windowed, concurrent queries share batches."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

from retrieval.batching import BatcherClosedError, EmbeddingBatcher
from retrieval.embedder import SentenceTransformerEmbedder

FILLER = " ".join(f"Item {i} of the packing list is a {('sock', 'shirt', 'book')[i % 3]}." for i in range(150))
LONG = FILLER + " Finally, the spare house key is hidden under the blue flower pot."


def test_short_texts_are_one_window_each(embedder: SentenceTransformerEmbedder) -> None:
    pieces, owners = embedder.split_long(["hello", "a short sentence"])
    assert pieces == ["hello", "a short sentence"] and owners.tolist() == [0, 1]


def test_long_texts_are_cut_into_overlapping_windows_that_cover_everything(
    embedder: SentenceTransformerEmbedder,
) -> None:
    pieces, owners = embedder.split_long(["intro", LONG])
    windows = pieces[1:]
    assert owners.tolist() == [0] + [1] * len(windows) and len(windows) >= 3
    assert windows[0].startswith("Item 0") and windows[-1].endswith("blue flower pot.")
    tokenizer = embedder._model.tokenizer
    assert all(len(tokenizer(w, add_special_tokens=False)["input_ids"]) <= embedder.max_tokens - 2 for w in windows)
    for before, after in zip(windows, windows[1:], strict=False):
        assert after[:20] in before  # each window starts inside the previous one


def test_the_end_of_a_long_text_counts(embedder: SentenceTransformerEmbedder) -> None:
    vectors = embedder.embed_batch([LONG, "where is the spare key hidden?"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    truncated = embedder._model.encode([LONG], normalize_embeddings=True)[0]
    assert float(vectors[0] @ vectors[1]) > float(truncated @ vectors[1]) + 0.02


class SlowEmbedder:
    """The real model behind a pause, so that concurrent calls pile up meanwhile."""

    def __init__(self, inner: SentenceTransformerEmbedder) -> None:
        self.inner = inner
        self.calls: list[int] = []
        self.name, self.dim = inner.name, inner.dim

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(len(texts))
        time.sleep(0.05)
        return self.inner.embed_batch(texts)


def test_concurrent_queries_share_forward_passes_and_get_their_own_vectors(
    embedder: SentenceTransformerEmbedder,
) -> None:
    slow = SlowEmbedder(embedder)
    batcher = EmbeddingBatcher(slow)
    texts = [f"question number {i} about gardening" for i in range(24)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        vectors = list(pool.map(batcher.embed, texts))
    batcher.close()
    expected = embedder.embed_batch(texts)
    assert np.allclose(np.stack(vectors), expected, atol=1e-5)
    assert sum(slow.calls) == 24 and len(slow.calls) < 12 and max(slow.calls) > 1
    assert batcher.mean_batch > 2


def test_observers_see_every_batch_size_and_a_broken_one_fails_no_query(
    embedder: SentenceTransformerEmbedder, caplog: pytest.LogCaptureFixture
) -> None:
    slow = SlowEmbedder(embedder)
    batcher = EmbeddingBatcher(slow)
    sizes: list[int] = []

    def broken(size: int) -> None:
        raise ValueError("metrics backend gone")

    batcher.add_observer(sizes.append)
    batcher.add_observer(broken)
    with ThreadPoolExecutor(max_workers=8) as pool:
        vectors = list(pool.map(batcher.embed, [f"question {i}" for i in range(16)]))
    batcher.close()
    assert len(vectors) == 16
    assert sizes == slow.calls and sum(sizes) == 16
    assert "batch observer failed" in caplog.text


def test_concurrent_writes_share_passes_and_each_gets_its_own_rows_in_order(
    embedder: SentenceTransformerEmbedder,
) -> None:
    slow = SlowEmbedder(embedder)
    batcher = EmbeddingBatcher(slow, max_batch=16)
    writes = [[f"message {w}.{i} about the garden" for i in range(1 + w % 3)] for w in range(12)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(batcher.embed_batch, writes))
        lone = pool.submit(batcher.embed, "and one question").result()
    batcher.close()
    for texts, vectors in zip(writes, results, strict=True):
        assert vectors.shape == (len(texts), embedder.dim)
        assert np.allclose(vectors, embedder.embed_batch(texts), atol=1e-5)
    assert lone.shape == (embedder.dim,)
    total = sum(len(texts) for texts in writes) + 1
    assert sum(slow.calls) == total and len(slow.calls) < len(writes) + 1


def test_a_write_larger_than_a_batch_is_embedded_whole(embedder: SentenceTransformerEmbedder) -> None:
    slow = SlowEmbedder(embedder)
    batcher = EmbeddingBatcher(slow, max_batch=4)
    texts = [f"line {i} of a long import" for i in range(10)]
    vectors = batcher.embed_batch(texts)
    assert batcher.embed_batch([]).shape == (0, embedder.dim)
    batcher.close()
    assert slow.calls == [10] and vectors.shape == (10, embedder.dim)


def test_a_lone_query_is_not_held_back(embedder: SentenceTransformerEmbedder) -> None:
    batcher = EmbeddingBatcher(embedder)
    batcher.embed("warm up")
    vector = batcher.embed("one question")
    assert np.allclose(vector, embedder.embed_batch(["one question"])[0], atol=1e-5)
    assert batcher.batches == 2
    batcher.close()


def test_submitted_queries_are_embedded_while_the_caller_works(embedder: SentenceTransformerEmbedder) -> None:
    batcher = EmbeddingBatcher(embedder)
    pending = [batcher.submit(text) for text in ("first question", "second question")]
    vectors = np.stack([future.result(timeout=30) for future in pending])
    assert np.allclose(vectors, embedder.embed_batch(["first question", "second question"]), atol=1e-5)
    batcher.close()


def test_a_withdrawn_query_is_not_embedded(embedder: SentenceTransformerEmbedder) -> None:
    class Gated(SlowEmbedder):
        """Holds its first batch until released, so that the next queries queue up meanwhile."""

        started, release = threading.Event(), threading.Event()

        def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
            self.started.set()
            self.release.wait(timeout=30)
            return super().embed_batch(texts)

    gated = Gated(embedder)
    batcher = EmbeddingBatcher(gated)
    busy = batcher.submit("keeps the worker busy")
    assert gated.started.wait(timeout=30)
    withdrawn = batcher.submit("nobody waits for this")
    kept = batcher.submit("still wanted")
    assert withdrawn.cancel()
    gated.release.set()
    assert np.allclose(kept.result(timeout=30), embedder.embed_batch(["still wanted"])[0], atol=1e-5)
    busy.result(timeout=30)
    batcher.close()
    assert gated.calls == [1, 1] and withdrawn.cancelled()


def test_model_errors_reach_each_caller_and_closing_stops_it() -> None:
    class Broken:
        name, dim = "broken", 3

        def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
            raise RuntimeError("out of memory")

    batcher = EmbeddingBatcher(Broken())
    errors: list[BaseException] = []

    def call() -> None:
        try:
            batcher.embed("q")
        except RuntimeError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [str(e) for e in errors] == ["out of memory"] * 4
    batcher.close()
    with pytest.raises(BatcherClosedError):
        batcher.embed("q")


def test_counting_tokens_while_encoding_in_another_thread_is_safe(embedder: SentenceTransformerEmbedder) -> None:
    """The fast tokenizer keeps padding settings in shared state: unguarded, counting the tokens
    of long texts in one thread while another encodes a batch breaks the batch's padding."""
    errors: list[BaseException] = []

    def guarded(work: Callable[[], object], times: int) -> None:
        try:
            for _ in range(times):
                work()
        except Exception as exc:  # any failure in either thread fails the test
            errors.append(exc)

    threads = [
        threading.Thread(target=guarded, args=(lambda: embedder.split_long([LONG, LONG]), 200)),
        threading.Thread(target=guarded, args=(lambda: embedder.embed_batch(["a", "bb cc", "ddd eee fff"]), 30)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_loading_the_model_asks_no_network_and_sets_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("no network in this test")

    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    before = dict(os.environ)
    embedder = SentenceTransformerEmbedder(device="cpu")
    assert embedder.embed_batch(["hello"]).shape == (1, embedder.dim)
    assert attempts == [] and dict(os.environ) == before
