"""Which server files an evaluation job may read: only those inside the datasets folder.

A ``dataset_path`` is taken relative to the folder (``MEMORY_EVAL_DATASETS_DIR``, default
``<data_dir>/datasets``), or as an absolute path that lies inside it. It is resolved with every
symlink followed before the check, so neither ``..`` nor a link inside the folder leads out of it.
A refusal depends only on where the path leads, never on whether a file is there, so it tells
nothing about the server's files outside the folder; and no answer quotes a file's content.
"""

from __future__ import annotations

from pathlib import Path, PurePath

from memory_service.errors import InvalidInputError, PermissionDeniedError

OUTSIDE = (
    "dataset_path must name a file inside the server's datasets folder (MEMORY_EVAL_DATASETS_DIR), "
    "relative to it and without '..'; or upload the file instead"
)


def resolve_dataset(folder: Path, dataset_path: str) -> Path:
    """The real path of the dataset ``dataset_path`` names in ``folder``; 403 outside it, 422 when absent."""
    if "\x00" in dataset_path or ".." in PurePath(dataset_path).parts:
        raise PermissionDeniedError(OUTSIDE)
    resolved = confined(folder, folder / dataset_path)  # an absolute dataset_path replaces the folder
    if not resolved.is_file():
        raise InvalidInputError(
            f"no dataset {dataset_path!r} in the server's datasets folder; put the file there or upload it",
            details={"dataset_path": dataset_path},
        )
    return resolved


def confined(folder: Path, path: Path) -> Path:
    """``path`` with its symlinks resolved, when that lies inside ``folder``; 403 otherwise."""
    try:
        root, resolved = folder.resolve(), path.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop: RuntimeError before Python 3.13, OSError after
        raise InvalidInputError("dataset_path cannot be resolved (a symlink loop?)") from exc
    if not resolved.is_relative_to(root) or resolved == root:
        raise PermissionDeniedError(OUTSIDE)
    return resolved
