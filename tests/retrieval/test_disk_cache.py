"""The on-disk vector cache: the real model once, the file after, for every process and run."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from retrieval.disk_cache import DiskCachedEmbedder
from retrieval.embedder import SentenceTransformerEmbedder


class Counting:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, inner: SentenceTransformerEmbedder) -> None:
        self.inner = inner
        self.embedded: list[str] = []
        self.name, self.dim = inner.name, inner.dim

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return self.inner.embed_batch(texts)


TEXTS = ["I adopted a beagle named Biscuit.", "My sister lives in Porto.", "I adopted a beagle named Biscuit."]


def test_a_second_cache_on_the_same_folder_embeds_nothing_again(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    first_model = Counting(embedder)
    first = DiskCachedEmbedder(first_model, tmp_path)
    vectors = first.embed_batch(TEXTS)
    assert first_model.embedded == TEXTS[:2]  # the repeated text embedded once
    np.testing.assert_allclose(vectors, embedder.embed_batch(TEXTS), atol=1e-6)
    first.close()
    again_model = Counting(embedder)
    again = DiskCachedEmbedder(again_model, tmp_path)  # a later run, or another worker process
    np.testing.assert_array_equal(again.embed_batch(TEXTS), vectors)
    assert again_model.embedded == [] and (again.hits, again.misses) == (3, 0)
    more = again.embed_batch(["A text never seen."])
    assert again_model.embedded == ["A text never seen."] and more.shape == (1, embedder.dim)
    assert again.embed_batch([]).shape == (0, embedder.dim)


def test_vectors_are_kept_apart_by_model(tmp_path: Path, embedder: SentenceTransformerEmbedder) -> None:
    class Other(Counting):
        def __init__(self, inner: SentenceTransformerEmbedder) -> None:
            super().__init__(inner)
            self.name = "another-model"

    DiskCachedEmbedder(Counting(embedder), tmp_path).embed_batch(TEXTS)
    other = Other(embedder)
    DiskCachedEmbedder(other, tmp_path).embed_batch(TEXTS)
    assert other.embedded == TEXTS[:2]  # another model's vectors are never reused
    assert len(list(tmp_path.glob("*.sqlite"))) == 2
