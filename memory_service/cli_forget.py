"""``memory-service forget-session`` and ``forget-episode``: a conversation said by mistake, or one
message of it, forgotten with what was learned only from it."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Annotated

import typer

from memory_service.cli_errors import service_errors
from memory_service.schemas import EpisodesForgotten

if TYPE_CHECKING:
    from memory_service.sdk import MemoryClient
    from memory_service.sdk.local import LocalMemoryClient

    ClientFactory = Callable[[str | None, str | None], AbstractContextManager[MemoryClient | LocalMemoryClient]]

UrlOption = Annotated[
    str | None,
    typer.Option("--url", envvar="MEMORY_URL", help="Server to talk to; without it, work in process on MEMORY_*."),
]
ApiKeyOption = Annotated[str | None, typer.Option("--api-key", envvar="MEMORY_API_KEY", help="Bearer key for --url.")]


def register(app: typer.Typer, client: ClientFactory) -> None:
    """Add both commands to the ``memory-service`` app; ``client`` opens the SDK client they use."""

    @app.command("forget-session", rich_help_panel="Forgetting")
    def forget_session(
        session_id: Annotated[str, typer.Argument(help="The session to forget, with every message in it.")],
        url: UrlOption = None,
        api_key: ApiKeyOption = None,
    ) -> None:
        """Forget a session and what was learned only from it; print what was removed."""
        with service_errors(), client(url, api_key) as opened:
            typer.echo(summary(opened.delete_session(session_id)))

    @app.command("forget-episode", rich_help_panel="Forgetting")
    def forget_episode(
        episode_id: Annotated[str, typer.Argument(help="The message to forget (ep_...).")],
        url: UrlOption = None,
        api_key: ApiKeyOption = None,
    ) -> None:
        """Forget one message and what was learned only from it; print what was removed."""
        with service_errors(), client(url, api_key) as opened:
            typer.echo(summary(opened.delete_episode(episode_id)))


def summary(forgotten: EpisodesForgotten) -> str:
    return (
        f"forgot {forgotten.deleted_episodes} message(s) of session {forgotten.session_id}: "
        f"{forgotten.deleted_memories} memory(ies) deleted, {forgotten.pruned_memories} kept with fewer sources; "
        f"{forgotten.deleted_relations} relation(s) deleted, {forgotten.pruned_relations} kept with fewer sources"
    )
