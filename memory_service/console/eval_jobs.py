"""Evaluation jobs in the console: the list and the submit form, one job's progress and results, two
runs compared.

Everything goes through the job manager the REST router uses (``app.state.eval_jobs``, found by
the router's own ``get_jobs``), in the namespace the console shows, so a job submitted here is the
same job ``GET /v1/eval/jobs/{id}`` reports. A dataset is picked from the files in the server's
datasets folder, never typed as a path; the manager checks the pick again as it opens the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import ValidationError

from memory_service.errors import InvalidInputError, MemoryServiceError, NotFoundError
from memory_service.evaluation.api import get_jobs
from memory_service.evaluation.job_schemas import EvalJobOptions, EvalJobPublic
from memory_service.evaluation.jobs import JobManager, JobRequest
from memory_service.evaluation.options import BENCHMARKS, GRANULARITIES, INGEST_CHOICES, LAYERS
from retrieval.config import DEFAULT_RECIPE, RECIPES

from . import eval_tables
from .context import Console, ConsoleDep, ConsoleRoute
from .datasets import DatasetFolder, dataset_folder
from .rendering import SECURITY_HEADERS

router = APIRouter(prefix="/admin/eval", route_class=ConsoleRoute, include_in_schema=False)
PAGE = 20
DEFAULT_LIMIT = 5
"""A few questions: the console's runs are checks that end in minutes, not the whole benchmark."""
Cursor = Annotated[str | None, Query(max_length=200)]


def _jobs(console: Console) -> JobManager:
    return get_jobs(console.request)


def _folder(console: Console, jobs: JobManager) -> DatasetFolder:
    return dataset_folder(jobs.datasets_dir, configured=console.runtime.settings.eval_datasets_dir is not None)


def _list_page(
    console: Console, cursor: str | None = None, *, form: dict[str, Any] | None = None, error: Any = None
) -> Response:
    jobs = _jobs(console)
    listed = jobs.list(console.namespace, limit=PAGE, cursor=cursor)
    return console.page(
        "eval.html",
        status=error.status_code if error is not None else 200,
        jobs=listed,
        folder=_folder(console, jobs),
        form=form or {"benchmark": "longmemeval", "recipes": [DEFAULT_RECIPE], "limit": DEFAULT_LIMIT, "qa": True},
        error=error,
        benchmarks=BENCHMARKS,
        recipes=sorted(RECIPES),
        granularities=GRANULARITIES,
        ingest_choices=INGEST_CHOICES,
        layers=LAYERS,
        llm_model=jobs.llm_model,
    )


@router.get("")
def eval_jobs(console: ConsoleDep, cursor: Cursor = None) -> Response:
    return _list_page(console, cursor)


@router.post("")
def submit(
    console: ConsoleDep,
    benchmark: Annotated[str, Form(max_length=32)],
    dataset: Annotated[str, Form(max_length=4096)] = "",
    recipes: Annotated[list[str] | None, Form()] = None,
    granularity: Annotated[str, Form(max_length=16)] = "",
    ingest: Annotated[str, Form(max_length=16)] = "all",
    top_k: Annotated[str, Form(max_length=8)] = "",
    limit: Annotated[str, Form(max_length=8)] = "",
    layers: Annotated[list[str] | None, Form()] = None,
    infer: Annotated[bool, Form()] = False,
    qa: Annotated[bool, Form()] = False,
) -> Response:
    """Queue the job and go to its page; a refusal shows the API's own message above the kept form."""
    form: dict[str, Any] = {
        "benchmark": benchmark,
        "dataset": dataset,
        "recipes": recipes or [DEFAULT_RECIPE],
        "granularity": granularity or None,
        "ingest": ingest,
        "top_k": top_k.strip() or None,
        "limit": limit.strip() or None,
        "layers": layers or None,
        "infer": infer,
        "qa": qa,
    }
    jobs = _jobs(console)
    try:
        if not dataset or dataset not in _folder(console, jobs).files:
            raise InvalidInputError(
                "pick one of the files in the server's datasets folder", details={"field": "dataset"}
            )
        options = _options({k: v for k, v in form.items() if k not in ("benchmark", "dataset")})
        if benchmark not in BENCHMARKS:
            raise InvalidInputError(f"unknown benchmark {benchmark!r}; known: {', '.join(BENCHMARKS)}")
        job = jobs.submit(console.namespace, JobRequest(benchmark, options, dataset_path=dataset))
    except MemoryServiceError as exc:
        return _list_page(console, form=form, error=exc)
    return console.done(f"/eval/{job.id}", f"{job.id} queued: {job.benchmark} on {job.dataset_name}")


