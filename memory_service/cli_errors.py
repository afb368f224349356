"""How every command of ``memory-service`` fails: one line on stderr and an exit code by cause."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer

from memory_service.errors import InvalidInputError, MemoryServiceError, PayloadTooLargeError

USAGE_ERROR = 2
"""Bad input: the command, its options or the data it was given."""
SERVICE_ERROR = 1
"""The service could not do it (missing, conflicting, unavailable)."""


def fail(message: str, code: int) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def service_errors() -> Iterator[None]:
    """Service errors as one line on stderr: exit 2 for bad input, 1 for anything else."""
    try:
        yield
    except (InvalidInputError, PayloadTooLargeError) as exc:
        fail(exc.message, USAGE_ERROR)
    except MemoryServiceError as exc:
        fail(exc.message, SERVICE_ERROR)
