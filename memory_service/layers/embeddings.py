"""Vectors for texts, through the store's cache: every layer embeds a text once, ever."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from memory_service.store import vectors as vector_store
from memory_service.store.database import Database
from retrieval.embedder import Embedder


class EmbeddingCache:
    """Vectors by (model, content hash): repeated texts are embedded once, ever."""

    def __init__(self, db: Database, embedder: Embedder) -> None:
        self._db = db
        self._embedder = embedder

    def vectors_for(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray, dict[str, np.ndarray]]:
        """(hashes, one vector per text, the vectors that were not cached yet)."""
        hashes = [vector_store.content_hash(t) for t in texts]
        with self._db.read() as session:
            known = vector_store.load_vectors(session, self._embedder.name, hashes)
        missing = {h: t for h, t in zip(hashes, texts, strict=True) if h not in known}
        fresh: dict[str, np.ndarray] = {}
        if missing:
            embedded = self._embedder.embed_batch(list(missing.values()))
            fresh = dict(zip(missing.keys(), embedded, strict=True))
        every = known | fresh
        matrix = np.stack([every[h] for h in hashes]) if hashes else np.zeros((0, self._embedder.dim), np.float32)
        return hashes, matrix.astype(np.float32, copy=False), fresh
