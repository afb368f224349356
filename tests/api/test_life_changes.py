"""The layers agree on what is true now: a move and a job change, told in ordinary words.

A user moves to Porto, works at Siemens as a nurse, then moves to Lisbon, quits Siemens and
starts at Google. Both the semantic layer and the graph must hold Lisbon and Google as current,
keep Porto and Siemens as past, and a search for the employer must answer with the current one
first. Run through the in-process, blocking (over a real uvicorn server) and async clients, on
SQLite and PostgreSQL.
"""

# ruff: noqa: F811 - the shared client fixtures are imported by name, and tests take them by name
from __future__ import annotations

from datetime import UTC, datetime

from memory_service.schemas import MemoryPublic
from tests.api.test_as_of import remember
from tests.sdk.fixtures import Client, app, call, client, live_server  # noqa: F401 - fixtures

NOW = datetime(2025, 2, 1, tzinfo=UTC)


def naming(memories: list[MemoryPublic], attribute: str, word: str) -> list[MemoryPublic]:
    return [m for m in memories if m.attribute == attribute and word in m.text]


async def test_both_layers_hold_the_current_home_and_employer(client: Client, user_id: str) -> None:
    await remember(client, user_id)
    current = list((await call(client.list_memories(user_id))).items)
    everything = list((await call(client.list_memories(user_id, include_invalid=True))).items)

    assert naming(current, "employer", "Google") and not naming(current, "employer", "Siemens")
    assert naming(current, "location", "Lisbon") and not naming(current, "location", "Porto")
    (siemens,) = naming(everything, "employer", "Siemens")
    assert siemens.status == "invalid" and siemens.invalid_at is not None

    edges = list((await call(client.list_edges(user_id))).items)
    now_true = {(edge.predicate, edge.target) for edge in edges}
    assert {("works_at", "Google"), ("lives_in", "Lisbon")} <= now_true
    assert not {("works_at", "Siemens"), ("lives_in", "Porto")} & now_true
    past = list((await call(client.list_edges(user_id, include_past=True))).items)
    ended = {edge.target for edge in past if edge.invalid_at is not None}
    assert {"Siemens", "Porto"} <= ended
    # The two layers agree on when Siemens ended, to the day.
    (siemens_edge,) = [edge for edge in past if edge.target == "Siemens"]
    assert siemens_edge.invalid_at is not None and siemens_edge.invalid_at.date() == siemens.invalid_at.date()


async def test_the_current_employer_answers_first(client: Client, user_id: str) -> None:
    await remember(client, user_id)
    response = await call(client.search("where does the user work?", user_id, layers=["semantic"], now=NOW))
    assert "Google" in response.results[0].text
    then = await call(
        client.search("where does the user work?", user_id, layers=["semantic"], as_of=datetime(2024, 6, 1, tzinfo=UTC))
    )
    assert "Siemens" in then.results[0].text  # the value that was current then
