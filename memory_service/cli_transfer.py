"""``memory-service export`` and ``memory-service import``: a user's or a namespace's memory as a
portable JSON Lines file (``docs/export-format.md``), on the store of the configured data dir."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated

import typer

from memory_service.cli_errors import USAGE_ERROR, fail, service_errors
from memory_service.domain import DEFAULT_NAMESPACE
from memory_service.settings import Settings

if TYPE_CHECKING:
    from memory_service.runtime import Runtime


DataDirOption = Annotated[Path | None, typer.Option(help="Where data lives [MEMORY_DATA_DIR, default ./data].")]


def register(app: typer.Typer) -> None:
    """Add both commands to the ``memory-service`` app."""
    app.command("export", rich_help_panel="Moving memory")(export)
    app.command("import", rich_help_panel="Moving memory")(import_)


def export(
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write; '-' for standard output.")],
    user_id: Annotated[str | None, typer.Option("--user-id", help="Export this user only.")] = None,
    namespace: Annotated[
        str | None, typer.Option("--namespace", help="The namespace (every user of it without --user-id).")
    ] = None,
    vectors: Annotated[bool, typer.Option("--vectors", help="Include the embedding vectors.")] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Write a user's or a whole namespace's memory as a JSON Lines export file."""
    if user_id is None and namespace is None:
        fail("give --user-id (one user) or --namespace (all of its users)", USAGE_ERROR)
    from memory_service.transfer import iter_export

    with _runtime(data_dir) as runtime, service_errors():
        lines = iter_export(runtime, namespace or DEFAULT_NAMESPACE, user_id, vectors=vectors)
        count = 0
        with _output(out) as stream:
            for line in lines:
                stream.write(line + "\n")
                count += 1
    typer.echo(f"exported {count - 2} record(s) to {out}", err=True)


def import_(
    file: Annotated[Path, typer.Argument(help="The export file.", exists=True, dir_okay=False, readable=True)],
    on_conflict: Annotated[
        str, typer.Option("--on-conflict", help="For a user already there: skip, overwrite or new-ids.")
    ] = "skip",
    remap_namespace: Annotated[
        list[str] | None, typer.Option("--remap-namespace", help="A=B: import namespace A's users into B.")
    ] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Import an export file whole, or nothing of it; prints what was done as JSON."""
    from memory_service.transfer import import_file
    from memory_service.transfer.importer import ON_CONFLICT

    if on_conflict not in ON_CONFLICT:
        fail(f"--on-conflict must be one of {', '.join(ON_CONFLICT)}", USAGE_ERROR)
    remap = dict(_pair(value) for value in remap_namespace or [])
    with _runtime(data_dir) as runtime, service_errors():
        report = import_file(runtime, file, on_conflict=on_conflict, remap_namespace=remap)
    typer.echo(json.dumps(report.to_dict(), indent=2))


def open_runtime(settings: Settings) -> Runtime:
    """The runtime the commands work on (tests hand in a loaded model here)."""
    from memory_service.runtime import build_runtime

    return build_runtime(settings)


@contextmanager
def _runtime(data_dir: Path | None) -> Iterator[Runtime]:
    try:
        settings = Settings(data_dir=data_dir.resolve()) if data_dir else Settings()
    except ValueError as exc:
        fail(f"invalid settings: {exc}", USAGE_ERROR)
    runtime = open_runtime(settings)
    try:
        yield runtime
    finally:
        runtime.close()


@contextmanager
def _output(out: Path) -> Iterator[IO[str]]:
    if str(out) == "-":
        yield sys.stdout
        return
    with out.open("w", encoding="utf-8") as stream:
        yield stream


def _pair(value: str) -> tuple[str, str]:
    source, sep, target = value.partition("=")
    if not sep or not source or not target:
        fail(f"--remap-namespace takes A=B, not {value!r}", USAGE_ERROR)
    return source, target
