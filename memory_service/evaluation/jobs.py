"""Evaluation jobs in the server: submitted over REST, run one at a time in a background thread.

A job is a row in ``eval_jobs`` plus a run folder under ``<data dir>/eval_jobs/<id>`` (the
same ``results.jsonl`` / ``metrics.json`` / ``report.md`` the command line writes). Jobs run
through the client they are given: the SDK's in-process one on the server's own service, in a
namespace of their own (`JOB_NAMESPACE`) so benchmark data never mixes with a tenant's
memories. Progress is written to the row after every unit.

A job survives a restart: at start-up, jobs left queued or running are queued again and resume
from their ``results.jsonl``. Cancelling stops a job between units; its partial metrics stay.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from memory_service.domain import Page
from memory_service.errors import ConflictError, InvalidInputError, NotFoundError
from memory_service.evaluation import job_store as store
from memory_service.evaluation.client import EvalClient
from memory_service.evaluation.dataset_paths import confined, resolve_dataset
from memory_service.evaluation.datasets import DatasetFormatError, parse_locomo, parse_longmemeval
from memory_service.evaluation.job_runner import run_job
from memory_service.evaluation.job_store import EvalJob
from memory_service.evaluation.options import EvalOptions, job_options
from memory_service.pagination import PageRequest
from memory_service.store.database import Database

log = logging.getLogger(__name__)

JOB_NAMESPACE = "__eval_jobs__"
"""Where jobs store the benchmark's conversations; no API key maps to it."""
UPLOAD_DIR = "upload"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class JobRequest:
    """A job as submitted: a file on the server, or the bytes of an uploaded one."""

    benchmark: str
    options: Mapping[str, Any]
    dataset_path: str | None = None
    upload: bytes | None = None
    upload_name: str | None = None


