"""``as_of`` means one thing in every layer and every face: memory as it stood at that moment.

A user moves from Porto to Lisbon and changes jobs; asked as of a moment before the move, no
layer answers with what became true, or was said, after it; asked after it, the new home is
there. Run through the in-process, blocking (over a real uvicorn server) and async clients, on
SQLite and PostgreSQL.
"""

# ruff: noqa: F811 - the shared client fixtures are imported by name, and tests take them by name
from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from memory_service.schemas import SearchResult
from tests.sdk.fixtures import Client, app, call, client, live_server  # noqa: F401 - fixtures

SAID = [
    ("2024-03-01T10:00:00Z", "I moved to Porto."),
    ("2024-03-02T10:00:00Z", "I am vegetarian and I work at Siemens as a nurse."),
    ("2025-01-10T10:00:00Z", "Big news: I just moved to Lisbon last week, and I quit Siemens, now I work at Google."),
]
BEFORE_THE_MOVE = datetime(2024, 6, 1, tzinfo=UTC)
AFTER_THE_MOVE = datetime(2025, 2, 1, tzinfo=UTC)
LAYERS = ["episodic", "semantic", "graph"]


async def remember(client: Client, user_id: str) -> dict[str, datetime]:
    """The conversation, each turn in its own session, extracted; episode id -> when it was said."""
    said: dict[str, datetime] = {}
    for n, (at, text) in enumerate(SAID):
        message = {"role": "user", "content": text, "occurred_at": at}
        created = await call(client.add_messages(f"{user_id}-s{n}", user_id, [message], infer=True))
        said.update({episode_id: datetime.fromisoformat(at) for episode_id in created.ids})
    deadline = time.monotonic() + 60
    while not (await call(client.extraction_status(user_id))).idle:
        assert time.monotonic() < deadline, "extraction did not finish"
        time.sleep(0.05)
    return said


def stood_at(hit: SearchResult, moment: datetime, said: dict[str, datetime]) -> bool:
    """Whether ``hit`` belongs to memory as it stood at ``moment``: said by then, and true then."""
    learned = all(said[episode_id] <= moment for episode_id in hit.provenance)
    if hit.layer == "episodic":
        return learned and hit.occurred_at is not None and hit.occurred_at <= moment
    started = hit.valid_at is None or hit.valid_at <= moment
    ongoing = hit.invalid_at is None or hit.invalid_at > moment
    return learned and started and ongoing


async def search(
    client: Client, user_id: str, as_of: datetime | None, layers: list[str] = LAYERS
) -> list[SearchResult]:
    response = await call(client.search("where does the user live and work?", user_id, layers=layers, as_of=as_of))
    return list(response.results)


@pytest.mark.parametrize("moment", [BEFORE_THE_MOVE, AFTER_THE_MOVE], ids=["before", "after"])
async def test_search_as_of_returns_memory_as_it_stood_in_every_layer(
    client: Client, user_id: str, moment: datetime
) -> None:
    said = await remember(client, user_id)
    hits = await search(client, user_id, moment)
    assert {hit.layer for hit in hits} == set(LAYERS)
    assert [hit.text for hit in hits if not stood_at(hit, moment, said)] == []
    texts = " ".join(hit.text for hit in hits if hit.layer != "episodic")
    if moment == BEFORE_THE_MOVE:
        assert "Porto" in texts and "Siemens" in texts and "Lisbon" not in texts and "Google" not in texts
    else:
        assert "Lisbon" in texts and "Google" in texts
    # Each layer alone, and each pair, keeps to the same moment.
    for layers in (["episodic"], ["semantic"], ["graph"], ["episodic", "semantic"], ["semantic", "graph"]):
        alone = await search(client, user_id, moment, layers)
        assert alone and {hit.layer for hit in alone} == set(layers), layers
        assert [hit.text for hit in alone if not stood_at(hit, moment, said)] == [], layers
    # Without as_of the same search reaches what was said later.
    assert any(not stood_at(hit, BEFORE_THE_MOVE, said) for hit in await search(client, user_id, None))


async def test_memories_as_of_list_what_stood_then(client: Client, user_id: str) -> None:
    await remember(client, user_id)

    async def texts(**options: Any) -> list[str]:
        return [memory.text for memory in (await call(client.list_memories(user_id, **options))).items]

    before = await texts(as_of=BEFORE_THE_MOVE)
    assert any("Porto" in text for text in before) and not any("Lisbon" in text for text in before)
    after = await texts(as_of=AFTER_THE_MOVE)
    assert any("Lisbon" in text for text in after) and not any("Porto" in text for text in after)
    assert await texts(as_of=datetime(2024, 1, 1, tzinfo=UTC)) == []  # nothing was known yet
    # Ended facts come back with include_invalid, and only those already learned.
    history = await texts(as_of=AFTER_THE_MOVE, include_invalid=True)
    assert any("Porto" in text for text in history)


async def test_a_moment_without_a_timezone_is_refused_by_every_client(client: Client, user_id: str) -> None:
    await remember(client, user_id)
    with pytest.raises(Exception, match="timezone"):
        await call(client.list_memories(user_id, as_of=datetime(2024, 6, 1)))  # noqa: DTZ001 - the point


@pytest.mark.parametrize("by", ["valid", "known"])
async def test_graph_edges_as_of_agree_with_the_search(app: Any, user_id: str, client: Client, by: str) -> None:
    await remember(client, user_id)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://memory.test") as http:
        edges = await http.get(
            "/v1/graph/edges", params={"user_id": user_id, "as_of": BEFORE_THE_MOVE.isoformat(), "by": by}
        )
    assert edges.status_code == 200, edges.text
    facts = " ".join(edge["fact"] for edge in edges.json()["items"])
    assert "Porto" in facts and "Siemens" in facts and "Lisbon" not in facts and "Google" not in facts
