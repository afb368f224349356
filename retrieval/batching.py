"""Micro-batching of query embeddings: concurrent searches share one forward pass.

A single query costs nearly as much as a small batch (the model's fixed overhead dominates),
so a worker thread embeds everything that queued up while it was busy in one call. It never
waits for company: a lone request is embedded as soon as the worker is free, so one client
sees no added latency, while many clients get batches that grow with the load.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future

import numpy as np

from retrieval.embedder import Embedder

log = logging.getLogger(__name__)


QUERY_TIMEOUT_S = 60.0

BatchObserver = Callable[[int], None]
"""Told the size of every batch embedded (texts in one forward pass): a metrics hook."""


class BatcherClosedError(RuntimeError):
    """The batcher was closed; no more queries are embedded."""


class QueryBatcher:
    """Embeds single texts from many threads, merging those that arrive together."""

    def __init__(self, embedder: Embedder, max_batch: int = 64) -> None:
        self.embedder = embedder
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[tuple[str, Future[np.ndarray]] | None] = queue.SimpleQueue()
        self._closed = False
        self._start_lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self.batches = 0
        self.texts = 0
        self._observers: list[BatchObserver] = []

    def add_observer(self, observer: BatchObserver) -> None:
        """Call ``observer(size)`` from the worker after each batch it embeds; it must be quick, and
        an error it raises is logged, never passed to the queries."""
        self._observers.append(observer)

    def embed(self, text: str, timeout: float | None = QUERY_TIMEOUT_S) -> np.ndarray:
        """The text's vector, computed in whatever batch the worker forms next."""
        return self.submit(text).result(timeout=timeout)

    def submit(self, text: str) -> Future[np.ndarray]:
        """Queue the text and return at once: the caller does other work while it is embedded,
        or cancels the future if it no longer needs the vector."""
        if self._closed:
            raise BatcherClosedError("query batcher is closed")
        self._ensure_worker()
        future: Future[np.ndarray] = Future()
        self._queue.put((text, future))
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
                self._worker = threading.Thread(target=self._run, name="query-batcher", daemon=True)
                self._worker.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                break
            pending = [first]
            stop = False
            while len(pending) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                pending.append(item)
            # A query its caller withdrew (the search ended early) costs nothing.
            self._embed([(text, future) for text, future in pending if future.set_running_or_notify_cancel()])
            if stop:
                break
        self._fail_remaining()

    def _embed(self, pending: list[tuple[str, Future[np.ndarray]]]) -> None:
        if not pending:
            return
        try:
            vectors = self.embedder.embed_batch([text for text, _ in pending])
        except Exception as exc:  # the caller of each query gets the model's error
            for _, future in pending:
                future.set_exception(exc)
            return
        self.batches += 1
        self.texts += len(pending)
        for observer in self._observers:
            try:
                observer(len(pending))
            except Exception:  # noqa: BLE001 - a broken metrics hook must not fail searches
                log.exception("query batch observer failed")
        for (_, future), vector in zip(pending, vectors, strict=True):
            future.set_result(vector)

    def _fail_remaining(self) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is not None and item[1].set_running_or_notify_cancel():
                item[1].set_exception(BatcherClosedError("query batcher is closed"))