def _options(values: dict[str, Any]) -> dict[str, Any]:
    """The options as the API's schema reads them (its bounds and choices), problems as a 422."""
    try:
        checked = EvalJobOptions.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        problem = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise InvalidInputError(f"{where}: {problem['msg']}", details={"field": where}) from None
    return checked.model_dump(exclude_none=True)


@router.get("/compare")
def compare(
    console: ConsoleDep,
    job: Annotated[list[str] | None, Query(max_length=40)] = None,
    a: Annotated[str, Query(max_length=40)] = "",
    b: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """Two finished runs side by side: ``a`` and ``b``, or the two ``job`` boxes ticked on the list
    (the older as A), each with its tables and B − A."""
    picked = [a, b] if a and b else list(job or [])
    if len(picked) != 2:
        raise InvalidInputError("tick exactly two finished jobs to compare", details={"picked": picked})
    jobs = _jobs(console)
    first, second = (jobs.get(console.namespace, job_id) for job_id in picked)
    if not (a and b) and second.pk < first.pk:  # ticked on the list: the older run is A
        first, second = second, first
    for run in (first, second):
        if not run.finished or not run.metrics:
            raise InvalidInputError(f"{run.id} is {run.status}: only finished runs with metrics compare")
    compared = eval_tables.compare(first.metrics, second.metrics)
    warnings = []
    if first.benchmark != second.benchmark:
        warnings.append(f"different benchmarks ({first.benchmark}, {second.benchmark}): few cells line up")
    if first.dataset_name != second.dataset_name:
        warnings.append(f"different datasets ({first.dataset_name}, {second.dataset_name})")
    return console.page(
        "eval_compare.html",
        first=first,
        second=second,
        compared=compared,
        warnings=warnings,
        summaries=(eval_tables.summary(first.metrics), eval_tables.summary(second.metrics)),
    )


@router.get("/{job_id}")
def job_page(console: ConsoleDep, job_id: str) -> Response:
    jobs = _jobs(console)
    job = jobs.get(console.namespace, job_id)
    charts = [name for name in _charts(job.metrics) if (jobs.folder(job.pk) / name).is_file()]
    others = [j for j in jobs.list(console.namespace, limit=PAGE).items if j.finished and j.metrics and j.pk != job.pk]
    return console.page(
        "eval_job.html",
        job=job,
        public=EvalJobPublic.from_domain(job),
        tables=eval_tables.tables(job.metrics),
        summary=eval_tables.summary(job.metrics),
        charts=charts,
        others=others,
    )


@router.get("/{job_id}/progress.json")
def progress(console: ConsoleDep, job_id: str) -> Response:
    """What the job page's script polls: the API's own job body."""
    job = _jobs(console).get(console.namespace, job_id)
    return JSONResponse(EvalJobPublic.from_domain(job).model_dump(mode="json"), headers=SECURITY_HEADERS)


@router.get("/{job_id}/charts/{name}")
def chart(console: ConsoleDep, job_id: str, name: str) -> Response:
    """A chart the job drew, from its own run folder: only the names its metrics list."""
    jobs = _jobs(console)
    job = jobs.get(console.namespace, job_id)
    path = jobs.folder(job.pk) / name
    if name not in _charts(job.metrics) or Path(name).name != name or not path.is_file():
        raise NotFoundError(f"job {job_id} has no chart {name!r}", details={"chart": name})
    return FileResponse(path, media_type="image/png", headers=SECURITY_HEADERS)


@router.post("/{job_id}/cancel")
def cancel(console: ConsoleDep, job_id: str) -> Response:
    job = _jobs(console).cancel(console.namespace, job_id)
    return console.done(f"/eval/{job.id}", f"{job.id} {job.status}: it stops after the question in hand")


def _charts(metrics: dict[str, Any] | None) -> list[str]:
    listed = (metrics or {}).get("charts") or []
    return [name for name in listed if isinstance(name, str) and name.endswith(".png")]
