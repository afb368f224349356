"""Fixtures of the MCP tests: a runtime on SQLite, and helpers that read tool results."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from mcp_types import CallToolResult, TextContent

from memory_service.api.app import create_app
from memory_service.runtime import Runtime, build_runtime
from memory_service.sdk.local import LocalMemoryClient
from memory_service.settings import Settings
from retrieval.embedder import SentenceTransformerEmbedder
from tests.serving import serve_in_thread

TURNS: list[dict[str, Any]] = [
    {
        "role": "user",
        "content": "I work at Acme Corp as a designer and I live in Lisbon.",
        "occurred_at": "2024-01-10T12:00:00Z",
    },
    {
        "role": "user",
        "content": "Big news: I started a new job at Globex last week!",
        "occurred_at": "2024-03-15T12:00:00Z",
    },
]


@pytest.fixture
def mcp_runtime(sqlite_settings: Settings, embedder: SentenceTransformerEmbedder) -> Iterator[Runtime]:
    """The tools call the service in process; one store backend is enough to test the protocol face."""
    runtime = build_runtime(sqlite_settings, embedder=embedder)
    yield runtime
    runtime.close()


KEYS: dict[str, str] = {"key-a": "tenant-a", "key-b": "tenant-b"}


@pytest.fixture
def keyed_runtime(sqlite_settings: Settings, embedder: SentenceTransformerEmbedder) -> Iterator[Runtime]:
    runtime = build_runtime(sqlite_settings.model_copy(update={"api_keys": KEYS}), embedder=embedder)
    yield runtime
    runtime.close()


@pytest.fixture
def keyed_url(keyed_runtime: Runtime) -> Iterator[str]:
    with serve_in_thread(create_app(runtime=keyed_runtime)) as url:
        yield url


@pytest.fixture
def open_url(mcp_runtime: Runtime) -> Iterator[str]:
    with serve_in_thread(create_app(runtime=mcp_runtime)) as url:
        yield url


def ok(result: CallToolResult) -> Any:
    """The structured answer of a successful call (a bare value comes as ``{"result": ...}``)."""
    assert not result.is_error, text(result)
    structured = result.structured_content
    assert structured is not None
    return structured.get("result", structured) if set(structured) == {"result"} else structured


def failed(result: CallToolResult) -> str:
    """The message of a call that came back as a tool error."""
    assert result.is_error, result.structured_content
    return text(result)


def text(result: CallToolResult) -> str:
    first = result.content[0]
    assert isinstance(first, TextContent)
    return first.text


def wait_until_idle(local: LocalMemoryClient, user_id: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not local.extraction_status(user_id).idle:
        assert time.monotonic() < deadline, "extraction still busy"
        time.sleep(0.05)
