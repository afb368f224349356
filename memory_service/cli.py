"""``memory-service``: run the server, migrate the database, add and search memories.

Commands only parse and print. Adding and searching go through the SDK: over HTTP with
``--url``, else in process with ``LocalMemoryClient`` on the ``MEMORY_*`` settings. Mistakes in
what the user typed or sent exit 2 with a one-line error; failures of the service exit 1.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError
from rich.console import Console
from rich.table import Column, Table
from rich.text import Text

from memory_service.cli_errors import SERVICE_ERROR, USAGE_ERROR, fail, service_errors
from memory_service.cli_eval import eval_app
from memory_service.cli_forget import register as register_forget
from memory_service.cli_keys import keys_app
from memory_service.cli_mcp import mcp
from memory_service.cli_transfer import register as register_transfer
from memory_service.schemas import SearchResponse
from memory_service.sdk import MemoryClient
from memory_service.sdk import _base as sdk_base
from memory_service.settings import Settings

if TYPE_CHECKING:
    from memory_service.sdk.local import LocalMemoryClient
    from memory_service.store.database import Database

log = logging.getLogger("memory_service.cli")

TEXT_WIDTH = 80

app = typer.Typer(help="Long-term memory service for LLM agents.", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(eval_app, name="eval")
app.add_typer(keys_app, name="keys")
app.command("mcp", rich_help_panel="For agents")(mcp)
register_transfer(app)

UrlOption = Annotated[
    str | None,
    typer.Option("--url", envvar="MEMORY_URL", help="Server to talk to; without it, work in process on MEMORY_*."),
]
ApiKeyOption = Annotated[str | None, typer.Option("--api-key", envvar="MEMORY_API_KEY", help="Bearer key for --url.")]
UserOption = Annotated[str, typer.Option("--user", "-u", help="The user the memories belong to.")]


# -- commands ----------------------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind [MEMORY_HOST, default 127.0.0.1].")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on [MEMORY_PORT, default 8080].")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Where data lives [MEMORY_DATA_DIR, default ./data].")] = None,
    reload: Annotated[bool, typer.Option("--reload/--no-reload", help="Restart on code changes.")] = False,
) -> None:
    """Run the REST API with uvicorn."""
    overrides: dict[str, Any] = {"host": host, "port": port, "data_dir": data_dir.resolve() if data_dir else None}
    overrides = {name: value for name, value in overrides.items() if value is not None}
    settings = _settings(**overrides)
    from memory_service.api.logs import configure_logging

    configure_logging(settings.log_format)  # the service's lines at INFO, libraries' when they warn, with ids
    # Whether keys are required is logged once the store is open (stored keys count too).
    log.info("listening on http://%s:%d, data dir %s", settings.host, settings.port, settings.data_dir.resolve())
    _check_store(settings)
    import uvicorn

    if reload:
        _serve_reloading(settings.host, settings.port, overrides)
        return
    from memory_service.api.app import create_app

    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        # SIGTERM: uvicorn stops accepting, lets requests in flight finish (within the bound), then the
        # app's lifespan closes the runtime, which lets the extraction worker finish its current task.
        uvicorn.run(
            create_app(settings),
            host=settings.host,
            port=settings.port,
            timeout_graceful_shutdown=settings.shutdown_timeout_s,
            # JSON: uvicorn's lines go through the service's JSON handler rather than its own text ones.
            log_config=None if settings.log_format == "json" else uvicorn.config.LOGGING_CONFIG,
        )
    finally:
        signal.signal(signal.SIGTERM, previous)


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    """Exit 0 on SIGTERM. uvicorn shuts down gracefully on it, then raises it again under the handler
    it found (this one), so a stop asked for and done cleanly is not reported as a death by signal."""
    raise SystemExit(0)


def _serve_reloading(host: str, port: int, overrides: dict[str, Any]) -> None:
    """Serve from uvicorn's reloader, which restarts a fresh interpreter on every code change.

    That interpreter imports the app factory by name and calls it with no arguments, so its
    ``Settings()`` reads ``MEMORY_*`` like any other process; the options given here reach it
    through the environment it inherits, the only way into it (development use only).
    """
    import uvicorn

    for name, value in overrides.items():
        os.environ[f"MEMORY_{name.upper()}"] = str(value)
    uvicorn.run("memory_service.api.app:create_app", factory=True, host=host, port=port, reload=True)


@app.command()
def reindex(
    batch: Annotated[int, typer.Option(min=1, max=4096, help="Texts embedded per committed batch.")] = 256,
    prune: Annotated[bool, typer.Option("--prune", help="Delete the vectors of every other model afterwards.")] = False,
) -> None:
    """Re-embed every stored text with the configured model (after changing MEMORY_EMBEDDING_MODEL).

    Resumable: batches already embedded are kept. Indexes rebuild from the store on first use.
    """
    settings = _settings()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from memory_service.reindex import reindex as reembed
    from memory_service.store.migrate import upgrade
    from retrieval.embedder import ModelNotFoundError, SentenceTransformerEmbedder

    try:
        embedder = SentenceTransformerEmbedder(settings.embedding_model, device=settings.device)
    except ModelNotFoundError as exc:
        fail(str(exc), USAGE_ERROR)
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with _database(settings) as db, Progress(*columns, console=Console(stderr=True)) as bar:
        upgrade(db.engine)
        task = bar.add_task(f"embedding with {embedder.name}", total=None)
        result = reembed(
            db,
            embedder,
            settings.index_dir,
            batch=batch,
            prune=prune,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    typer.echo(f"re-embedded {result.embedded} text(s) with {embedder.name}; pruned {result.pruned} vector(s)")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the configured database to the latest schema."""
    settings = _settings()
    from memory_service.store.migrate import current_revision, upgrade

    with _database(settings) as db:
        upgrade(db.engine)
        typer.echo(f"{_safe_url(db.url)} is at revision {current_revision(db.engine)} (head)")


