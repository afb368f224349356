"""API schemas of evaluation jobs: ``EvalJobCreate`` comes in, ``EvalJobPublic`` / ``EvalJobsPage`` go out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from memory_service.domain import Page
from memory_service.evaluation.job_store import EvalJob
from memory_service.evaluation.options import RunOptions
from memory_service.schemas import ItemsPage


class EvalJobOptions(RunOptions):
    """How to run the benchmark: the run options of the command line, with its defaults; the
    server's LLM answers unless ``qa`` is false or ``llm_model`` names another."""


class EvalJobCreate(BaseModel):
    """A job over a benchmark file in the server's datasets folder (upload one with multipart instead)."""

    model_config = ConfigDict(extra="forbid")

    benchmark: Literal["longmemeval", "locomo"]
    dataset_path: str = Field(
        min_length=1,
        max_length=4096,
        description="The file's path in the server's datasets folder (MEMORY_EVAL_DATASETS_DIR), relative to it.",
    )
    options: EvalJobOptions = Field(default_factory=EvalJobOptions)


class EvalJobProgress(BaseModel):
    done: int
    total: int | None
    failed: int
    unit: str
    fraction: float | None = Field(description="done / total, in [0, 1].")
    eta_s: float | None = Field(description="Seconds left at the rate of this run so far.")


class EvalJobPublic(BaseModel):
    id: str
    benchmark: str
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    dataset: str = Field(description="The dataset's file name.")
    options: dict[str, Any]
    progress: EvalJobProgress
    error: str | None
    metrics: dict[str, Any] | None = Field(description="metrics.json of the run, once finished (partial if cancelled).")
    created_at: datetime
    started_at: datetime | None
    updated_at: datetime
    finished_at: datetime | None

    @classmethod
    def from_domain(cls, job: EvalJob) -> EvalJobPublic:
        return cls(
            id=job.id,
            benchmark=job.benchmark,
            status=job.status,  # type: ignore[arg-type]  # the store only writes these
            dataset=job.dataset_name,
            options=job.options,
            progress=_progress(job),
            error=job.error,
            metrics=job.metrics,
            created_at=job.created_at,
            started_at=job.started_at,
            updated_at=job.updated_at,
            finished_at=job.finished_at,
        )


class EvalJobsPage(ItemsPage[EvalJobPublic]):
    @classmethod
    def from_domain(cls, page: Page[EvalJob]) -> EvalJobsPage:
        return cls.convert(page, EvalJobPublic.from_domain)


def _progress(job: EvalJob) -> EvalJobProgress:
    fraction = job.done / job.total if job.total else None
    eta = None
    if job.status == "running" and job.started_at and job.total and 0 < job.done < job.total:
        elapsed = (datetime.now(UTC) - job.started_at).total_seconds()
        eta = elapsed / job.done * (job.total - job.done)
    return EvalJobProgress(
        done=job.done,
        total=job.total,
        failed=job.failed,
        unit="questions" if job.benchmark == "longmemeval" else "conversations",
        fraction=fraction,
        eta_s=eta,
    )
