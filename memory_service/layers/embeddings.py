"""Vectors for texts, through the store's cache: every layer embeds a text once, ever."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from memory_service.store import vectors as vector_store
from memory_service.store.database import Database
from retrieval.batching import EmbeddingBatcher
from retrieval.embedder import Embedder

WRITE_TIMEOUT_S = 600.0
"""How long a write waits for its texts' vectors (a large import's batch on a slow CPU included)."""


class EmbeddingCache:
    """Vectors by (model, content hash): repeated texts are embedded once, ever.

    With ``batcher``, texts that miss the cache go through it, so that concurrent writes (and the
    extraction worker) share forward passes instead of running the model side by side.
    """

    def __init__(self, db: Database, embedder: Embedder, batcher: EmbeddingBatcher | None = None) -> None:
        self._db = db
        self._embedder = embedder
        self.batcher = batcher

    def close(self) -> None:
        if self.batcher is not None:
            self.batcher.close()

    def vectors_for(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray, dict[str, np.ndarray]]:
        """(hashes, one vector per text, the vectors that were not cached yet)."""
        hashes = [vector_store.content_hash(t) for t in texts]
        with self._db.read() as session:
            known = vector_store.load_vectors(session, self._embedder.name, hashes)
        missing = {h: t for h, t in zip(hashes, texts, strict=True) if h not in known}
        fresh: dict[str, np.ndarray] = {}
        if missing:
            texts_to_embed = list(missing.values())
            if self.batcher is not None:
                embedded = self.batcher.embed_batch(texts_to_embed, timeout=WRITE_TIMEOUT_S)
            else:
                embedded = self._embedder.embed_batch(texts_to_embed)
            fresh = dict(zip(missing.keys(), embedded, strict=True))
        every = known | fresh
        matrix = np.stack([every[h] for h in hashes]) if hashes else np.zeros((0, self._embedder.dim), np.float32)
        return hashes, matrix.astype(np.float32, copy=False), fresh
