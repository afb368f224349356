"""Two server processes on one PostgreSQL database behave as one service.

Both start at the same moment on an empty database (the schema is made once, under the
migration lock); what one replica writes or deletes the other's searches see, although each
keeps its own index cache; and extraction work queued through either is done exactly once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, select

from memory_service.store.tables import ExtractionTaskRow
from tests.conftest import new_postgres_database
from tests.operations.service import running, start_service

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

CATCH_UP_S = 15.0
"""How long a replica may take to see another's write; each delay measured is printed."""


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """An empty database of the module's own: the replicas make its schema, and the task table
    holds only this module's tasks."""
    with new_postgres_database() as url:
        yield url


@pytest.fixture(scope="module")
def replicas(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """Replicas A and B, started at the same moment, each with its own data dir (index cache)."""
    root = tmp_path_factory.mktemp("replicas")
    first = start_service(root / "a", database)
    second = start_service(root / "b", database)  # at once: both migrate the empty database
    with (
        running(first, second),
        httpx.Client(base_url=first.url, timeout=60) as a,
        httpx.Client(base_url=second.url, timeout=60) as b,
    ):
        yield a, b


def search_ids(client: httpx.Client, user: str, query: str, layers: list[str]) -> set[str]:
    body = {"query": query, "user_id": user, "layers": layers, "top_k": 10}
    response = client.post("/v1/search", json=body)
    assert response.status_code == 200, response.text
    return {hit["id"] for hit in response.json()["results"]}


def until(condition: Callable[[], bool], what: str, limit_s: float = CATCH_UP_S) -> float:
    """Seconds until ``condition`` holds, polled; fails past ``limit_s``."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < limit_s, f"{what}: not within {limit_s}s"
        time.sleep(0.01)
    return time.monotonic() - started


def add(client: httpx.Client, session: str, user: str, content: str, *, infer: bool = False) -> str:
    body: dict[str, Any] = {"user_id": user, "messages": [{"role": "user", "content": content}], "infer": infer}
    response = client.post(f"/v1/sessions/{session}/messages", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["ids"][0])


def test_writes_and_deletes_on_one_replica_are_seen_by_the_other(replicas: tuple[httpx.Client, httpx.Client]) -> None:
    a, b = replicas
    first = add(a, "trip", "ana", "I am flying to Lisbon in May.")
    assert until(lambda: first in search_ids(b, "ana", "Lisbon flight", ["episodic"]), "first write") >= 0
    # B now holds ana's partition in its cache: the next write on A must reach that cached index.
    second = add(a, "trip", "ana", "My sister Marta lives in Porto and breeds parrots.")
    seen = until(lambda: second in search_ids(b, "ana", "Marta parrots", ["episodic"]), "write on A")
    memory = a.post("/v1/memories", json={"user_id": "ana", "text": "Ana keeps bees on her roof"})
    assert memory.status_code == 201, memory.text
    memory_id = memory.json()["id"]
    until(lambda: memory_id in search_ids(b, "ana", "bees on the roof", ["semantic"]), "memory on A")
    assert a.delete(f"/v1/memories/{memory_id}").status_code in (200, 204)
    forgotten = until(lambda: memory_id not in search_ids(b, "ana", "bees on the roof", ["semantic"]), "delete on A")
    assert a.delete("/v1/users/ana").status_code == 200
    gone = until(lambda: not search_ids(b, "ana", "Lisbon Porto parrots", ["episodic"]), "user deleted on A")
    print(
        f"\nseen on B after: write {seen * 1000:.0f} ms, memory delete {forgotten * 1000:.0f} ms, "
        f"user delete {gone * 1000:.0f} ms"
    )


def test_extraction_queued_through_either_replica_is_done_exactly_once(
    replicas: tuple[httpx.Client, httpx.Client], database: str
) -> None:
    a, b = replicas
    users = ("carl", "dora")
    sent = 0
    for turn in range(6):
        for user in users:
            client = a if (turn + sent) % 2 else b
            add(client, f"{user}-chat", user, f"I moved to city number {turn} and I now work as a baker.", infer=True)
            sent += 1

    def idle() -> bool:
        return all(a.get(f"/v1/users/{user}/extraction").json()["idle"] for user in users)

    until(idle, "extraction", limit_s=120)
    engine = create_engine(database)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(ExtractionTaskRow.status, ExtractionTaskRow.attempts)).all()
    finally:
        engine.dispose()
    assert len(rows) == sent
    assert {(status, attempts) for status, attempts in rows} == {("done", 1)}  # each claimed once, done once
