"""Runs a benchmark against the service: load, evaluate unit by unit, append, report.

The command line and the REST jobs both call `run_evaluation`. Units (questions or
conversations) run in this process on one client, or spread over worker processes; either way
each finished record is appended to ``results.jsonl`` at once, so an interrupted run resumes
where it stopped, and the reports (``metrics.json``, ``report.md``, charts) are written from
the records at the end, also when the run was cancelled.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from memory_service.errors import InvalidInputError, MemoryServiceError
from memory_service.evaluation.client import ClientConfig, EvalClient
from memory_service.evaluation.longmemeval_eval import Cancelled
from memory_service.evaluation.options import EvalOptions
from memory_service.evaluation.report import write_reports
from memory_service.evaluation.results import RunFolder, RunManifest
from memory_service.evaluation.scoring import summarize
from memory_service.evaluation.units import UNIT_NAMES, Dataset, Unit, evaluate_unit, load_units
from memory_service.evaluation.workers import init_worker, run_unit, torch_threads

STORE_DIR = "store"


class Progress(Protocol):
    """Told how far a run is; the command line draws bars, jobs store counts."""

    def begin(self, total: int, done: int, unit_name: str) -> None: ...

    def advance(self, record: Mapping[str, Any]) -> None: ...


@dataclass(frozen=True)
class RunRequest:
    """Everything one run needs; ``client`` is the connection for units run in this process."""

    dataset: Path
    out: Path
    options: EvalOptions
    client: ClientConfig = ClientConfig()
    workers: int = 1
    resume: bool = False
    overwrite: bool = False


@dataclass(frozen=True)
class RunOutcome:
    metrics: dict[str, Any]
    folder: RunFolder
    completed: int
    failed: int
    cancelled: bool


def embedded_store(request: RunRequest) -> RunRequest:
    """Without a server URL or a data dir, the run keeps its own store inside its output folder."""
    if request.client.url or request.client.data_dir is not None:
        return request
    return replace(request, client=replace(request.client, data_dir=request.out / STORE_DIR))


def run_evaluation(
    request: RunRequest,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    client: EvalClient | None = None,
) -> RunOutcome:
    """Run (or resume) a benchmark and write its reports; returns the metrics.

    ``client`` serves the units in this process (a server runs jobs on its own service);
    without one a client is opened from ``request.client``. Raises ``InvalidInputError`` for
    options that cannot work together or a judge model that does not answer,
    ``DatasetFormatError`` / ``OSError`` for a bad file and ``ConflictError`` when the output
    folder holds another run.
    """
    if request.workers < 1:
        raise InvalidInputError("workers must be at least 1", details={"workers": request.workers})
    if client is not None and request.workers > 1:
        raise InvalidInputError("a run on a given client uses one worker", details={"workers": request.workers})
    data = load_units(request.options.benchmark, request.dataset, request.options.limit)
    if request.options.qa is not None:
        from memory_service.evaluation.qa import check_judge

        check_judge(request.options.qa)  # before any work: an unreachable judge would score every answer wrong
    folder = RunFolder(request.out)
    dataset = str(request.dataset.resolve())
    manifest = folder.start(dataset, request.options, resume=request.resume, overwrite=request.overwrite)
    manifest.units_total = len(data.units)
    manifest.extra["units_in_file"] = data.total_in_file
    done = folder.done_units() if request.resume else set()
    todo = [unit for unit in data.units if unit.id not in done]
    if progress is not None:
        progress.begin(len(data.units), len(data.units) - len(todo), UNIT_NAMES[request.options.benchmark])
    started = time.perf_counter()
    completed = failed = 0
    cancelled = False

    def on_record(record: dict[str, Any]) -> None:
        nonlocal completed, failed
        folder.append(record)
        completed += 1
        failed += bool(record.get("error"))
        if progress is not None:
            progress.advance(record)

    try:
        if request.workers == 1 or len(todo) <= 1:
            with _client(client, request.client) as own:
                cancelled = _run_here(own, todo, request.options, manifest.run_id, on_record, cancel)
        else:
            cancelled = _run_pool(request, todo, manifest.run_id, on_record, cancel)
    except BaseException:
        # Interrupted or failed: still leave reports of what finished, then let the error through.
        manifest.elapsed_s += time.perf_counter() - started
        folder.write_manifest(manifest)
        if completed:
            with contextlib.suppress(Exception):
                report(folder, request.options, data, manifest)
        raise
    manifest.elapsed_s += time.perf_counter() - started
    folder.write_manifest(manifest)
    metrics = report(folder, request.options, data, manifest)
    return RunOutcome(metrics, folder, completed, failed, cancelled)


def report(folder: RunFolder, options: EvalOptions, data: Dataset, manifest: RunManifest) -> dict[str, Any]:
    """Write ``metrics.json``, ``report.md`` and charts from the folder's records of these units."""
    wanted = {unit.id for unit in data.units}
    records = [record for record in folder.records() if record.get("unit") in wanted]
    metrics = summarize(records, options, manifest.elapsed_s)
    metrics["dataset"] = manifest.dataset
    metrics["run_id"] = manifest.run_id
    metrics["units_planned"] = len(data.units)
    metrics["complete"] = len({r["unit"] for r in records if not r.get("error")}) == len(data.units)
    write_reports(folder.root, metrics, options, records)
    return metrics


