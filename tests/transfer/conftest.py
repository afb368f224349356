"""A source runtime holding a few LoCoMo sessions, read into facts and a graph, for the export tests.

Source and target runtimes are made on SQLite and on PostgreSQL; the module's export file, read
by the import tests, is made once on SQLite.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

import pytest

from memory_service.domain import NewMessage
from memory_service.evaluation.datasets import load_locomo
from memory_service.runtime import Runtime, build_runtime
from memory_service.settings import Settings
from memory_service.transfer import export_user
from retrieval.embedder import SentenceTransformerEmbedder
from tests.conftest import new_postgres_database, shared_data_dir

NS = "transfer"
USER = "locomo-user"
SESSIONS = 2
"""LoCoMo sessions ingested: enough for facts, history and a graph, few enough for a quick test."""


def ingest_locomo(runtime: Runtime, namespace: str = NS, user_id: str = USER, sessions: int = SESSIONS) -> None:
    """Ingest the first sessions of the LoCoMo dev conversation with extraction, and wait for it."""
    conversation = load_locomo(shared_data_dir() / "locomo" / "locomo_dev.json").conversations[0]
    first = conversation.speakers[0]
    for session in conversation.sessions[:sessions]:
        messages = [
            NewMessage(
                "user" if turn.speaker == first else "assistant",
                turn.text,
                occurred_at=session.date + timedelta(seconds=index),
                metadata={"speaker": turn.speaker, "dia_id": turn.dia_id},
            )
            for index, turn in enumerate(session.turns)
        ]
        runtime.episodic.add_messages(
            namespace, f"{user_id}-{session.session_id}", user_id, messages, agent_id="agent-1", infer=True
        )
    deadline = time.monotonic() + 120
    while not runtime.semantic.extraction_status(namespace, user_id).idle:
        assert time.monotonic() < deadline, "extraction did not finish"
        time.sleep(0.05)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def make_runtime(
    request: pytest.FixtureRequest, tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> Iterator[Callable[[str], Runtime]]:
    """Fresh runtimes, each on a data dir and, on PostgreSQL, a database of its own (an import
    into an empty service means an empty store), closed after the test."""
    made: list[Runtime] = []
    with ExitStack() as databases:

        def make(name: str) -> Runtime:
            url = databases.enter_context(new_postgres_database()) if request.param == "postgres" else None
            runtime = build_runtime(Settings(data_dir=tmp_path / name, database_url=url), embedder=embedder)
            made.append(runtime)
            return runtime

        yield make
        for runtime in made:
            runtime.close()


@pytest.fixture
def source(make_runtime: Callable[[str], Runtime]) -> Runtime:
    runtime = make_runtime("source")
    ingest_locomo(runtime)
    return runtime


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder) -> Path:
    """One user's export file, made once per module from a freshly ingested runtime."""
    folder = tmp_path_factory.mktemp("exported")
    runtime = build_runtime(Settings(data_dir=folder / "data"), embedder=embedder)
    try:
        ingest_locomo(runtime)
        path = folder / "user.jsonl"
        with path.open("w", encoding="utf-8") as out:
            export_user(runtime, NS, USER, out)
    finally:
        runtime.close()
    return path
