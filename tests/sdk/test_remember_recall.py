"""``remember`` and ``recall`` through every client: a turn stored, its facts distilled, a block recalled."""

from __future__ import annotations

from datetime import datetime

import pytest

from memory_service.errors import InvalidInputError
from memory_service.sdk.context import EPISODES_HEADING, FACTS_HEADING, estimate_tokens
from tests.sdk.fixtures import Client, call
from tests.sdk.test_graph_calls import wait_until_idle

TURN = [
    {"role": "user", "content": "I started a new job at Globex last week.", "occurred_at": "2024-03-15T12:00:00Z"},
    {"role": "assistant", "content": "Congratulations on the new job!", "occurred_at": "2024-03-15T12:00:05Z"},
]


async def test_remember_then_recall_in_every_client(client: Client, user_id: str) -> None:
    created = await call(client.remember(TURN, user_id, session_id=f"{user_id}-chat"))
    assert len(created.ids) == 2 and created.session_id == f"{user_id}-chat"
    await wait_until_idle(client, user_id)  # infer is on by default: facts are distilled

    recalled = await call(client.recall("where does the user work?", user_id))
    assert recalled.facts and "Globex" in recalled.facts[0].text
    assert recalled.text.startswith(FACTS_HEADING) and EPISODES_HEADING in recalled.text
    assert created.ids[0] in recalled.text  # the fact cites the turn it came from
    assert recalled.tokens == estimate_tokens(recalled.text) <= 1000

    tight = await call(client.recall("where does the user work?", user_id, token_budget=30))
    assert estimate_tokens(tight.text) <= 30 and tight.omitted > 0
    counted = await call(client.recall("job", user_id, count_tokens=lambda text: len(text.split()), token_budget=12))
    assert len(counted.text.split()) <= 12
    only_turns = await call(client.recall("job", user_id, layers=["episodic"]))
    assert only_turns.facts == () and {e.id for e in only_turns.episodes} == set(created.ids)
    await call(client.delete_user(user_id))


async def test_remember_without_inference_stores_only_the_turn(client: Client, user_id: str) -> None:
    await call(client.remember(TURN[:1], user_id, session_id=f"{user_id}-chat", infer=False))
    recalled = await call(client.recall("Globex", user_id))
    assert recalled.facts == () and len(recalled.episodes) == 1
    await call(client.delete_user(user_id))


async def test_a_bad_budget_or_moment_is_refused_before_searching(client: Client) -> None:
    with pytest.raises(InvalidInputError):
        await call(client.recall("job", "u-1", token_budget=0))
    with pytest.raises(InvalidInputError):
        await call(client.recall("job", "u-1", as_of=datetime(2024, 1, 1)))
    assert (await call(client.recall("job", "u-1", as_of="2024-01-01T00:00:00Z"))).items == ()  # as the API takes it
