"""Unloads the partitions' loaded state, in every layer, that nobody has used for a while.

A service holds many users' partitions, most of them quiet for hours; their indexes and graphs
are derived data (episodic indexes saved to disk first), reloaded or rebuilt on the next use, so
memory goes to the partitions in use. Checked from a daemon thread, so that idle partitions go
even when no request comes.
"""

from __future__ import annotations

import logging
import threading

from memory_service.layers.cache import PartitionCache

log = logging.getLogger(__name__)


class IdleUnloader:
    """Every ``interval_s``, unloads the layers' entries idle for ``after_s`` seconds or longer."""

    def __init__(self, partitions: PartitionCache, after_s: float, interval_s: float | None = None) -> None:
        self.partitions = partitions
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
                unloaded = self.partitions.unload_idle(self.after_s)
            except Exception:  # a failed save must not stop the checks; the index reloads anyway
                log.exception("unloading idle partitions failed")
                continue
            if unloaded:
                log.info("unloaded %d layer entries (indexes, graphs) idle for %.0f s or more", unloaded, self.after_s)
