"""Search's options have one source, ``SearchRequest``; every face that takes them is checked here.

The REST API takes the schema itself. The three SDK clients and the evaluation client declare
the same options (names, order, defaults) in their ``search`` signatures, and pass every one
through; the command line has an option for each, listed below where its name differs.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from pydantic.fields import FieldInfo
from typer.testing import CliRunner

from memory_service import cli
from memory_service.domain import SearchQuery
from memory_service.evaluation.client import EvalClient
from memory_service.schemas import SearchRequest
from memory_service.sdk import AsyncMemoryClient, LocalMemoryClient, MemoryClient

OPTIONS: dict[str, FieldInfo] = dict(SearchRequest.model_fields)
T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)

EVERY_OPTION: dict[str, Any] = {
    "query": "where did I move?",
    "user_id": "u-1",
    "layers": ["semantic", "graph"],
    "top_k": 3,
    "now": T0 + timedelta(days=30),
    "as_of": T0 + timedelta(days=20),
    "time_range": {"start": T0, "end": T0 + timedelta(days=10)},
    "session_ids": ["s-1", "s-2"],
    "filters": {"roles": ["user"]},
    "recipe": "bm25",
    "granularity": "session",
    "neighbors": 2,
    "reinforce": False,
}
"""A value other than the default for every option: a new option must be added here too."""

CLI_NAMES: dict[str, str] = {
    "query": "query",
    "user": "user_id",
    "layers": "layers",
    "top_k": "top_k",
    "now": "now",
    "as_of": "as_of",
    "since": "time_range",
    "until": "time_range",
    "session": "session_ids",
    "role": "filters",
    "recipe": "recipe",
    "granularity": "granularity",
    "neighbors": "neighbors",
    "reinforce": "reinforce",
}
"""The command line's parameter for each option (``--since`` / ``--until`` make the time range)."""
CLI_ONLY: dict[str, str] = {
    "url": "which server to ask, not what to ask it",
    "api_key": "the key for --url",
    "as_json": "how to print the answer",
}
CLI_LEAVES_OUT: dict[str, str] = {}
"""Options the command line does not offer, each with the reason; none today."""

CLI_ARGS = [
    "search", "where did I move?", "--user", "u-1", "--layers", "semantic,graph", "--top-k", "3",
    "--now", "2024-03-31T09:00:00Z", "--as-of", "2024-03-21T09:00:00+00:00", "--since", "2024-03-01T09:00:00Z",
    "--until", "2024-03-11T09:00:00Z", "--session", "s-1", "--session", "s-2", "--role", "user", "--recipe", "bm25",
    "--granularity", "session", "--neighbors", "2", "--no-reinforce",
]  # fmt: skip
"""The command line's spelling of ``EVERY_OPTION``."""

NO_RESULTS = json.dumps({"results": []}).encode()


def default(field: FieldInfo) -> Any:
    return field.get_default(call_default_factory=True)


def search_parameters(method: Any) -> dict[str, inspect.Parameter]:
    return {name: p for name, p in inspect.signature(method).parameters.items() if name != "self"}


def requested(options: dict[str, Any]) -> dict[str, Any]:
    """The JSON body a client sends for ``options``."""
    return SearchRequest.model_validate(options).model_dump(mode="json", exclude_none=True)


def capture(seen: list[dict[str, Any]]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, content=NO_RESULTS)

    return httpx.MockTransport(handler)


class RecordingService:
    """Stands in for the runtime's ``SearchService`` under the in-process client: keeps the query it is asked."""

    def __init__(self) -> None:
        self.queries: list[SearchQuery] = []

    def search(self, namespace: str, query: SearchQuery) -> list[Any]:
        self.queries.append(query)
        return []


# -- the source ------------------------------------------------------------------------------


def test_every_option_has_a_value_other_than_its_default() -> None:
    assert list(EVERY_OPTION) == list(OPTIONS)
    request = SearchRequest.model_validate(EVERY_OPTION)
    for name, field in OPTIONS.items():
        if not field.is_required():
            assert getattr(request, name) != default(field), name


# -- SDK clients and the evaluation client ---------------------------------------------------


@pytest.mark.parametrize("cls", [MemoryClient, AsyncMemoryClient, LocalMemoryClient, EvalClient])
def test_clients_take_every_search_option_with_the_schemas_defaults(cls: Any) -> None:
    parameters = search_parameters(cls.search)
    assert list(parameters) == list(OPTIONS), f"{cls.__name__}.search and SearchRequest differ"
    for name, parameter in parameters.items():
        field = OPTIONS[name]
        if field.is_required():
            assert parameter.default is inspect.Parameter.empty, name
        elif parameter.default is not None:  # None: leave it to the schema
            assert parameter.default == default(field), f"{cls.__name__}.search default of {name}"


def test_the_blocking_client_sends_every_option() -> None:
    seen: list[dict[str, Any]] = []
    with MemoryClient(transport=capture(seen)) as client:
        client.search(**EVERY_OPTION)
    assert seen == [requested(EVERY_OPTION)]


async def test_the_async_client_sends_every_option() -> None:
    seen: list[dict[str, Any]] = []
    async with AsyncMemoryClient(transport=capture(seen)) as client:
        await client.search(**EVERY_OPTION)
    assert seen == [requested(EVERY_OPTION)]


def test_the_local_client_passes_every_option_to_the_service() -> None:
    service = RecordingService()
    LocalMemoryClient(SimpleNamespace(search=service)).search(**EVERY_OPTION)  # type: ignore[arg-type]
    assert service.queries == [SearchRequest.model_validate(EVERY_OPTION).to_domain()]


# -- the command line ------------------------------------------------------------------------


def test_the_command_line_has_a_parameter_for_every_option() -> None:
    parameters = set(search_parameters(cli.search))
    assert parameters == set(CLI_NAMES) | set(CLI_ONLY), "cli.search has parameters this test does not know"
    assert set(CLI_NAMES.values()) | set(CLI_LEAVES_OUT) == set(OPTIONS)
    assert not set(CLI_NAMES.values()) & set(CLI_LEAVES_OUT)


def test_the_command_line_sends_every_option(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict[str, Any]] = []

    @contextmanager
    def client(url: str | None, api_key: str | None) -> Iterator[MemoryClient]:
        with MemoryClient(transport=capture(seen)) as http:
            yield http

    monkeypatch.setattr(cli, "_client", client)
    result = CliRunner().invoke(cli.app, CLI_ARGS)
    assert result.exit_code == 0, result.output
    assert seen == [requested(EVERY_OPTION)]
