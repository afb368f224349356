"""A run's folder: the options it ran with (``run.json``) and one record per unit (``results.jsonl``).

Records are appended and flushed one by one, so a run stopped at any point keeps every finished
question and `--resume` continues after them. A line cut short by a crash is ignored on read.
The manifest pins what must not change between a run and its resumption (benchmark, recipes,
granularity ...) and the run id that partition keys derive from.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from memory_service.errors import ConflictError
from memory_service.evaluation.options import EvalOptions

RESULTS = "results.jsonl"
MANIFEST = "run.json"


@dataclass
class RunManifest:
    """What ``run.json`` holds."""

    run_id: str
    dataset: str
    options: dict[str, Any]
    comparable: dict[str, Any]
    elapsed_s: float = 0.0
    units_total: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "dataset": self.dataset,
            "options": self.options,
            "comparable": self.comparable,
            "elapsed_s": self.elapsed_s,
            "units_total": self.units_total,
            **self.extra,
        }


class RunFolder:
    """The files of one run under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.results_path = root / RESULTS
        self.manifest_path = root / MANIFEST

    def has_results(self) -> bool:
        return self.results_path.exists() and self.results_path.stat().st_size > 0

    def start(self, dataset: str, options: EvalOptions, *, resume: bool, overwrite: bool = False) -> RunManifest:
        """Open the folder for a run: fresh, or continuing a run with the same options.

        Without ``resume`` or ``overwrite``, earlier results are never thrown away silently.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        previous = self.read_manifest()
        if resume and previous is not None:
            if previous.comparable != options.comparable():
                raise ConflictError(
                    f"{self.root} holds a run with other options; resume it with the same ones or use a new folder",
                    details={"previous": previous.comparable, "now": options.comparable()},
                )
            if previous.dataset != dataset:
                raise ConflictError(
                    f"{self.root} holds a run over {previous.dataset}, not {dataset}; use a new folder",
                    details={"previous": previous.dataset, "now": dataset},
                )
            previous.options = options.to_json()
            self.write_manifest(previous)
            self._drop_partial_line()
            return previous
        if self.has_results() and resume and not overwrite:
            raise ConflictError(
                f"cannot resume: {self.manifest_path} is missing or unreadable; pass --overwrite to start over",
                details={"manifest": str(self.manifest_path)},
            )
        if self.has_results() and not resume and not overwrite:
            raise ConflictError(
                f"{self.root} already holds results: pass --resume to continue that run, or --overwrite to start over",
                details={"results": str(self.results_path)},
            )
        self.results_path.write_text("")
        manifest = RunManifest(
            run_id=uuid.uuid4().hex[:12],
            dataset=dataset,
            options=options.to_json(),
            comparable=options.comparable(),
        )
        self.write_manifest(manifest)
        return manifest

    def read_manifest(self) -> RunManifest | None:
        try:
            data = json.loads(self.manifest_path.read_text())
        except (OSError, ValueError):
            return None
        known = {"run_id", "dataset", "options", "comparable", "elapsed_s", "units_total"}
        return RunManifest(
            run_id=str(data["run_id"]),
            dataset=str(data.get("dataset", "")),
            options=dict(data.get("options") or {}),
            comparable=dict(data.get("comparable") or {}),
            elapsed_s=float(data.get("elapsed_s") or 0.0),
            units_total=data.get("units_total"),
            extra={key: value for key, value in data.items() if key not in known},
        )

    def write_manifest(self, manifest: RunManifest) -> None:
        tmp = self.manifest_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(manifest.to_json(), indent=2))
        tmp.replace(self.manifest_path)

    def append(self, record: dict[str, Any]) -> None:
        """Add one unit's record durably: a crash after this call keeps it."""
        line = json.dumps(record, separators=(",", ":"), default=str)
        with self.results_path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def records(self) -> list[dict[str, Any]]:
        """Every complete record, the last one per unit winning."""
        latest: dict[str, dict[str, Any]] = {}
        for record in self._lines():
            latest[str(record.get("unit"))] = record
        return list(latest.values())

    def done_units(self) -> set[str]:
        """Units with a finished record (failed ones are redone on resume)."""
        return {str(record["unit"]) for record in self.records() if not record.get("error")}

    def _drop_partial_line(self) -> None:
        """Cut a line left unfinished by a crash, so the next record starts on a line of its own."""
        try:
            data = self.results_path.read_bytes()
        except FileNotFoundError:
            return
        if data and not data.endswith(b"\n"):
            self.results_path.write_bytes(data[: data.rfind(b"\n") + 1])

    def _lines(self) -> Iterator[dict[str, Any]]:
        try:
            handle = self.results_path.open(encoding="utf-8")
        except FileNotFoundError:
            return
        with handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue  # the tail of an interrupted write
                if isinstance(record, dict) and "unit" in record:
                    yield record
