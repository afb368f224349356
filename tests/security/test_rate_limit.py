"""Per-key rate limits: 429 with Retry-After past the limit, other keys untouched, one budget per
key across replicas when the counts live on Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from memory_service.api.app import create_app
from memory_service.errors import RateLimitedError
from memory_service.runtime import Runtime, build_runtime
from memory_service.security.principal import Principal
from memory_service.security.rate_limit import RateLimiter
from memory_service.settings import Settings
from retrieval.embedder import SentenceTransformerEmbedder

REDIS_URL = os.environ.get("MEMORY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def limited(sqlite_settings: Settings, embedder: SentenceTransformerEmbedder) -> Iterator[Runtime]:
    runtime = build_runtime(sqlite_settings.model_copy(update={"rate_limit": "3/minute"}), embedder=embedder)
    yield runtime
    runtime.close()


def bearer(runtime: Runtime, namespace: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {runtime.auth.keys.create(namespace, ['read', 'write'], actor='cli').secret}"}


def test_a_key_past_its_limit_is_told_when_to_come_back(limited: Runtime) -> None:
    with TestClient(create_app(runtime=limited)) as client:
        first, second = bearer(limited, "team-a"), bearer(limited, "team-a")
        for _ in range(3):
            assert client.get("/v1/sessions", params={"user_id": "u"}, headers=first).status_code == 200
        refused = client.get("/v1/sessions", params={"user_id": "u"}, headers=first)
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        error = refused.json()["error"]
        assert error["code"] == "rate_limited" and error["details"]["retry_after_s"] == int(
            refused.headers["retry-after"]
        )
        # Another key has its own budget; the limit costs the health checks nothing.
        assert client.get("/v1/sessions", params={"user_id": "u"}, headers=second).status_code == 200
        assert client.get("/healthz").status_code == 200


def test_replicas_on_redis_share_one_budget_per_key() -> None:
    try:
        replicas = [RateLimiter("3/minute", REDIS_URL), RateLimiter("3/minute", REDIS_URL)]
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no server"
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    caller = Principal(namespace=f"ns-{uuid.uuid4().hex}", scopes=frozenset({"read"}), key_id="key_1")
    other = Principal(namespace=caller.namespace, scopes=frozenset({"read"}), key_id="key_2")
    replicas[0].hit(caller)
    replicas[1].hit(caller)
    replicas[0].hit(caller)
    with pytest.raises(RateLimitedError):
        replicas[1].hit(caller)  # the fourth request, whichever replica serves it
    replicas[1].hit(other)
