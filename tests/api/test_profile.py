"""``GET /v1/users/{user_id}/profile`` through every client, on SQLite and PostgreSQL.

The user of ``test_as_of`` moves from Porto to Lisbon and from Siemens to Google, vegetarian all
along: the profile as of before the move shows Porto and Siemens, after it Lisbon and Google, and
the diet in both. ``recall`` starts its facts from the same profile.
"""

# ruff: noqa: F811 - the shared client fixtures are imported by name, and tests take them by name
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from memory_service.api.app import create_app
from memory_service.errors import InvalidInputError
from memory_service.runtime import Runtime, build_runtime
from memory_service.schemas import ProfilePublic
from memory_service.sdk.context import FACTS_HEADING
from memory_service.settings import Settings
from retrieval.embedder import SentenceTransformerEmbedder
from tests.api.test_as_of import AFTER_THE_MOVE, BEFORE_THE_MOVE, remember
from tests.api.test_auth import make_key
from tests.sdk.fixtures import Client, app, call, client, live_server  # noqa: F401 - fixtures


def section(profile: ProfilePublic, name: str) -> str:
    return " ".join(entry.text for s in profile.sections if s.name == name for entry in s.entries)


async def test_the_profile_before_and_after_a_move_in_every_client(client: Client, user_id: str) -> None:
    said = await remember(client, user_id)
    before = await call(client.profile(user_id, as_of=BEFORE_THE_MOVE))
    assert before.user_id == user_id and before.subject == "user" and before.as_of == BEFORE_THE_MOVE
    assert "Porto" in section(before, "home") and "Lisbon" not in section(before, "home")
    assert "Siemens" in section(before, "work") and "Google" not in section(before, "work")
    for moment in (AFTER_THE_MOVE, None):
        after = await call(client.profile(user_id, as_of=moment))
        assert "Lisbon" in section(after, "home") and "Porto" not in section(after, "home")
        assert "Google" in section(after, "work") and "Siemens" not in section(after, "work")
        assert "vegetarian" in section(after, "diet_and_health")
    assert "vegetarian" in section(before, "diet_and_health")
    entries = [entry for s in before.sections for entry in s.entries]
    assert all(entry.memory_id.startswith("mem_") and entry.single_valued for entry in entries)
    assert all(episode in said and said[episode] <= BEFORE_THE_MOVE for e in entries for episode in e.provenance)

    # The profile leads recall's facts: the home comes first, whatever the query.
    recalled = await call(client.recall("what music do I like?", user_id))
    assert recalled.text.startswith(FACTS_HEADING) and recalled.facts
    assert recalled.facts[0].metadata["profile_section"] == "home" and "Lisbon" in recalled.facts[0].text
    assert len({fact.id for fact in recalled.facts}) == len(recalled.facts)  # a fact found again is shown once
    only_turns = await call(client.recall("where do I live?", user_id, layers=["episodic"]))
    assert only_turns.facts == ()


async def test_unknown_users_and_subjects_have_an_empty_profile(client: Client, user_id: str) -> None:
    empty = await call(client.profile(f"{user_id}-nobody"))
    assert [s.name for s in empty.sections][:3] == ["identity", "home", "work"]
    assert all(s.entries == [] and s.omitted == 0 for s in empty.sections)
    named = await call(client.profile(f"{user_id}-nobody", subject="Caroline"))
    assert named.subject == "Caroline" and all(s.entries == [] for s in named.sections)


async def test_bad_arguments_are_refused_by_every_client(client: Client) -> None:
    with pytest.raises(InvalidInputError, match="timezone"):
        await call(client.profile("ana", as_of=datetime(2024, 6, 1)))  # noqa: DTZ001 - the point
    with pytest.raises(InvalidInputError):
        await call(client.profile("not a valid id!"))
    with pytest.raises(InvalidInputError):
        await call(client.profile("ana", subject="x" * 129))


@pytest.fixture
def keyed_client(
    sqlite_settings: Settings, embedder: SentenceTransformerEmbedder
) -> Iterator[tuple[Runtime, TestClient]]:
    runtime = build_runtime(sqlite_settings, embedder=embedder)
    with TestClient(create_app(runtime=runtime)) as test_client:
        yield runtime, test_client
    runtime.close()


def test_the_profile_needs_the_read_scope(keyed_client: tuple[Runtime, TestClient]) -> None:
    runtime, http = keyed_client
    reader, writer = make_key(runtime, "team-a", ["read"]), make_key(runtime, "team-a", ["write"])
    assert http.get("/v1/users/ana/profile", headers=reader).status_code == 200
    refused = http.get("/v1/users/ana/profile", headers=writer)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert http.get("/v1/users/ana/profile").status_code == 401
    naive = http.get("/v1/users/ana/profile", params={"as_of": "2024-06-01T00:00:00"}, headers=reader)
    assert naive.status_code == 422 and "error" in naive.json()
    at = datetime(2024, 6, 1, tzinfo=UTC).isoformat()
    assert http.get("/v1/users/ana/profile", params={"as_of": at}, headers=reader).json()["as_of"].startswith("2024")