@db_app.command("current")
def db_current() -> None:
    """Print the configured database's schema revision."""
    settings = _settings()
    from memory_service.store.migrate import current_revision

    with _database(settings) as db:
        revision = current_revision(db.engine)
    typer.echo(revision or "none: run `memory-service db upgrade`")


@app.command()
def add(
    session_id: Annotated[str, typer.Argument(help="Session to append to; created on first use.")],
    user: UserOption,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file", "-f", help='JSON list, {"messages": [...]}, or JSONL of {"role", "content", ...}; "-": stdin.'
        ),
    ] = None,
    agent: Annotated[str | None, typer.Option("--agent", help="The agent that took part.")] = None,
    url: UrlOption = None,
    api_key: ApiKeyOption = None,
) -> None:
    """Store messages in a session and print their ids."""
    try:
        messages = parse_messages(_read_input(file))
    except InputFormatError as exc:
        fail(str(exc), USAGE_ERROR)
    with service_errors():
        # Checked before the client opens, so bad input costs no model load and no connection.
        sdk_base.identifier(session_id, "session_id")
        sdk_base.messages_create(user, messages, agent_id=agent, infer=False)
        with _client(url, api_key) as client:
            created = client.add_messages(session_id, user, messages, agent_id=agent)
    for episode_id in created.ids:
        typer.echo(episode_id)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for, in plain words.")],
    user: UserOption,
    layers: Annotated[
        list[str] | None, typer.Option("--layers", "--layer", help="Layers to search; repeat or comma-separate.")
    ] = None,
    top_k: Annotated[int, typer.Option("--top-k", "-k", help="How many results.")] = 10,
    now: Annotated[str | None, typer.Option(help="The moment asked from (ISO 8601, with a timezone).")] = None,
    as_of: Annotated[str | None, typer.Option(help="Memory as it stood then: nothing said or learned later.")] = None,
    since: Annotated[str | None, typer.Option(help="Only what happened from then on (event time).")] = None,
    until: Annotated[str | None, typer.Option(help="Only what happened before then (event time).")] = None,
    session: Annotated[
        list[str] | None, typer.Option("--session", help="Only these sessions; repeat or comma-separate.")
    ] = None,
    role: Annotated[
        list[str] | None, typer.Option("--role", help="Only turns by these roles; repeat or comma-separate.")
    ] = None,
    recipe: Annotated[str | None, typer.Option(help="Search recipe (default: hybrid).")] = None,
    granularity: Annotated[str, typer.Option(help="Rank single turns (turn) or whole sessions (session).")] = "turn",
    neighbors: Annotated[int, typer.Option(help="Turns before and after each turn hit to return.")] = 0,
    reinforce: Annotated[
        bool, typer.Option("--reinforce/--no-reinforce", help="Count the semantic results as retrieved.")
    ] = True,
    url: UrlOption = None,
    api_key: ApiKeyOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the response as JSON.")] = False,
) -> None:
    """Search a user's memories, best first."""
    # The client validates every value (layer and role names, times), as for any other input.
    with service_errors():
        window = {"start": since, "end": until} if since or until else None
        options: dict[str, Any] = {
            "layers": _listed(layers) or None,
            "top_k": top_k,
            "now": now,
            "as_of": as_of,
            "time_range": window,
            "session_ids": _listed(session) or None,
            "filters": {"roles": _listed(role)} if role else None,
            "recipe": recipe,
            "granularity": granularity,
            "neighbors": neighbors,
            "reinforce": reinforce,
        }
        sdk_base.search_request(query=query, user_id=user, **options)  # before the client opens: no model load
        with _client(url, api_key) as client:
            response = client.search(query, user, **options)
    if as_json:
        typer.echo(response.model_dump_json(indent=2))
    else:
        print_results(response)


