"""Fixtures of the SDK's tests: each client kind on one runtime, and a helper for sync and async calls.

``tests/sdk/conftest.py`` offers the fixtures to the SDK's tests; a test elsewhere that runs
through every client imports them by name from here.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from memory_service.api.app import create_app
from memory_service.runtime import Runtime
from memory_service.sdk import AsyncMemoryClient, LocalMemoryClient, MemoryClient
from tests.serving import serve_in_thread

Client = MemoryClient | AsyncMemoryClient | LocalMemoryClient


async def call(result: Any) -> Any:
    """The value of a client call, whether the client is sync or async."""
    return await result if inspect.isawaitable(result) else result


async def collect(items: Any) -> list[Any]:
    if hasattr(items, "__aiter__"):
        return [item async for item in items]
    return list(items)


@pytest.fixture
def app(runtime: Runtime) -> FastAPI:
    return create_app(runtime=runtime)


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn from a background thread on a free 127.0.0.1 port."""
    with serve_in_thread(app) as url:
        yield url


@pytest.fixture(params=["local", "sync", "async"])
async def client(request: pytest.FixtureRequest, runtime: Runtime) -> AsyncIterator[Client]:
    """Each client kind on the same runtime (and so on each store backend)."""
    made: Client
    if request.param == "local":
        made = LocalMemoryClient(runtime)
    elif request.param == "sync":
        made = MemoryClient(request.getfixturevalue("live_server"))
    else:
        transport = httpx.ASGITransport(app=request.getfixturevalue("app"))
        made = AsyncMemoryClient("http://memory.test", transport=transport)
    yield made
    await call(made.close())
