"""Every route of the OpenAPI schema, fuzzed: no answer is a server error, and every answer is one
the schema documents (status code, content type, headers and body).

schemathesis generates requests from the app's own schema (valid ones and deliberately wrong
ones) and sends them in process over ASGI to an app on a real store, with a key of one namespace
that holds every scope, so the routes' own code runs rather than the key check. The examples per
route are bounded and the generation derandomized, so a run is short and repeatable.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.python import asgi

from memory_service.api.app import create_app
from memory_service.api.routes.transfer import NDJSON
from memory_service.runtime import build_runtime
from memory_service.settings import Settings
from retrieval.embedder import SentenceTransformerEmbedder

EXAMPLES_PER_ROUTE = 10

CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            # A request the schema allows may still be wrong in ways no schema can say (a cursor the
            # server never made, a text of blanks): a clear 422 is the right answer to it.
            "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]},
        }
    }
)

# The schema is the app's own, read without starting it (making the schema needs no store); the
# requests go to the fixture's app below, which serves the same routes on a real store.
schema = schemathesis.openapi.from_dict(create_app(Settings()).openapi(), config=CONFIG)


@schemathesis.serializer(NDJSON)
def _export_file(_: schemathesis.SerializationContext, value: object) -> bytes:
    """An import body as sent: text as it is, anything else as one JSON line."""
    return (value if isinstance(value, str) else json.dumps(value)).encode()


@pytest.fixture(scope="module")
def client(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Iterator[asgi.ASGIClient]:
    """An in-process client of the app on a fresh SQLite store, carrying a key with every scope."""
    runtime = build_runtime(Settings(data_dir=tmp_path_factory.mktemp("fuzz") / "data"), embedder=embedder)
    created = runtime.auth.keys.create("fuzz", ["read", "write", "admin"], actor="cli")
    try:
        with asgi.get_client(create_app(runtime=runtime)) as session:
            session.headers["Authorization"] = f"Bearer {created.secret}"
            yield session
    finally:
        asgi.shutdown_lifespans()  # the app's background work stops before its store closes
        runtime.close()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_ROUTE,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_route_answers_a_server_error_or_outside_its_schema(
    case: schemathesis.Case, client: asgi.ASGIClient
) -> None:
    case.call_and_validate(session=client, base_url=f"http://{asgi.HOST}")
