"""32 client threads writing and searching at once against one live server: no error, no lost write.

The store starts empty and every thread starts at the same instant, so the first writes of the
default namespace, of four new users (eight threads each) and of four shared sessions all race;
each thread also searches its user's memory between its writes.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from memory_service.api.app import create_app
from memory_service.runtime import Runtime, build_runtime
from memory_service.settings import Settings
from retrieval.embedder import SentenceTransformerEmbedder
from tests.operations.writers import Write, content_of, post_message, session_contents
from tests.serving import serve_in_thread

THREADS = 32
USERS = 4
WRITES_PER_THREAD = 4


@pytest.fixture
def url(own_settings: Settings, embedder: SentenceTransformerEmbedder) -> Iterator[str]:
    runtime: Runtime = build_runtime(own_settings, embedder=embedder)
    try:
        with serve_in_thread(create_app(runtime=runtime)) as base_url:
            yield base_url
    finally:
        runtime.close()


def client_thread(url: str, number: int, start: threading.Barrier, done: list[Write], errors: list[str]) -> None:
    """Alternately a write (own session, then the user's shared one) and a search, from the start line."""
    user = f"user-{number % USERS}"
    with httpx.Client(base_url=url, timeout=120) as client:
        start.wait()
        for step in range(WRITES_PER_THREAD):
            session = f"shared-{number % USERS}" if step % 2 else f"own-{number}"
            write = Write(user, session, content_of(number, step), infer=False)
            try:
                sent = post_message(client, write)
                if sent.status_code != 201:
                    errors.append(f"write {sent.status_code}: {sent.text[:300]}")
                    continue
                done.append(Write(user, session, write.content, False, tuple(sent.json()["ids"])))
                found = client.post("/v1/search", json={"query": write.content, "user_id": user, "top_k": 5})
                if found.status_code != 200:
                    errors.append(f"search {found.status_code}: {found.text[:300]}")
            except httpx.TransportError as exc:
                errors.append(f"{type(exc).__name__}: {exc}")


def test_concurrent_writers_and_readers_get_no_error_and_lose_no_write(url: str) -> None:
    start = threading.Barrier(THREADS)
    done: list[Write] = []
    errors: list[str] = []
    threads = [threading.Thread(target=client_thread, args=(url, n, start, done, errors)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    assert len(done) == THREADS * WRITES_PER_THREAD

    with httpx.Client(base_url=url, timeout=60) as client:
        sessions = {write.session_id for write in done}
        stored = {session: session_contents(client, session) for session in sessions}
        copies = Counter(content for items in stored.values() for _, content in items)
        assert all(copies[write.content] == 1 for write in done)
        assert sum(copies.values()) == len(done)
        for session, items in stored.items():  # each shared session has one owner and gapless positions
            page = client.get(f"/v1/sessions/{session}/messages", params={"limit": 200}).json()["items"]
            assert [item["position"] for item in page] == list(range(1, len(items) + 1))
            assert len({item["user_id"] for item in page}) == 1
        for user in range(USERS):
            listed = client.get("/v1/sessions", params={"user_id": f"user-{user}"}).json()["items"]
            assert len(listed) == 1 + THREADS // USERS
