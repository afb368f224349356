"""The units a run is cut into (a LongMemEval question, a LoCoMo conversation) and how one is run.

A unit is what gets its own partition, its own line in ``results.jsonl`` and its own slot in
progress; the runner and its worker processes only see units.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from memory_service.errors import (
    AuthenticationError,
    MemoryServiceError,
    PermissionDeniedError,
    UnavailableError,
)
from memory_service.evaluation.client import EvalClient
from memory_service.evaluation.datasets import LocomoConversation, LongMemEvalQuestion, load_locomo, load_longmemeval
from memory_service.evaluation.locomo_eval import evaluate_conversation
from memory_service.evaluation.longmemeval_eval import evaluate_question
from memory_service.evaluation.options import EvalOptions

FATAL = (UnavailableError, AuthenticationError, PermissionDeniedError)
"""Errors that every later unit would hit too: they stop the run instead of being recorded."""
UNIT_NAMES = {"longmemeval": "questions", "locomo": "conversations"}


@dataclass(frozen=True)
class Unit:
    id: str
    item: LongMemEvalQuestion | LocomoConversation


@dataclass(frozen=True)
class Dataset:
    """The units of a benchmark file, with what the loader had to skip."""

    units: tuple[Unit, ...]
    total_in_file: int
    skipped_evidence: int = 0


def load_units(benchmark: str, path: Path, limit: int | None = None) -> Dataset:
    """Read the whole file first, so a format error stops the run before any work.

    Raises ``DatasetFormatError`` for a file in another format and ``OSError`` for one that
    cannot be read.
    """
    if benchmark == "longmemeval":
        questions = load_longmemeval(path)
        units = tuple(Unit(q.question_id, q) for q in questions)
        return Dataset(units[:limit] if limit else units, len(units))
    dataset = load_locomo(path)
    conversations = tuple(Unit(c.sample_id, c) for c in dataset.conversations)
    return Dataset(conversations[:limit] if limit else conversations, len(conversations), dataset.skipped_evidence)


def evaluate_unit(
    client: EvalClient,
    unit: Unit,
    options: EvalOptions,
    run_id: str,
    cancel: threading.Event | None = None,
) -> dict[str, Any]:
    """The unit's record; a service error particular to this unit is recorded, not raised."""
    started = time.perf_counter()
    try:
        if isinstance(unit.item, LongMemEvalQuestion):
            return evaluate_question(client, unit.item, options, run_id, cancel)
        return evaluate_conversation(client, unit.item, options, run_id, cancel)
    except FATAL:
        raise
    except MemoryServiceError as exc:
        return {
            "unit": unit.id,
            "error": f"{exc.code}: {exc.message}",
            "seconds": time.perf_counter() - started,
        }
