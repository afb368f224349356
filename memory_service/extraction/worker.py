"""The background worker that turns queued episodes into semantic memories and graph relations.

``infer=true`` writes queue an extraction task in the same transaction as their episodes. This
worker claims tasks one at a time; for each it reads the task's episodes once into statements
(one rules pass, or one model call), grows the user's temporal graph from their graph view (when
a graph layer runs), then consolidates their facts view and marks the task done in the
consolidation's own transaction, so a task's semantic effects and its completion land together.
Graph ingestion is idempotent: a replayed batch reinforces the relations it already stored.
A task found ``running`` whose claim is older than the lease was left by a worker that died; it
is put back and done again. Consolidating the same facts twice changes nothing (replays are
NOOPs), so a crash between the two can never duplicate memories.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta

from agents.extraction import EpisodeText
from agents.statements import StatementBatch, StatementExtractor, facts_view, graph_view
from memory_service.domain import Episode
from memory_service.extraction import queue as tasks
from memory_service.extraction.queue import ClaimedTask
from memory_service.forgetting import forget_vanished_sources
from memory_service.layers.episodic import repository as repo
from memory_service.layers.semantic.consolidation import Consolidator
from memory_service.layers.temporal.service import GraphService
from memory_service.store.database import Database

log = logging.getLogger(__name__)

DEFAULT_LEASE_S = 600.0
MAX_ATTEMPTS = 3


class ExtractionWorker:
    """One daemon thread draining the extraction queue; ``wake`` (or setting the ``wake`` event it
    was given) skips the idle wait."""

    def __init__(
        self,
        db: Database,
        consolidator: Consolidator,
        extractor: StatementExtractor,
        *,
        poll_s: float = 1.0,
        lease_s: float = DEFAULT_LEASE_S,
        max_attempts: int = MAX_ATTEMPTS,
        graph: GraphService | None = None,
        wake: threading.Event | None = None,
    ) -> None:
        self.db = db
        self.consolidator = consolidator
        self.extractor = extractor
        self.graph = graph
        self.poll_s = poll_s
        self.lease_s = lease_s
        self.max_attempts = max_attempts
        self._wake = wake if wake is not None else threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_reclaim = 0.0

    def start(self, *, reclaim_all_running: bool = False) -> None:
        """Reclaim abandoned tasks, then start draining.

        ``reclaim_all_running``: every ``running`` task is abandoned, whatever its lease (true of a
        store only this process serves, such as an embedded SQLite file at start-up).
        """
        self.reclaim(everything=reclaim_all_running)
        self._thread = threading.Thread(target=self._loop, name="extraction-worker", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def close(self, timeout: float = 30.0) -> bool:
        """Stop once the task in hand is done, waiting at most ``timeout`` seconds; False when it
        is still running then (its task, left ``running``, is reclaimed by the next start or lease)."""
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def reclaim(self, *, everything: bool = False) -> int:
        """Put tasks whose worker died back in the queue; returns how many."""
        now = datetime.now(UTC)
        cutoff = now + timedelta(microseconds=1) if everything else now - timedelta(seconds=self.lease_s)
        with self.db.write() as db:
            count = tasks.reclaim_stale(db, cutoff)
        self._last_reclaim = time.monotonic()
        if count:
            log.warning("put %d abandoned extraction task(s) back in the queue", count)
        return count

    def run_once(self) -> bool:
        """Claim and process one task; False when the queue had none free."""
        with self.db.read() as db:
            if not tasks.has_pending(db):
                return False
        with self.db.write() as db:
            task = tasks.claim(db)
        if task is None:
            return False
        self._process(task)
        return True

    def drain(self) -> int:
        """Process tasks until none is pending (for tools and tests); returns how many."""
        done = 0
        while self.run_once():
            done += 1
        return done

    def _process(self, task: ClaimedTask) -> None:
        try:
            with self.db.read() as db:
                episodes = repo.episodes_by_pk(db, task.episode_pks)
            texts = [_episode_text(e) for e in sorted(episodes.values(), key=lambda e: (e.occurred_at, e.pk))]
            batch = self.extractor.extract(texts) if texts else StatementBatch()
            for warning in batch.warnings:
                log.info("extraction task %d: %s", task.pk, warning)
            if self.graph is not None:
                changes = self.graph.ingest(task.user_pk, graph_view(batch))
                log.debug("extraction task %d: graph %s", task.pk, changes)
            facts = facts_view(batch)
            vanished: list[bool] = []
            report = self.consolidator.consolidate(
                task.user_pk,
                facts,
                actor="extractor",
                task_pk=task.pk,
                before_commit=lambda db: vanished.append(forget_vanished_sources(db, task.user_pk, task.episode_pks)),
            )
            log.debug("extraction task %d: %d facts, %s", task.pk, len(facts), report)
            if any(vanished):
                self._forgotten_meanwhile(task)
        except Exception as exc:  # noqa: BLE001 - any failure of one task is recorded on it; the worker goes on
            retry = task.attempts < self.max_attempts
            log.warning("extraction task %d failed (attempt %d): %s", task.pk, task.attempts, exc, exc_info=True)
            with self.db.write() as db:
                tasks.fail(db, task.pk, f"{type(exc).__name__}: {exc}", retry=retry)

    def _forgotten_meanwhile(self, task: ClaimedTask) -> None:
        """Some of the task's episodes were forgotten while it ran: what it drew from them is gone
        from the store; the cached graph goes too, and the store's files are scrubbed."""
        log.info("extraction task %d: episodes forgotten while it ran; what it drew from them is forgotten", task.pk)
        if self.graph is not None:
            self.graph.forget(task.user_pk)
        self.db.scrub()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                if time.monotonic() - self._last_reclaim > self.lease_s / 4:
                    self.reclaim()
                if self.run_once():
                    continue
            except Exception:  # noqa: BLE001 - the store may be briefly unreachable; try again later
                log.exception("extraction worker: queue access failed")
            self._wake.wait(self.poll_s)
            self._wake.clear()


def _episode_text(episode: Episode) -> EpisodeText:
    """Conversations between people name the speaker in metadata; their turns speak for them."""
    speaker = episode.metadata.get("speaker")
    role = speaker if isinstance(speaker, str) and speaker.strip() else episode.role
    return EpisodeText(episode.id, role, episode.content, episode.occurred_at, episode.session_id)
