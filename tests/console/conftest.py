"""A store with one user's conversation extracted, the app over it, and admin and non-admin keys."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from fastapi import FastAPI

from memory_service.api.app import create_app
from memory_service.domain import NewMessage
from memory_service.runtime import Runtime, build_runtime
from memory_service.settings import Settings
from retrieval.embedder import SentenceTransformerEmbedder
from tests.serving import serve_in_thread

NAMESPACE = "team"
USER = "ana"
SAID = [
    ("2024-03-01T10:00:00+00:00", "I moved to Porto."),
    ("2024-03-02T10:00:00+00:00", "I am vegetarian and I work at Siemens as a nurse."),
    (
        "2025-01-10T10:00:00+00:00",
        "Big news: I just moved to Lisbon last week, and I quit Siemens, now I work at Google.",
    ),
]


@dataclass(frozen=True)
class Keys:
    admin: str
    reader: str


def remember(runtime: Runtime, namespace: str = NAMESPACE, user_id: str = USER) -> None:
    """The conversation, one session a turn, with semantic and graph extraction waited for."""
    for n, (at, text) in enumerate(SAID):
        message = NewMessage("user", text, occurred_at=datetime.fromisoformat(at))
        runtime.episodic.add_messages(namespace, f"{user_id}-s{n}", user_id, [message], infer=True)
    deadline = time.monotonic() + 60
    while not runtime.semantic.extraction_status(namespace, user_id).idle:
        assert time.monotonic() < deadline, "extraction did not finish"
        time.sleep(0.05)


@pytest.fixture
def console_runtime(tmp_path: Path, embedder: SentenceTransformerEmbedder) -> Iterator[Runtime]:
    runtime = build_runtime(Settings(data_dir=tmp_path / "data"), embedder=embedder)
    yield runtime
    runtime.close()


@pytest.fixture
def keys(console_runtime: Runtime) -> Keys:
    store = console_runtime.auth.keys
    admin = store.create(NAMESPACE, ["read", "write", "admin"], actor="cli")
    reader = store.create(NAMESPACE, ["read"], actor="cli")
    return Keys(admin.secret, reader.secret)


@pytest.fixture
def console_app(console_runtime: Runtime) -> FastAPI:
    return create_app(runtime=console_runtime)


@pytest.fixture
def live_url(console_app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn from a background thread on a free loopback port."""
    with serve_in_thread(console_app) as url:
        yield url
