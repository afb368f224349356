"""Client threads that write messages over HTTP and remember exactly which writes were acknowledged."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass(frozen=True)
class Write:
    """One message sent; ``ids`` holds its episode id once the server answered 201."""

    user_id: str
    session_id: str
    content: str
    infer: bool
    ids: tuple[str, ...] = ()


@dataclass
class Ledger:
    """What every writer sent: acknowledged writes, writes whose answer never came, and errors."""

    acknowledged: list[Write] = field(default_factory=list)
    unanswered: list[Write] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self) -> int:
        with self.lock:
            return len(self.acknowledged)


def content_of(writer: int, number: int) -> str:
    """A message no other write repeats: its token (``kq3x017z``) is unique to the run."""
    return f"Writer {writer} note {number}: the locker code is kq{writer}x{number:03d}z."


def post_message(client: httpx.Client, write: Write) -> httpx.Response:
    body: dict[str, Any] = {
        "user_id": write.user_id,
        "messages": [{"role": "user", "content": write.content}],
        "infer": write.infer,
    }
    return client.post(f"/v1/sessions/{write.session_id}/messages", json=body)


def write_until(
    url: str, writer: int, user_id: str, session_id: str, ledger: Ledger, stop: threading.Event, *, limit: int = 10_000
) -> None:
    """Post messages one after another until ``stop`` is set or the server goes away; every third
    one asks for extraction (``infer: true``)."""
    with httpx.Client(base_url=url, timeout=60) as client:
        for number in range(limit):
            if stop.is_set():
                return
            write = Write(user_id, session_id, content_of(writer, number), infer=number % 3 == 0)
            try:
                response = post_message(client, write)
            except httpx.TransportError:
                with ledger.lock:
                    ledger.unanswered.append(write)
                return
            with ledger.lock:
                if response.status_code == 201:
                    ids = tuple(response.json()["ids"])
                    ledger.acknowledged.append(Write(write.user_id, write.session_id, write.content, write.infer, ids))
                else:
                    ledger.errors.append(f"{response.status_code}: {response.text[:300]}")
                    return


def session_contents(client: httpx.Client, session_id: str) -> list[tuple[str, str]]:
    """Every stored message of the session as (id, content), following the pages."""
    found: list[tuple[str, str]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"/v1/sessions/{session_id}/messages", params=params)
        assert page.status_code == 200, page.text
        body = page.json()
        found.extend((item["id"], item["content"]) for item in body["items"])
        cursor = body.get("next_cursor")
        if not cursor:
            return found


def found_by_search(client: httpx.Client, write: Write) -> bool:
    """Whether searching the write's own words (in its session) returns its episode."""
    body = {
        "query": write.content,
        "user_id": write.user_id,
        "layers": ["episodic"],
        "session_ids": [write.session_id],
        "top_k": 5,
    }
    response = client.post("/v1/search", json=body)
    assert response.status_code == 200, response.text
    return write.ids[0] in {hit["id"] for hit in response.json()["results"]}
