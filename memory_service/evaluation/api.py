"""Evaluation jobs over REST, and their life in the server.

The app mounts :data:`router` and runs its lifespan inside :func:`jobs_running`, which builds the
job manager on the app's runtime, resumes the jobs a previous server process left unfinished,
and stops them (between units, to resume at the next start) before the runtime closes. Jobs
reach the service only through the SDK's in-process client, in a namespace of their own.

``POST /v1/eval/jobs`` takes JSON (a dataset path, inside the server's datasets folder) or
multipart form data (an uploaded file, with ``benchmark`` and ``options`` as fields). Every route
needs the ``admin`` scope.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from memory_service.api.deps import ADMIN, Limit, NamespaceDep
from memory_service.errors import InvalidInputError, UnavailableError
from memory_service.evaluation.job_schemas import EvalJobCreate, EvalJobOptions, EvalJobPublic, EvalJobsPage
from memory_service.evaluation.jobs import JOB_NAMESPACE, JobManager, JobRequest
from memory_service.schemas import ErrorResponse
from memory_service.sdk.local import LocalMemoryClient

JOBS_DIR = "eval_jobs"
"""The jobs' run folders, under the data dir."""


@asynccontextmanager
async def jobs_running(app: FastAPI) -> AsyncIterator[JobManager]:
    """Run evaluation jobs on ``app.state.runtime`` for as long as the block lasts."""
    runtime = app.state.runtime
    jobs = JobManager(
        runtime.db,
        LocalMemoryClient(runtime, namespace=JOB_NAMESPACE),
        runtime.settings.data_dir / JOBS_DIR,
        runtime.settings.datasets_dir,
        llm_model=runtime.settings.llm_model,
    )
    runtime.settings.datasets_dir.mkdir(parents=True, exist_ok=True)  # where an operator puts datasets
    app.state.eval_jobs = jobs
    await run_in_threadpool(jobs.start)
    try:
        yield jobs
    finally:
        await run_in_threadpool(jobs.close)


# Jobs run server-side work (and the server's LLM) on the operator's behalf: an admin matter.
router = APIRouter(
    prefix="/v1/eval/jobs",
    tags=["evaluation"],
    dependencies=[ADMIN],
    responses={code: {"model": ErrorResponse} for code in (403, 404, 422)},
)


def get_jobs(request: Request) -> JobManager:
    jobs: JobManager | None = getattr(request.app.state, "eval_jobs", None)
    if jobs is None:
        raise UnavailableError("evaluation jobs run only while the app's lifespan runs (uvicorn starts it)")
    return jobs


JobsDep = Annotated[JobManager, Depends(get_jobs)]
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")

_SUBMIT_BODIES: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/EvalJobCreate"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["benchmark", "file"],
                    "properties": {
                        "benchmark": {"type": "string", "enum": ["longmemeval", "locomo"]},
                        "options": {"type": "string", "description": "EvalJobOptions as JSON"},
                        "file": {"type": "string", "format": "binary"},
                    },
                }
            },
        },
    }
}


@router.post("", status_code=status.HTTP_201_CREATED, response_model=EvalJobPublic, openapi_extra=_SUBMIT_BODIES)
async def submit_job(request: Request, jobs: JobsDep, namespace: NamespaceDep) -> EvalJobPublic:
    """Queue a benchmark run over a file on the server (JSON) or an uploaded one (multipart)."""
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        job_request = await _from_form(request)
    else:
        body = _validated(EvalJobCreate, await request.body(), json_text=True)
        job_request = JobRequest(
            benchmark=body.benchmark,
            options=body.options.model_dump(exclude_none=True),
            dataset_path=body.dataset_path,
        )
    job = await run_in_threadpool(jobs.submit, namespace, job_request)
    return EvalJobPublic.from_domain(job)


@router.get("", response_model=EvalJobsPage)
def list_jobs(jobs: JobsDep, namespace: NamespaceDep, limit: Limit = 100, cursor: str | None = None) -> EvalJobsPage:
    """The caller's jobs, newest first, a page at a time."""
    return EvalJobsPage.from_domain(jobs.list(namespace, limit=limit, cursor=cursor))


@router.get("/{job_id}", response_model=EvalJobPublic)
def get_job(job_id: str, jobs: JobsDep, namespace: NamespaceDep) -> EvalJobPublic:
    """Status and progress; ``metrics`` once the job has finished."""
    return EvalJobPublic.from_domain(jobs.get(namespace, job_id))


@router.post("/{job_id}/cancel", response_model=EvalJobPublic, responses={409: {"model": ErrorResponse}})
def cancel_job(job_id: str, jobs: JobsDep, namespace: NamespaceDep) -> EvalJobPublic:
    """Stop the job after the unit in hand; finished units and their metrics are kept."""
    return EvalJobPublic.from_domain(jobs.cancel(namespace, job_id))


async def _from_form(request: Request) -> JobRequest:
    # Closing the form closes its spooled upload file, which nothing else would do.
    async with request.form() as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInputError("multipart submissions need the dataset as a file field named 'file'")
        benchmark = form.get("benchmark")
        raw_options = form.get("options") or "{}"
        if not isinstance(raw_options, str):
            raise InvalidInputError("the 'options' field must be JSON text")
        options = _validated(EvalJobOptions, raw_options, json_text=True, loc=("options",))
        body = _validated(EvalJobCreate, {"benchmark": benchmark, "dataset_path": upload.filename or "upload.json"})
        return JobRequest(
            benchmark=body.benchmark,
            options=options.model_dump(exclude_none=True),
            upload=await upload.read(),
            upload_name=upload.filename or "upload.json",
        )


def _validated(schema: Any, data: Any, *, json_text: bool = False, loc: tuple[str, ...] = ("body",)) -> Any:
    """``schema`` from JSON text or a dict; problems answer like any other 422 of the API."""
    try:
        return schema.model_validate_json(data) if json_text else schema.model_validate(data)
    except ValidationError as exc:
        errors = [{**error, "loc": (*loc, *error["loc"])} for error in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from exc
