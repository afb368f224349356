"""The temporal graph through every client: entities, an entity's detail and neighbours, relations."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any

import pytest

from memory_service.errors import InvalidInputError, NotFoundError
from tests.sdk.fixtures import Client, call

TURNS = [
    ("2024-01-10T12:00:00Z", "Hi! I work at Acme Corp as a designer. My sister Ana is great, and I live in Lisbon."),
    ("2024-03-15T12:00:00Z", "Big news: I started a new job at Globex last week! Ana says hi."),
]


async def wait_until_idle(client: Client, user_id: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not (await call(client.extraction_status(user_id))).idle:
        assert time.monotonic() < deadline, "extraction still busy"
        await asyncio.sleep(0.05)


async def told(client: Client, user_id: str) -> None:
    for n, (at, text) in enumerate(TURNS):
        message: dict[str, Any] = {"role": "user", "content": text, "occurred_at": at}
        await call(client.add_messages(f"{user_id}-s{n}", user_id, [message], infer=True))
    await wait_until_idle(client, user_id)


async def test_the_graph_through_every_client(client: Client, user_id: str) -> None:
    await told(client, user_id)
    entities = await call(client.list_entities(user_id))
    by_name = {e.name: e for e in entities.items}
    assert {"user", "Acme Corp", "Globex", "Lisbon", "Ana"} <= set(by_name)
    first = await call(client.list_entities(user_id, limit=2))
    assert len(first.items) == 2 and first.next_cursor

    me = by_name["user"].id
    detail = await call(client.get_entity(me))
    assert detail.name == "user" and {r.target for r in detail.relations} >= {"Acme Corp", "Globex"}

    now = {n.entity.name for n in (await call(client.entity_neighbors(me))).items}
    assert "Globex" in now and "Acme Corp" not in now
    before = await call(client.entity_neighbors(me, as_of=datetime.fromisoformat("2024-02-01T00:00:00+00:00")))
    assert before.entity_id == me and "Acme Corp" in {n.entity.name for n in before.items}

    current = {(e.predicate, e.target) for e in (await call(client.list_edges(user_id))).items}
    assert ("works_at", "Globex") in current and ("works_at", "Acme Corp") not in current
    every = await call(client.list_edges(user_id, include_past=True))
    assert ("works_at", "Acme Corp") in {(e.predicate, e.target) for e in every.items}
    known = await call(
        client.list_edges(user_id, as_of=datetime.fromisoformat("2024-03-10T00:00:00+00:00"), by="known")
    )
    assert ("works_at", "Acme Corp") in {(e.predicate, e.target) for e in known.items}
    await call(client.delete_user(user_id))


@pytest.mark.parametrize(
    ("method", "args", "kwargs"),
    [
        ("entity_neighbors", ("ent_1_1",), {"hops": 0}),
        ("entity_neighbors", ("ent_1_1",), {"hops": 9}),
        ("entity_neighbors", ("ent_1_1",), {"as_of": datetime(2024, 1, 1)}),
        ("entity_neighbors", ("ent_1_1",), {"by": "sideways"}),
        ("list_edges", ("u-1",), {"as_of": datetime(2024, 1, 1)}),
        ("list_edges", ("u-1",), {"limit": 0}),
        ("list_entities", ("bad user",), {}),
        ("get_entity", ("ent/1",), {}),
    ],
)
async def test_bad_graph_input_is_invalid_in_every_client(
    client: Client, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInputError):
        await call(getattr(client, method)(*args, **kwargs))


async def test_unknown_entities_are_not_found_in_every_client(client: Client, user_id: str) -> None:
    with pytest.raises(NotFoundError):
        await call(client.get_entity("ent_999999_1"))
    with pytest.raises(NotFoundError):
        await call(client.entity_neighbors("ent_999999_1"))
    assert (await call(client.list_entities(user_id))).items == []
