"""One job's run inside the server: the runner on the job manager's client, progress into the job row."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from memory_service.errors import MemoryServiceError
from memory_service.evaluation import job_store as store
from memory_service.evaluation.client import EvalClient
from memory_service.evaluation.datasets import DatasetFormatError
from memory_service.evaluation.job_store import EvalJob
from memory_service.evaluation.options import EvalOptions
from memory_service.evaluation.runner import RunRequest, run_evaluation
from memory_service.evaluation.scoring import rounded

log = logging.getLogger(__name__)


class JobHost(Protocol):
    """What a job's run needs from the manager running it (``jobs.JobManager``, which imports this module)."""

    @property
    def client(self) -> EvalClient: ...

    def options_for(self, benchmark: str, options: Mapping[str, Any]) -> EvalOptions: ...

    def folder(self, pk: int) -> Path: ...

    def dataset_file(self, job: EvalJob) -> Path: ...

    def update(self, pk: int, **values: Any) -> None: ...

    def cancel_requested(self, pk: int) -> bool: ...

    def closing(self) -> bool: ...


class JobProgress:
    """Writes counts to the job row after every unit, and notices a cancel made by another process."""

    def __init__(self, manager: JobHost, pk: int, cancel: threading.Event) -> None:
        self._manager = manager
        self._pk = pk
        self._cancel = cancel
        self._done = 0
        self._failed = 0

    def begin(self, total: int, done: int, unit_name: str) -> None:
        self._done = done
        self._manager.update(self._pk, total=total, done=done)

    def advance(self, record: Mapping[str, Any]) -> None:
        self._done += 1
        self._failed += bool(record.get("error"))
        self._manager.update(self._pk, done=self._done, failed=self._failed)
        if self._manager.cancel_requested(self._pk):
            self._cancel.set()


def run_job(manager: JobHost, job: EvalJob, cancel: threading.Event) -> None:
    """Run or resume ``job`` to the end, a cancel, or a server shutdown (which leaves it queued)."""
    if job.cancel_requested:
        manager.update(job.pk, status=store.CANCELLED, finished_at=store.utcnow())
        return
    manager.update(job.pk, status=store.RUNNING, started_at=job.started_at or store.utcnow(), error=None)
    try:
        options = manager.options_for(job.benchmark, job.options)
        request = RunRequest(
            dataset=manager.dataset_file(job), out=manager.folder(job.pk), options=options, resume=True
        )
        outcome = run_evaluation(request, JobProgress(manager, job.pk, cancel), cancel, manager.client)
    except DatasetFormatError:
        # The parser's message quotes the file; the job's error, readable over the API, must not.
        error = f"the dataset {job.dataset_name!r} is not a {job.benchmark} file in the benchmark's public format"
        manager.update(job.pk, status=store.FAILED, error=error, finished_at=store.utcnow())
        return
    except OSError as exc:
        error = f"cannot read the dataset {job.dataset_name!r}: {exc.strerror or type(exc).__name__}"
        manager.update(job.pk, status=store.FAILED, error=error, finished_at=store.utcnow())
        return
    except MemoryServiceError as exc:
        manager.update(job.pk, status=store.FAILED, error=exc.message, finished_at=store.utcnow())
        return
    if outcome.cancelled and manager.closing() and not manager.cancel_requested(job.pk):
        manager.update(job.pk, status=store.QUEUED)  # picked up again at the next start
        log.info("evaluation job %s paused at shutdown; it resumes at the next start", job.id)
        return
    status = store.CANCELLED if outcome.cancelled else store.SUCCEEDED
    manager.update(job.pk, status=status, metrics=rounded(outcome.metrics), finished_at=store.utcnow())