class JobManager:
    """Stores, runs, reports and cancels the evaluation jobs of one server process."""

    def __init__(
        self, db: Database, client: EvalClient, root: Path, datasets_dir: Path, llm_model: str | None = None
    ) -> None:
        self._db = db
        self._client = client
        self.root = root
        self.datasets_dir = datasets_dir
        self.llm_model = llm_model
        self._queue: queue.Queue[int | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._guard = threading.Lock()
        self._current: tuple[int, threading.Event] | None = None
        self._closing = False

    # -- requests -------------------------------------------------------------------------

    def submit(self, namespace: str, request: JobRequest) -> EvalJob:
        """Check the request, store the job and queue it; 422 for bad options or a missing file, 403 for a
        path outside the datasets folder."""
        options = dict(request.options)
        self.options_for(request.benchmark, options)  # validation only
        if request.upload is None:
            if not request.dataset_path:
                raise InvalidInputError("give a dataset_path in the server's datasets folder, or upload the file")
            dataset = str(resolve_dataset(self.datasets_dir, request.dataset_path))
            name = PurePath(request.dataset_path).name
        else:
            _check_upload(request.benchmark, request.upload, request.upload_name or "upload.json")
            dataset, name = "", request.upload_name or "upload.json"
        with self._db.write() as db:
            row = store.insert_job(db, namespace, request.benchmark, dataset, name, options)
            if request.upload is not None:
                target = self.folder(row.id) / UPLOAD_DIR / (_SAFE_NAME.sub("_", name) or "upload.json")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(request.upload)
                row.dataset = str(target)
            job = store.to_job(row)
        self._enqueue(job.pk)
        return job

    def get(self, namespace: str, job_id: str) -> EvalJob:
        pk = store.parse_job_id(job_id)
        with self._db.read() as db:
            row = store.find_job(db, pk, namespace) if pk is not None else None
            if row is None:
                raise NotFoundError(f"evaluation job {job_id!r} not found", details={"job_id": job_id})
            return store.to_job(row)

    def list(self, namespace: str, *, limit: int = 100, cursor: str | None = None) -> Page[EvalJob]:
        """The namespace's jobs, newest first."""
        request = PageRequest.of(limit, cursor)
        with self._db.read() as db:
            jobs = [store.to_job(row) for row in store.list_jobs(db, namespace, request.after, request.fetch)]
        return request.page(jobs, key=lambda job: job.pk)

    def cancel(self, namespace: str, job_id: str) -> EvalJob:
        """Stop a job between units (a queued one never starts); 409 when it already finished."""
        job = self.get(namespace, job_id)
        if job.finished:
            raise ConflictError(f"evaluation job {job_id!r} already {job.status}", details={"status": job.status})
        with self._db.write() as db:
            if job.status == store.QUEUED:
                store.update_job(db, job.pk, status=store.CANCELLED, cancel_requested=True, finished_at=store.utcnow())
            else:
                store.update_job(db, job.pk, cancel_requested=True)
        with self._guard:
            if self._current is not None and self._current[0] == job.pk:
                self._current[1].set()
        return self.get(namespace, job_id)

    def folder(self, pk: int) -> Path:
        return self.root / str(pk)

    def dataset_file(self, job: EvalJob) -> Path:
        """The job's dataset, checked again as it is opened: its upload, or a file in the datasets folder
        (a link changed since the submission, or a job stored before the folder existed, is refused)."""
        path = Path(job.dataset)
        upload = self.folder(job.pk) / UPLOAD_DIR
        return confined(upload if path.parent == upload else self.datasets_dir, path)

    def options_for(self, benchmark: str, options: Mapping[str, Any]) -> EvalOptions:
        """The run options of a job; the server's LLM answers unless the job turns QA off."""
        return job_options(benchmark, options, self.llm_model)

    # -- background work ------------------------------------------------------------------

    def start(self) -> int:
        """Queue again the jobs a previous process left unfinished; returns how many."""
        with self._db.read() as db:
            pending = store.unfinished_job_ids(db)
        for pk in pending:
            self._enqueue(pk)
        if pending:
            log.info("resuming %d evaluation job(s) left unfinished", len(pending))
        return len(pending)

    def close(self, timeout_s: float = 60.0) -> None:
        """Stop the running job between units (it resumes at the next start) and end the thread."""
        with self._guard:
            self._closing = True
            if self._current is not None:
                self._current[1].set()
            thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout_s)

    def _enqueue(self, pk: int) -> None:
        with self._guard:
            if self._closing:
                return
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="eval-jobs", daemon=True)
                self._thread.start()
        self._queue.put(pk)

    def _work(self) -> None:
        while True:
            pk = self._queue.get()
            if pk is None:
                return
            try:
                self._run(pk)
            except Exception:  # a bug in one job must not stop the queue
                log.exception("evaluation job %s crashed", store.public_job_id(pk))
                with self._db.write() as db:
                    store.update_job(db, pk, status=store.FAILED, error="internal error; see the server log")

    def _run(self, pk: int) -> None:
        with self._db.read() as db:
            row = store.find_job(db, pk)
            job = store.to_job(row) if row is not None else None
        if job is None or job.finished:
            return
        cancel = threading.Event()
        with self._guard:
            if self._closing:
                return
            self._current = (pk, cancel)
        try:
            run_job(self, job, cancel)
        finally:
            with self._guard:
                self._current = None

    def closing(self) -> bool:
        with self._guard:
            return self._closing

    def update(self, pk: int, **values: Any) -> None:
        with self._db.write() as db:
            store.update_job(db, pk, **values)

    def cancel_requested(self, pk: int) -> bool:
        with self._db.read() as db:
            row = store.find_job(db, pk)
            return row is None or row.cancel_requested

    @property
    def client(self) -> EvalClient:
        """What jobs run on."""
        return self._client


def _check_upload(benchmark: str, content: bytes, name: str) -> None:
    """An uploaded file is small enough to check now: a 422 beats a job that fails later.

    The answer quotes nothing of the file (the parsers' messages do, for the command line's
    user reading their own file): a JSON error gives its line and column only.
    """
    try:
        raw = json.loads(content)
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"the uploaded file is not a {benchmark} file: not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"the uploaded file is not a {benchmark} file: not valid JSON (line {exc.lineno}, column {exc.colno})",
            details={"file": name},
        ) from exc
    try:
        if benchmark == "longmemeval":
            for _ in parse_longmemeval(raw, name):
                pass
        else:
            parse_locomo(raw, name)
    except (ValueError, DatasetFormatError) as exc:
        raise InvalidInputError(
            f"the uploaded file is not a {benchmark} file in the benchmark's public format; "
            f"`memory-service eval {benchmark} FILE` names the item and field that differ",
            details={"file": name},
        ) from exc
