"""Worker processes: each opens its own client once and evaluates the units it is handed.

Processes, not threads, because ingest and query embedding are CPU-bound in torch; each worker
gets an equal share of the cores as torch threads, so N workers never oversubscribe the machine.
Embedded workers get a data dir each: partitions never span questions, so nothing is gained by
sharing one SQLite file, which would serialize their writes and make them race to create the
schema of a fresh store.
The parent handles Ctrl-C; workers ignore it and finish the unit in hand.
"""

from __future__ import annotations

import os
import signal
from dataclasses import replace
from multiprocessing import util
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any

from memory_service.evaluation.client import ClientConfig, EvalClient
from memory_service.evaluation.options import EvalOptions
from memory_service.evaluation.units import Unit, evaluate_unit

_state: dict[str, Any] = {}


def torch_threads(workers: int) -> int:
    """Cores per worker, at least one."""
    return max(1, (os.cpu_count() or 1) // workers)


def quiet_model_loading() -> None:
    """No loading bars from the model libraries in this process: a run shows its own progress.

    The switch is huggingface_hub's, which transformers follows when it is imported after it;
    ``HF_HUB_DISABLE_PROGRESS_BARS``, when set, still decides.
    """
    from huggingface_hub import constants
    from huggingface_hub.utils import disable_progress_bars

    if constants.HF_HUB_DISABLE_PROGRESS_BARS is None:
        disable_progress_bars()


def init_worker(
    config: ClientConfig,
    options: EvalOptions,
    run_id: str,
    threads: int,
    slots: Queue[int] | None,
    stores: Path | None,
) -> None:
    """Runs once in each new worker process, before its first unit."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    quiet_model_loading()  # a worker's output lands under the parent's progress display
    import torch

    torch.set_num_threads(threads)
    if stores is not None and slots is not None:
        config = replace(config, data_dir=stores / f"worker-{slots.get()}")
    client: EvalClient = config.open()
    # Worker processes skip atexit; this finalizer runs when the pool shuts them down.
    util.Finalize(None, client.close, exitpriority=10)
    _state.update(client=client, options=options, run_id=run_id)


def run_unit(unit: Unit) -> dict[str, Any]:
    """Evaluate one unit with this process's client."""
    return evaluate_unit(_state["client"], unit, _state["options"], _state["run_id"])
