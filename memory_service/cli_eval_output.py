"""What ``memory-service eval`` draws: progress bars while a run goes, metric tables after it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text


def print_longmemeval(metrics: Mapping[str, Any]) -> None:
    keys = ("recall_all@5", "recall_all@10", "recall_any@5", "ndcg_any@10")
    recipes: Mapping[str, Mapping[str, Any]] = metrics.get("recipes") or {}
    table = Table(
        title=f"LongMemEval retrieval ({metrics.get('questions_scored')} questions scored)",
        caption="all = recall_all, any = recall_any, ndcg = ndcg_any; p50 = median search latency",
    )
    for column in ("recipe", "ranking"):
        table.add_column(column, no_wrap=True)
    for key in keys:
        table.add_column(key.replace("recall_", "").replace("_any", ""), justify="right")
    table.add_column("p50 ms", justify="right")
    for name, recipe_metrics in recipes.items():
        for ranking in ("session", "turn", "turn_to_session"):
            scores = recipe_metrics.get(ranking)
            if scores:
                latency = recipe_metrics["timing"].get(f"query_p50_ms_{ranking}")
                row = (_fmt(scores.get(k)) for k in keys)
                table.add_row(name, ranking, *row, _fmt(latency, 1) if latency is not None else "")
    Console().print(table)
    print_qa(metrics)


def print_locomo(metrics: Mapping[str, Any]) -> None:
    keys = ("recall@1", "recall@5", "recall@10", "recall@50")
    table = Table(title=f"LoCoMo evidence recall, official rules ({metrics.get('questions_scored')} questions)")
    for column in ("recipe", "category", "n"):
        table.add_column(column)
    for key in keys:
        table.add_column(key, justify="right")
    for name, recipe_metrics in (metrics.get("recipes") or {}).items():
        for category, entry in (recipe_metrics.get("by_category") or {}).items():
            label = f"{category} {entry['name']}"
            table.add_row(name, label, str(entry["questions"]), *(_fmt(entry.get(k)) for k in keys))
        overall = recipe_metrics.get("overall") or {}
        scored = str(recipe_metrics.get("questions_scored"))
        table.add_row(name, "overall", scored, *(_fmt(overall.get(k)) for k in keys))
        headline = recipe_metrics.get("overall_1_4") or {}
        table.add_row(name, "overall 1-4", "", *(_fmt(headline.get(k)) for k in keys))
        cleaned = recipe_metrics.get("cleaned") or {}
        scored = str(cleaned.get("questions_scored"))
        table.add_row(name, "cleaned 1-4", scored, *(_fmt((cleaned.get("overall") or {}).get(k)) for k in keys))
    Console().print(table)
    print_qa(metrics)


def print_qa(metrics: Mapping[str, Any]) -> None:
    qa = metrics.get("qa")
    if not qa:
        typer.echo(str(metrics.get("qa_skipped") or "QA skipped"))
        return
    judge = f"judge {qa['judge_model']}" + ("" if qa.get("judge_is_official") else ", not the benchmark's judge")
    errors = f"; {qa['errors']} LLM errors counted wrong" if qa.get("errors") else ""
    if "task_averaged_accuracy" in qa:
        typer.echo(
            f"QA ({qa['model']}, {judge}): accuracy {_fmt(qa['accuracy'])}, task-averaged "
            f"{_fmt(qa['task_averaged_accuracy'])}, abstention {_fmt(qa['abstention_accuracy'])}{errors}"
        )
    else:
        typer.echo(
            f"QA ({qa['model']}, {judge}): F1 {_fmt(qa['f1'])}, judge accuracy {_fmt(qa['accuracy'])} "
            f"(1-4: F1 {_fmt(qa.get('f1_1_4'))}, accuracy {_fmt(qa.get('accuracy_1_4'))}){errors}"
        )


class _RateColumn(ProgressColumn):
    """Seconds per unit, the figure a full run is planned with."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        unit = task.fields.get("unit", "unit")
        return Text(f"{1 / speed:.1f} s/{unit}" if speed else f"- s/{unit}", style="progress.data.speed")


class RichProgress:
    """Rich bars with count, rate and ETA, and a running count of failed units."""

    def __init__(self) -> None:
        self._bar = Progress(
            SpinnerColumn(),
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            _RateColumn(),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[failed]}"),
            console=Console(stderr=True),
            # A LongMemEval_S question takes over a minute on a CPU: average over enough of them.
            speed_estimate_period=1800,
        )
        self._task: Any = None
        self._failed = 0
        self._started = False

    def begin(self, total: int, done: int, unit_name: str) -> None:
        self._bar.start()
        self._started = True
        self._task = self._bar.add_task(unit_name, total=total, completed=done, unit=unit_name.rstrip("s"), failed="")

    def advance(self, record: Mapping[str, Any]) -> None:
        self._failed += bool(record.get("error"))
        failed = f"[red]{self._failed} failed" if self._failed else ""
        self._bar.update(self._task, advance=1, failed=failed)

    def stop(self) -> None:
        if self._started:
            self._bar.stop()
            self._started = False


@contextmanager
def progress_bars() -> Iterator[RichProgress]:
    progress = RichProgress()
    try:
        yield progress
    finally:
        progress.stop()


def _fmt(value: Any, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"
