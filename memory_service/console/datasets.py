"""The files an evaluation job may read, as the console offers them: those in the datasets folder.

The submit form offers these names only (a select, never a free path). Links leading out of the
folder are left out here, and the job manager checks the picked name again when it opens it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MAX_FILES = 500
"""Enough for any operator's set of benchmark files; a folder holding more is not a datasets folder."""
SUFFIXES = (".json",)
"""Both benchmarks ship one JSON file each (LongMemEval's lists, LoCoMo's conversations)."""


@dataclass(frozen=True)
class DatasetFolder:
    path: Path
    configured: bool
    """Whether MEMORY_EVAL_DATASETS_DIR names it (else it is the default under the data dir)."""
    exists: bool
    files: tuple[str, ...]
    """Paths relative to the folder, sorted, as ``dataset_path`` takes them."""
    truncated: bool = False


def dataset_folder(path: Path, *, configured: bool) -> DatasetFolder:
    """The JSON files under ``path``, at any depth, that resolve inside it."""
    if not path.is_dir():
        return DatasetFolder(path, configured, False, ())
    root = path.resolve()
    found: list[str] = []
    truncated = False
    for candidate in sorted(path.rglob("*")):
        if candidate.suffix.lower() not in SUFFIXES or candidate.name.startswith("."):
            continue
        try:
            real = candidate.resolve()
        except (OSError, RuntimeError):  # a symlink loop
            continue
        if not real.is_relative_to(root) or not real.is_file():
            continue
        if len(found) == MAX_FILES:
            truncated = True
            break
        found.append(candidate.relative_to(path).as_posix())
    return DatasetFolder(path, configured, True, tuple(found), truncated)
