"""infer=true through the API: episodes stored at once, facts extracted and consolidated by the worker."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient

from memory_service.runtime import Runtime
from tests.layers.semantic.conftest import wait_for_extraction

MOVES = [
    ("2024-01-10T09:00:00Z", "I live in Lisbon, close to the river."),
    ("2024-03-05T09:00:00Z", "Big news: I just moved to Berlin."),
    ("2024-07-01T09:00:00Z", "I moved to Madrid last week."),
]


def say(client: TestClient, user_id: str, session: str, at: str, text: str, *, infer: bool = True) -> str:
    created = client.post(
        f"/v1/sessions/{session}/messages",
        json={"user_id": user_id, "infer": infer, "messages": [{"role": "user", "content": text, "occurred_at": at}]},
    )
    assert created.status_code == 201, created.text
    ids: list[str] = created.json()["ids"]
    return ids[0]


def memories(client: TestClient, user_id: str, **params: Any) -> list[dict[str, Any]]:
    page = client.get("/v1/memories", params={"user_id": user_id, **params})
    assert page.status_code == 200, page.text
    items: list[dict[str, Any]] = page.json()["items"]
    return items


def test_moving_twice_leaves_one_current_location_and_its_history(client: TestClient, user_id: str) -> None:
    episodes = [say(client, user_id, f"{user_id}-s{n}", at, text) for n, (at, text) in enumerate(MOVES)]
    status = wait_for_extraction(client, user_id)
    assert (status["done"], status["failed"]) == (3, 0)

    locations = [m for m in memories(client, user_id, include_invalid=True) if m["attribute"] == "location"]
    current = [m for m in locations if m["status"] == "active"]
    past = [m for m in locations if m["status"] == "invalid"]
    assert len(locations) == 3 and len(current) == 1 and len(past) == 2
    (madrid,) = current
    assert "Madrid" in madrid["text"] and madrid["version"] == 3 and madrid["provenance"] == [episodes[2]]
    assert madrid["invalid_at"] is None and madrid["valid_at"].startswith("2024-06")
    # Each past value ended when the next began.
    lisbon, berlin = sorted(past, key=lambda m: m["valid_at"])
    assert "Lisbon" in lisbon["text"] and lisbon["invalid_at"] == berlin["valid_at"]
    assert "Berlin" in berlin["text"] and berlin["invalid_at"] == madrid["valid_at"]
    assert [m["id"] for m in memories(client, user_id) if m["attribute"] == "location"] == [madrid["id"]]

    history = client.get(f"/v1/memories/{madrid['id']}/history").json()["items"]
    assert [(h["event"], h["version"], h["actor"]) for h in history] == [
        ("ADD", 1, "extractor"),
        ("UPDATE", 2, "extractor"),
        ("UPDATE", 3, "extractor"),
    ]
    assert [h["provenance"] for h in history] == [[e] for e in episodes]
    assert [h["memory_id"] for h in history] == [lisbon["id"], berlin["id"], madrid["id"]]
    assert history[1]["old_text"] == lisbon["text"] and history[1]["new_text"] == berlin["text"]
    assert history[2]["old_text"] == berlin["text"] and history[2]["new_text"] == madrid["text"]
    # The same history is reached from any version of the fact.
    assert client.get(f"/v1/memories/{lisbon['id']}/history").json()["items"] == history


def test_saying_it_stopped_invalidates_and_repeating_reinforces(client: TestClient, user_id: str) -> None:
    first = say(client, user_id, f"{user_id}-a", "2024-01-10T09:00:00Z", "I live in Lisbon.")
    again = say(client, user_id, f"{user_id}-b", "2024-02-10T09:00:00Z", "I live in Lisbon.")
    wait_for_extraction(client, user_id)
    (lisbon,) = memories(client, user_id)
    assert lisbon["reinforcements"] == 1 and lisbon["provenance"] == [first, again] and lisbon["version"] == 1

    gone = say(client, user_id, f"{user_id}-c", "2024-05-01T09:00:00Z", "I don't live in Lisbon anymore.")
    wait_for_extraction(client, user_id)
    assert lisbon["id"] not in [m["id"] for m in memories(client, user_id)]
    ended = client.get(f"/v1/memories/{lisbon['id']}").json()
    assert ended["status"] == "invalid" and ended["invalid_at"] == "2024-05-01T09:00:00Z"
    events = client.get(f"/v1/memories/{lisbon['id']}/history").json()["items"]
    assert [(e["event"], e["provenance"]) for e in events] == [("ADD", [first]), ("NOOP", [again]), ("DELETE", [gone])]


def test_infer_false_queues_nothing(client: TestClient, runtime: Runtime, user_id: str) -> None:
    say(client, user_id, f"{user_id}-s", "2024-01-10T09:00:00Z", "I live in Lisbon.", infer=False)
    status = client.get(f"/v1/users/{user_id}/extraction").json()
    assert (status["pending"], status["running"], status["done"]) == (0, 0, 0)
    assert memories(client, user_id) == []
    assert client.get("/v1/users/nobody-here/extraction").status_code == 404


def test_a_queued_write_wakes_the_worker_at_once(client: TestClient, runtime: Runtime, user_id: str) -> None:
    """The worker would sleep an hour between polls: only the write's wake-up can start it."""
    runtime.extraction.poll_s = 3600.0
    time.sleep(1.5)  # the wait under way (the old poll, 1 s) ends; the next one is the hour-long one
    say(client, user_id, f"{user_id}-s", *MOVES[0])
    assert wait_for_extraction(client, user_id, timeout_s=60.0)["done"] == 1