@contextmanager
def _client(given: EvalClient | None, config: ClientConfig) -> Iterator[EvalClient]:
    if given is not None:
        yield given
        return
    client = config.open()
    try:
        yield client
    finally:
        client.close()


def _run_here(
    client: EvalClient,
    todo: list[Unit],
    options: EvalOptions,
    run_id: str,
    on_record: Callable[[dict[str, Any]], None],
    cancel: threading.Event | None,
) -> bool:
    """Units one after another in this process; True when stopped by ``cancel``."""
    for unit in todo:
        if cancel is not None and cancel.is_set():
            return True
        try:
            record = evaluate_unit(client, unit, options, run_id, cancel)
        except Cancelled:
            return True
        on_record(record)
    return False


def _run_pool(
    request: RunRequest,
    todo: list[Unit],
    run_id: str,
    on_record: Callable[[dict[str, Any]], None],
    cancel: threading.Event | None,
) -> bool:
    """Units over worker processes, a few in flight per worker; True when stopped by ``cancel``.

    On Ctrl-C or ``cancel`` no new unit starts, and the ones in flight are finished and kept.
    """
    context = multiprocessing.get_context("spawn")
    slots = context.Queue()
    for index in range(request.workers):
        slots.put(index)
    embedded = request.client.url is None
    stores = (request.client.data_dir or request.out / STORE_DIR) if embedded else None
    initargs = (request.client, request.options, run_id, torch_threads(request.workers), slots, stores)
    pending = iter(todo)
    in_flight: set[Future[dict[str, Any]]] = set()
    stopped = False
    with ProcessPoolExecutor(request.workers, mp_context=context, initializer=init_worker, initargs=initargs) as pool:
        try:
            while True:
                if not stopped and cancel is not None and cancel.is_set():
                    stopped = True
                    in_flight = {future for future in in_flight if not future.cancel()}  # drop the unstarted
                while not stopped and len(in_flight) < 2 * request.workers:
                    unit = next(pending, None)
                    if unit is None:
                        break
                    in_flight.add(pool.submit(run_unit, unit))
                if not in_flight:
                    return stopped
                finished, in_flight = _wait(in_flight)
                for future in finished:
                    on_record(future.result())
        except BrokenProcessPool as exc:
            message = f"a worker process died ({exc}); finished units are kept, rerun with --resume"
            raise MemoryServiceError(message) from exc
        except KeyboardInterrupt:
            for future in in_flight:
                future.cancel()
            for future in in_flight:
                if not future.cancelled():
                    on_record(future.result())
            raise


def _wait(futures: set[Future[dict[str, Any]]]) -> tuple[set[Future[dict[str, Any]]], set[Future[dict[str, Any]]]]:
    finished, rest = wait(futures, timeout=1.0, return_when=FIRST_COMPLETED)
    return set(finished), set(rest)
