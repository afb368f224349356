"""``memory-service keys``: make, list and revoke managed API keys, on the store directly.

The commands open the same settings and database as ``serve`` (``MEMORY_*``, or ``--data-dir``),
so they work before the first start and beside a running server, which sees a new or revoked
key on its next request. ``create`` writes its notes to stderr and the key alone to stdout, so
``KEY=$(memory-service keys create --namespace team-a)`` captures just the key.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError
from sqlalchemy.exc import SQLAlchemyError

from memory_service.cli_errors import SERVICE_ERROR, USAGE_ERROR, fail
from memory_service.errors import InvalidInputError, MemoryServiceError
from memory_service.security.domain import ApiKey
from memory_service.security.expiry import parse_expiry
from memory_service.security.key_store import KeyStore
from memory_service.security.principal import CLI_ACTOR
from memory_service.security.scopes import ordered, parse_scopes
from memory_service.security.secret import server_secret
from memory_service.settings import Settings

keys_app = typer.Typer(help="Managed API keys: create, list, revoke.", no_args_is_help=True)

DataDirOption = Annotated[
    Path | None, typer.Option("--data-dir", help="The server's data dir [MEMORY_DATA_DIR, default ./data].")
]


@keys_app.command("create")
def create(
    namespace: Annotated[str, typer.Option("--namespace", "-n", help="The tenant the key belongs to.")],
    scopes: Annotated[str, typer.Option("--scopes", help="Comma-separated: read, write, admin.")] = "read,write",
    expires: Annotated[
        str | None, typer.Option("--expires", help="2027-01-01T00:00:00Z, or a span from now: 30d, 12h, 2w.")
    ] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Make a key and print it; it is shown this once and never stored."""
    with _key_store(data_dir) as keys:
        expires_at = parse_expiry(expires, datetime.now(UTC)) if expires else None
        created = keys.create(namespace, parse_scopes(scopes), actor=CLI_ACTOR, expires_at=expires_at)
    key = created.key
    typer.echo(
        f"created {key.id} ({key.prefix}...) in namespace {key.namespace}, scopes {','.join(key.scopes)}, "
        f"expires {_when(key.expires_at, 'never')}",
        err=True,
    )
    typer.echo("the key is shown only this once: store it now; send it as 'Authorization: Bearer <key>'", err=True)
    typer.echo(created.secret)


@keys_app.command("list")
def list_keys(
    namespace: Annotated[str | None, typer.Option("--namespace", "-n", help="Only this namespace's keys.")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Every key, oldest first, by prefix (the secrets are not stored): scopes, expiry, last use, revocation."""
    with _key_store(data_dir) as keys:
        found: list[ApiKey] = []
        cursor: str | None = None
        while True:
            page = keys.list(namespace=namespace, limit=1000, cursor=cursor)
            found += page.items
            if (cursor := page.next_cursor) is None:
                break
    if not found:
        typer.echo("no keys" + (f" in namespace {namespace}" if namespace else ""), err=True)
        return
    now = datetime.now(UTC)
    rows = [("ID", "PREFIX", "NAMESPACE", "SCOPES", "STATUS", "EXPIRES", "LAST USED", "REVOKED", "CREATED BY")]
    rows += [
        (
            key.id,
            key.prefix,
            key.namespace,
            ",".join(ordered(key.scopes)),
            key.status(now),
            _when(key.expires_at, "never"),
            _when(key.last_used_at, "never"),
            _when(key.revoked_at, "-"),
            key.created_by,
        )
        for key in found
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        typer.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


@keys_app.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id, as `keys list` shows it (key_7).")],
    data_dir: DataDirOption = None,
) -> None:
    """Refuse the key from the next request on; its row stays, for the audit log."""
    with _key_store(data_dir) as keys:
        key = keys.revoke(key_id, actor=CLI_ACTOR)
    typer.echo(f"revoked {key.id} ({key.prefix}...) of namespace {key.namespace}")


@contextmanager
def _key_store(data_dir: Path | None) -> Iterator[KeyStore]:
    """The key store of the configured database (migrated first); failures as one line, exit 2 or 1."""
    from memory_service.store.database import Database
    from memory_service.store.migrate import upgrade

    settings = _settings(data_dir=data_dir.resolve()) if data_dir else _settings()
    db = Database(settings.resolved_database_url)
    try:
        upgrade(db.engine)
        yield KeyStore(db, server_secret(settings))
    except InvalidInputError as exc:
        fail(exc.message, USAGE_ERROR)
    except MemoryServiceError as exc:
        fail(exc.message, SERVICE_ERROR)
    except SQLAlchemyError as exc:
        fail(f"database: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", SERVICE_ERROR)
    finally:
        db.dispose()


def _settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = [str(err["msg"]).removeprefix("Value error, ") for err in exc.errors(include_url=False)]
        fail(f"invalid settings: {'; '.join(problems)}", USAGE_ERROR)
    except SettingsError as exc:
        fail(f"invalid settings: {exc}", USAGE_ERROR)


def _when(moment: datetime | None, absent: str) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else absent
