"""Micro-batching of embeddings: concurrent requests share one forward pass.

A single text costs nearly as much as a small batch (the model's fixed overhead dominates), and
forward passes run from many threads at once only fight over the same cores, so a worker thread
embeds everything that queued up while it was busy in one call. It never waits for company: a
lone request is embedded as soon as the worker is free, so one client sees no added latency,
while many clients get batches that grow with the load. Searches submit their query (one
text); writes submit their messages (several texts, kept together in one pass).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np

from retrieval.embedder import Embedder

log = logging.getLogger(__name__)


QUERY_TIMEOUT_S = 60.0

BatchObserver = Callable[[int], None]
"""Told the size of every batch embedded (texts in one forward pass): a metrics hook."""


class BatcherClosedError(RuntimeError):
    """The batcher was closed; no more texts are embedded."""


@dataclass(frozen=True)
class _Request:
    texts: tuple[str, ...]
    future: Future[np.ndarray]
    one: bool
    """A single text, answered with its vector rather than a matrix of one row."""


class EmbeddingBatcher:
    """Embeds texts from many threads, merging the requests that arrive together.

    A batch closes once it holds ``max_batch`` texts; a request is never split across batches.
    """

    def __init__(self, embedder: Embedder, max_batch: int = 64, *, name: str = "embedding-batcher") -> None:
        self.embedder = embedder
        self.max_batch = max_batch
        self.name = name
        self._queue: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._closed = False
        self._start_lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self.batches = 0
        self.texts = 0
        self._observers: list[BatchObserver] = []

    def add_observer(self, observer: BatchObserver) -> None:
        """Call ``observer(size)`` from the worker after each batch it embeds; it must be quick, and
        an error it raises is logged, never passed to the callers."""
        self._observers.append(observer)

    def embed(self, text: str, timeout: float | None = QUERY_TIMEOUT_S) -> np.ndarray:
        """The text's vector, computed in whatever batch the worker forms next."""
        return self.submit(text).result(timeout=timeout)

    def embed_batch(self, texts: Sequence[str], timeout: float | None = QUERY_TIMEOUT_S) -> np.ndarray:
        """The texts' vectors (one row each), computed together in the worker's next batch."""
        if not texts:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return self._put(tuple(texts), one=False).result(timeout=timeout)

    def submit(self, text: str) -> Future[np.ndarray]:
        """Queue the text and return at once: the caller does other work while it is embedded,
        or cancels the future if it no longer needs the vector."""
        return self._put((text,), one=True)

    def _put(self, texts: tuple[str, ...], *, one: bool) -> Future[np.ndarray]:
        if self._closed:
            raise BatcherClosedError(f"{self.name} is closed")
        self._ensure_worker()
        future: Future[np.ndarray] = Future()
        self._queue.put(_Request(texts, future, one))
        return future

    def close(self) -> None:
        self._closed = True
        if self._worker is not None:
            self._queue.put(None)
            self._worker.join(timeout=5)

    @property
    def mean_batch(self) -> float:
        return self.texts / self.batches if self.batches else 0.0

    def _ensure_worker(self) -> None:
        if self._worker is not None:
            return
        with self._start_lock:
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._worker.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                break
            pending = [first]
            size = len(first.texts)
            stop = False
            while size < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                pending.append(item)
                size += len(item.texts)
            # A request its caller withdrew (the search ended early) costs nothing.
            self._embed([request for request in pending if request.future.set_running_or_notify_cancel()])
            if stop:
                break
        self._fail_remaining()

    def _embed(self, pending: list[_Request]) -> None:
        if not pending:
            return
        texts = [text for request in pending for text in request.texts]
        try:
            vectors = self.embedder.embed_batch(texts)
        except Exception as exc:  # the caller of each request gets the model's error
            for request in pending:
                request.future.set_exception(exc)
            return
        self.batches += 1
        self.texts += len(texts)
        for observer in self._observers:
            try:
                observer(len(texts))
            except Exception:  # noqa: BLE001 - a broken metrics hook must not fail its callers
                log.exception("%s: batch observer failed", self.name)
        start = 0
        for request in pending:
            rows = vectors[start : start + len(request.texts)]
            start += len(request.texts)
            request.future.set_result(rows[0] if request.one else rows)

    def _fail_remaining(self) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is not None and item.future.set_running_or_notify_cancel():
                item.future.set_exception(BatcherClosedError(f"{self.name} is closed"))