def _listed(values: list[str] | None) -> list[str]:
    """Repeated and comma-separated values, in order."""
    return [part.strip() for value in values or () for part in value.split(",") if part.strip()]


# -- input and output --------------------------------------------------------------------------


class InputFormatError(ValueError):
    """The messages could not be read: no input, or not JSON / JSONL."""


def parse_messages(text: str) -> list[Any]:
    """Messages from a JSON list, an object with "messages", one message object, or JSONL."""
    if not text.strip():
        raise InputFormatError("no messages: the input is empty")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return _parse_jsonl(text, exc)
    if isinstance(document, dict):
        document = document.get("messages", [document])
    if not isinstance(document, list):
        raise InputFormatError('expected a list of messages, an object with "messages", or JSONL')
    return document


def _parse_jsonl(text: str, whole: json.JSONDecodeError) -> list[Any]:
    lines = [(number, line) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
    messages = []
    for number, line in lines:
        try:
            messages.append(json.loads(line))
        except json.JSONDecodeError as exc:
            if number == lines[0][0]:  # not JSONL at all: report the document's own error
                raise InputFormatError(f"invalid JSON: {whole}") from whole
            raise InputFormatError(f"invalid JSON on line {number}: {exc.msg}") from exc
    return messages


def print_results(response: SearchResponse) -> None:
    console = Console()
    if not response.results:
        console.print("no results")
        return
    table = Table("rank", "score", "session", Column("occurred_at", no_wrap=True), "text")
    for rank, result in enumerate(response.results, 1):
        text = result.text if len(result.text) <= TEXT_WIDTH else result.text[: TEXT_WIDTH - 1] + "…"
        table.add_row(
            str(rank),
            f"{result.score:.4f}",
            Text(result.session_id or "-"),
            result.occurred_at.isoformat(timespec="minutes") if result.occurred_at else "-",
            Text(text),
        )
    console.print(table)


def _read_input(file: Path | None) -> str:
    if file is None or str(file) == "-":
        if sys.stdin.isatty():
            raise InputFormatError("no messages: pass --file PATH or pipe them on stdin")
        return sys.stdin.read()
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFormatError(f"cannot read {file}: {exc}") from exc


# -- plumbing ----------------------------------------------------------------------------------


def _settings(**overrides: Any) -> Settings:
    """Settings from MEMORY_* and ``overrides``, or a one-line error and exit 2."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            message = str(err["msg"]).removeprefix("Value error, ")
            where = ".".join(str(part) for part in err["loc"])
            problems.append(f"{where}: {message}" if where else message)
        fail(f"invalid settings: {'; '.join(problems)}", USAGE_ERROR)
    except SettingsError as exc:
        fail(f"invalid settings: {exc}", USAGE_ERROR)


@contextmanager
def _client(url: str | None, api_key: str | None) -> Iterator[MemoryClient | LocalMemoryClient]:
    """An HTTP client for ``url``, else an in-process one on the configured data dir."""
    if url:
        with MemoryClient(url, api_key=api_key) as client:
            yield client
        return
    settings = _settings()
    from memory_service.sdk.local import LocalMemoryClient

    with LocalMemoryClient.open(settings) as local:
        yield local


@contextmanager
def _database(settings: Settings) -> Iterator[Database]:
    from sqlalchemy.exc import SQLAlchemyError

    from memory_service.store.database import Database

    db = Database(settings.resolved_database_url)
    try:
        yield db
    except SQLAlchemyError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        fail(f"database {_safe_url(db.url)}: {first_line}", SERVICE_ERROR)
    finally:
        db.dispose()


def _check_store(settings: Settings) -> None:
    """Refuse to serve, in one line, a store embedded with another model than the configured one."""
    from memory_service.reindex import EmbeddingModelMismatchError, check_model
    from memory_service.store.migrate import upgrade

    with _database(settings) as db:
        upgrade(db.engine)
        try:
            check_model(db, settings.embedding_model)
        except EmbeddingModelMismatchError as exc:
            fail(exc.message, SERVICE_ERROR)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    app(prog_name="memory-service")


register_forget(app, _client)
