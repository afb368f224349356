"""Fixtures of the semantic layer's tests: the real app over HTTP, and waiting for the worker."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from memory_service.api.app import create_app
from memory_service.runtime import Runtime


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=runtime)) as test_client:
        yield test_client


def wait_for_extraction(client: TestClient, user_id: str, timeout_s: float = 60.0) -> dict[str, Any]:
    """Poll the status endpoint until every queued task of the user is done (or fail)."""
    deadline = time.monotonic() + timeout_s
    while True:
        status = client.get(f"/v1/users/{user_id}/extraction")
        assert status.status_code == 200, status.text
        body: dict[str, Any] = status.json()
        if body["idle"]:
            return body
        assert time.monotonic() < deadline, f"extraction still busy after {timeout_s}s: {body}"
        time.sleep(0.05)
