"""``memory-service mcp``: the memory over the Model Context Protocol, on stdin and stdout.

For agents that start their MCP servers as a command (Claude Desktop, IDEs). The tools run in
process on the embedded store (``--data-dir``, else the ``MEMORY_*`` settings), or in front of a
running service with ``--url``. stdout carries the protocol alone: log lines go to stderr, and
so does anything printed while the model loads. The MCP SDK is imported only when the command
runs, so the rest of the command line starts without it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError

from memory_service.cli_errors import SERVICE_ERROR, USAGE_ERROR, fail
from memory_service.errors import MemoryServiceError

if TYPE_CHECKING:
    from memory_service.mcp.tools import Caller


def mcp(
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Where the embedded store lives [MEMORY_DATA_DIR, default ./data]."),
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", envvar="MEMORY_URL", help="Serve a running service's memory instead.")
    ] = None,
    api_key: Annotated[
        str | None, typer.Option("--api-key", envvar="MEMORY_API_KEY", help="Bearer key for --url.")
    ] = None,
) -> None:
    """Serve the memory as MCP tools over stdio, for a desktop agent."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s: %(name)s: %(message)s")
    logging.getLogger("memory_service").setLevel(logging.INFO)
    from memory_service.mcp.server import build_server

    with open_caller(data_dir, url, api_key) as caller:
        build_server(lambda: caller).run("stdio")


@contextmanager
def open_caller(data_dir: Path | None, url: str | None, api_key: str | None) -> Iterator[Caller]:
    """What every tool call acts as: the operator, with every scope, on one client for the whole run.

    Over ``--url`` the service checks the key on every call and refuses what it lacks; here
    nothing is refused.
    """
    from memory_service.mcp.tools import Caller
    from memory_service.security.principal import Principal

    if url:
        from memory_service.sdk import MemoryClient

        with MemoryClient(url, api_key=api_key) as remote:
            yield Caller(remote, Principal.open())
        return
    from memory_service.sdk.local import LocalMemoryClient
    from memory_service.settings import Settings

    try:
        settings = Settings(data_dir=data_dir.resolve()) if data_dir else Settings()
    except ValidationError as exc:
        fail(f"invalid settings: {exc.errors(include_url=False)[0]['msg']}", USAGE_ERROR)
    try:
        with redirect_stdout(sys.stderr):  # loading bars and stray prints must not reach the protocol
            local = LocalMemoryClient.open(settings)
    except MemoryServiceError as exc:
        fail(exc.message, SERVICE_ERROR)
    with local:
        yield Caller(local, Principal.open())
