"""Fixtures of the graph layer's tests: the real app over HTTP and a scripted conversation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from memory_service.api.app import create_app
from memory_service.runtime import Runtime
from tests.layers.semantic.conftest import wait_for_extraction

CONVERSATION = [
    ("2024-01-10T12:00:00Z", "Hi! I work at Acme Corp as a designer. My sister Ana is great, and I live in Lisbon."),
    ("2024-03-15T12:00:00Z", "Big news: I started a new job at Globex last week! Ana says hi."),
    ("2024-06-20T12:00:00Z", "I moved to Berlin on June 1st. Ana is visiting me next month."),
    ("2024-07-20T12:00:00Z", "Ana, my sister, loved it. I went to a pottery workshop yesterday."),
]


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=runtime)) as test_client:
        yield test_client


def post_conversation(client: TestClient, user_id: str) -> list[str]:
    """Each turn in its own session with infer=true; waits for the worker; the episodes' ids."""
    ids = []
    for n, (at, text) in enumerate(CONVERSATION):
        body = {"user_id": user_id, "infer": True, "messages": [{"role": "user", "content": text, "occurred_at": at}]}
        created = client.post(f"/v1/sessions/{user_id}-s{n}/messages", json=body)
        assert created.status_code == 201, created.text
        ids.extend(created.json()["ids"])
    status = wait_for_extraction(client, user_id)
    assert (status["done"], status["failed"]) == (len(CONVERSATION), 0)
    return ids


def get_json(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()
