"""Unloads partitions' search indexes that nobody has used for a while.

A service holds many users' partitions, most of them quiet for hours; their indexes are
derived data, saved to disk and reloaded on the next search, so memory goes to the partitions
in use. Checked from a daemon thread, so that idle partitions go even when no request comes.
"""

from __future__ import annotations

import logging
import threading

from memory_service.services.indexes import IndexManager

log = logging.getLogger(__name__)


class IdleUnloader:
    """Every ``interval_s``, unloads the partitions idle for ``after_s`` or longer."""

    def __init__(self, indexes: IndexManager, after_s: float, interval_s: float | None = None) -> None:
        self.indexes = indexes
        self.after_s = after_s
        self.interval_s = interval_s if interval_s is not None else min(60.0, max(after_s / 4, 0.05))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="index-unloader", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                unloaded = self.indexes.unload_idle(self.after_s)
            except Exception:  # a failed save must not stop the checks; the index reloads anyway
                log.exception("unloading idle partitions failed")
                continue
            if unloaded:
                log.info("unloaded %d partition index(es) idle for %.0f s or more", unloaded, self.after_s)
