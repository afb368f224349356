"""Vectors kept on disk across stores and runs, keyed by the model's identity and the text's hash.

The store caches every vector it embeds, but an evaluation gives each question a store of its
own and deletes it after: a second run (another recipe, the same questions) would embed the same
texts again, and that is most of its time. Wrapped around the embedder, this cache answers those
texts from a SQLite file per model in a folder shared by every worker process, so the second run
embeds nothing it has seen. A vector is the model's output for the text, so it is only reused
for the same model: the file is named by the model's name and dimension.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from retrieval.embedder import Embedder

BUSY_TIMEOUT_MS = 30_000
"""How long a worker waits for another to finish writing: writes are short, workers many."""


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class DiskCachedEmbedder:
    """An :class:`~retrieval.embedder.Embedder` that embeds only texts its folder has no vector of."""

    def __init__(self, inner: Embedder, folder: Path) -> None:
        self.inner = inner
        folder.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", inner.name)
        self.path = folder / f"{safe}-{inner.dim}.sqlite"
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        self._db.commit()
        self.hits = 0
        self.misses = 0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return self.inner.dim

    @property
    def device(self) -> str:
        return str(getattr(self.inner, "device", "cpu"))

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        keys = [text_key(text) for text in texts]
        found = self._load(set(keys))
        missing = list(dict.fromkeys(key for key in keys if key not in found))
        if missing:
            wanted = set(missing)
            first = {key: text for key, text in zip(keys, texts, strict=True) if key in wanted}
            embedded = self.inner.embed_batch([first[key] for key in missing])
            fresh = dict(zip(missing, embedded, strict=True))
            self._store(fresh)
            found |= fresh
        self.hits += len(keys) - len(missing)
        self.misses += len(missing)
        return np.stack([found[key] for key in keys]).astype(np.float32, copy=False)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _load(self, keys: set[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        ordered = sorted(keys)
        with self._lock:
            for start in range(0, len(ordered), 900):
                chunk = ordered[start : start + 900]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk).fetchall()
                found.update((key, np.frombuffer(blob, dtype=np.float32)) for key, blob in rows)
        return {key: vector for key, vector in found.items() if vector.shape == (self.dim,)}

    def _store(self, vectors: dict[str, np.ndarray]) -> None:
        rows = [(key, np.ascontiguousarray(vector, dtype=np.float32).tobytes()) for key, vector in vectors.items()]
        with self._lock:
            self._db.executemany("INSERT OR IGNORE INTO vectors (key, vector) VALUES (?, ?)", rows)
            self._db.commit()
