"""Export and import in the SDK, without I/O: the requests, the file's lines, the target namespace.

An export file (``docs/export-format.md``) is JSON Lines, each line ending in ``\\n``; the clients
hand it out and take it in as those lines, newline included, exactly as iterating over the open
file gives them, so a stream cut short keeps its unfinished last line and the import refuses it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Literal, cast

from memory_service.errors import InvalidInputError
from memory_service.schemas.transfer import ImportResult
from memory_service.sdk._base import Call, identifier

NDJSON = "application/x-ndjson"
OnConflict = Literal["skip", "overwrite", "new-ids"]
"""For a user already in the target namespace: keep it (skip the file's), replace it, or import
the file's under a new id (``-imported`` appended)."""
ON_CONFLICT: tuple[OnConflict, ...] = ("skip", "overwrite", "new-ids")
ImportSource = str | os.PathLike[str] | Iterable[str]
"""A path to an export file (``str`` or ``Path``), or its lines, each with its newline."""


class LineSplitter:
    """Cuts text arriving in chunks into lines that keep their newline; what is left at the end
    (a line without one: a cut stream) comes out as it is, for the import to refuse."""

    def __init__(self) -> None:
        self._rest = ""

    def feed(self, chunk: str) -> list[str]:
        *lines, self._rest = (self._rest + chunk).split("\n")
        return [line + "\n" for line in lines]

    def end(self) -> list[str]:
        rest, self._rest = self._rest, ""
        return [rest] if rest else []


def export_call(user_id: str | None, *, vectors: bool) -> Call[str]:
    """One user's export (``read`` scope), or with no user the whole namespace's (``admin``)."""
    params = {"vectors": "true"} if vectors else {}
    if user_id is None:
        return Call("GET", "/v1/admin/export", _text, params=params)
    return Call("GET", "/v1/export", _text, params={"user_id": identifier(user_id, "user_id"), **params})


def import_call(lines: list[str], *, on_conflict: str, namespace: str | None) -> Call[ImportResult]:
    params: dict[str, str] = {"on_conflict": check_on_conflict(on_conflict)}
    if namespace is not None:
        params["namespace"] = namespace
    body = "".join(lines).encode("utf-8")
    return Call(
        "POST",
        "/v1/import",
        ImportResult.model_validate_json,
        params=params,
        content=body,
        headers={"content-type": NDJSON},
    )


def check_on_conflict(on_conflict: str) -> OnConflict:
    if on_conflict not in ON_CONFLICT:
        raise InvalidInputError(
            f"on_conflict must be one of {', '.join(ON_CONFLICT)}, not {on_conflict!r}",
            details={"on_conflict": on_conflict},
        )
    return cast(OnConflict, on_conflict)


def read_source(source: ImportSource) -> list[str]:
    """The file's lines: read from the path, or taken as given."""
    if isinstance(source, str | os.PathLike):
        try:
            with Path(source).open(encoding="utf-8", newline="") as file:
                return list(file)
        except OSError as exc:
            raise InvalidInputError(f"cannot read the export file {str(source)!r}: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise InvalidInputError(f"the export file {str(source)!r} is not UTF-8") from exc
    return list(source)


def target_namespace(lines: list[str], remap_namespace: Mapping[str, str] | None) -> str | None:
    """Where ``remap_namespace`` sends the file's namespace (its header's), or None when it does
    not name it: the import then goes to the caller's own namespace."""
    if not remap_namespace or not lines:
        return None
    try:
        header = json.loads(lines[0])
        source = header["scope"]["namespace"]
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidInputError("line 1: not the header of an export file", details={"line": 1}) from exc
    target = remap_namespace.get(source) if isinstance(source, str) else None
    return identifier(target, "remap_namespace") if target is not None else None


def iter_chunks(splitter: LineSplitter, chunks: Iterable[str]) -> Iterator[str]:
    for chunk in chunks:
        yield from splitter.feed(chunk)
    yield from splitter.end()


def _text(content: bytes) -> str:
    return content.decode("utf-8")
