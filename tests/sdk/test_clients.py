"""The three SDK clients: same API, same behaviour, same errors, on both store backends.

The blocking client talks to a real uvicorn server on a local port, the async client to the
app through ``httpx.ASGITransport``, and the local client to the service directly.
"""

from __future__ import annotations

import inspect
import json
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from memory_service.api.app import create_app
from memory_service.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    MemoryServiceError,
    NotFoundError,
    PayloadTooLargeError,
    UnavailableError,
)
from memory_service.runtime import build_runtime
from memory_service.schemas import MessageCreate
from memory_service.sdk import AsyncMemoryClient, LocalMemoryClient, MemoryClient
from memory_service.settings import Settings
from retrieval.embedder import SentenceTransformerEmbedder
from tests.sdk.fixtures import Client, call, collect

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


# -- parity ----------------------------------------------------------------------------------


CLIENTS: tuple[type, ...] = (MemoryClient, AsyncMemoryClient, LocalMemoryClient)
EXTRAS: dict[type, set[str]] = {MemoryClient: set(), AsyncMemoryClient: {"aclose"}, LocalMemoryClient: {"open"}}


def public_methods(cls: type) -> dict[str, Any]:
    return {name: member for name, member in inspect.getmembers(cls, callable) if not name.startswith("_")}


def comparable(signature: inspect.Signature) -> tuple[list[inspect.Parameter], str]:
    """Parameters, and the return annotation with async iterators read as iterators."""
    returns = str(signature.return_annotation).replace("AsyncIterator", "Iterator")
    return list(signature.parameters.values()), returns


def test_clients_expose_the_same_methods_with_the_same_signatures() -> None:
    expected = public_methods(MemoryClient)
    assert {"add_messages", "get_messages", "iter_messages", "search", "delete_user", "health", "close"} <= set(
        expected
    )
    memory_methods = {"add_memory", "list_memories", "get_memory", "update_memory", "delete_memory", "memory_history"}
    assert memory_methods | {"extraction_status"} <= set(expected)
    for cls in CLIENTS:
        methods = public_methods(cls)
        assert set(methods) - EXTRAS[cls] == set(expected), cls.__name__
        for name, method in expected.items():
            assert comparable(inspect.signature(methods[name])) == comparable(inspect.signature(method)), (
                f"{cls.__name__}.{name}"
            )


def test_async_client_methods_are_all_async_and_the_others_never() -> None:
    for name, method in public_methods(AsyncMemoryClient).items():
        assert inspect.iscoroutinefunction(method) or inspect.isasyncgenfunction(method), name
    for cls in (MemoryClient, LocalMemoryClient):
        for name, method in public_methods(cls).items():
            assert not (inspect.iscoroutinefunction(method) or inspect.isasyncgenfunction(method)), name


def test_http_clients_take_the_same_constructor_arguments() -> None:
    sync = inspect.signature(MemoryClient.__init__).parameters
    async_ = inspect.signature(AsyncMemoryClient.__init__).parameters
    assert list(sync) == list(async_) == ["self", "base_url", "api_key", "timeout", "transport"]
    assert [p.default for p in sync.values()] == [p.default for p in async_.values()]


# -- one scenario through every client -------------------------------------------------------


async def test_same_scenario_through_every_client(client: Client, user_id: str) -> None:
    first, second = f"{user_id}-trip", f"{user_id}-pets"
    created = await call(
        client.add_messages(
            first,
            user_id,
            [
                {"role": "user", "content": "We are planning a trip to Kyoto in April.", "occurred_at": T0},
                MessageCreate(role="assistant", content="Cherry blossom season, lovely!", occurred_at=T0),
                {"role": "user", "content": "Book a ryokan near Gion.", "metadata": {"priority": "high"}},
            ],
            agent_id="planner",
        )
    )
    assert created.session_id == first and len(created.ids) == 3
    assert [e.position for e in created.episodes] == [1, 2, 3]
    assert created.episodes[2].metadata == {"priority": "high"}
    pets = await call(
        client.add_messages(
            second,
            user_id,
            [{"role": "user", "content": "My dog is a beagle named Pepper.", "occurred_at": T0 + timedelta(days=2)}],
        )
    )

    page = await call(client.get_messages(first, limit=2))
    assert [e.id for e in page.items] == created.ids[:2] and page.next_cursor
    rest = await call(client.get_messages(first, limit=2, cursor=page.next_cursor))
    assert [e.id for e in rest.items] == created.ids[2:] and rest.next_cursor is None
    assert [e.id for e in await collect(client.iter_messages(first, page_size=1))] == created.ids
    assert page.items[0].occurred_at == T0 and page.items[0].agent_id == "planner"

    session = await call(client.get_session(first))
    assert (session.id, session.user_id, session.message_count) == (first, user_id, 3)
    sessions = await call(client.list_sessions(user_id, limit=1))
    assert [s.id for s in sessions.items] == [first] and sessions.next_cursor
    more = await call(client.list_sessions(user_id, limit=1, cursor=sessions.next_cursor))
    assert [s.id for s in more.items] == [second] and more.next_cursor is None

    found = await call(client.search("what breed is my dog?", user_id, top_k=3))
    assert found.results[0].id == pets.ids[0] and found.results[0].session_id == second
    assert found.results[0].score >= found.results[-1].score
    only_trip = await call(client.search("dog", user_id, session_ids=[first], time_range={"start": T0}))
    assert {r.session_id for r in only_trip.results} == {first}
    assert (await call(client.health()))["status"] == "ok"

    deleted = await call(client.delete_user(user_id))
    assert (deleted.deleted_sessions, deleted.deleted_episodes) == (2, 4)
    assert (await call(client.list_sessions(user_id))).items == []
    assert (await call(client.search("dog", user_id))).results == []


BAD_INPUT: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("add_messages", ("s-1", "u-1", []), {}),
    ("add_messages", ("s-1", "u-1", [{"role": "robot", "content": "hi"}]), {}),
    ("add_messages", ("s-1", "u-1", [{"role": "user", "content": "hi", "colour": "red"}]), {}),
    ("add_messages", ("s-1", "u-1", [{"role": "user", "content": "hi", "occurred_at": datetime(2024, 1, 1)}]), {}),
    ("add_messages", ("s 1", "u-1", [{"role": "user", "content": "hi"}]), {}),
    ("add_messages", ("s-1", "u/1", [{"role": "user", "content": "hi"}]), {}),
    ("add_messages", ("s-1", "u-1", [{"role": "user", "content": "   "}]), {}),  # refused by the service
    ("get_messages", ("s-1",), {"limit": 0}),
    ("get_messages", ("s-1",), {"cursor": "not-a-cursor"}),  # by the service
    ("list_sessions", ("u-1",), {"limit": 5000}),
    ("list_sessions", ("bad user",), {}),
    ("search", ("", "u-1"), {}),
    ("search", ("q", "u-1"), {"top_k": 0}),
    ("search", ("q", "u-1"), {"layers": ["nowhere"]}),
    ("search", ("q", "u-1"), {"recipe": "nope"}),  # by the service
    ("search", ("q", "u-1"), {"now": datetime(2024, 1, 1)}),
    ("search", ("q", "u-1"), {"time_range": {"start": T0, "end": T0 - timedelta(days=1)}}),
    ("search", ("q", "u-1"), {"filters": {"roles": ["robot"]}}),
    ("delete_user", ("bad user",), {}),
    ("add_memory", ("u-1", ""), {}),
    ("add_memory", ("u-1", "   "), {}),  # by the service
    ("add_memory", ("u-1", "x"), {"valid_at": datetime(2024, 1, 1)}),
    ("add_memory", ("bad user", "x"), {}),
    ("list_memories", ("u-1",), {"limit": 0}),
    ("list_memories", ("u-1",), {"cursor": "not-a-cursor"}),  # by the service
    ("update_memory", ("mem_1",), {}),
    ("get_memory", ("mem/1",), {}),
]


async def test_bad_input_raises_invalid_input_in_every_client(client: Client) -> None:
    for method, args, kwargs in BAD_INPUT:
        with pytest.raises(InvalidInputError) as raised:
            await call(getattr(client, method)(*args, **kwargs))
        assert raised.value.message, (method, args, kwargs)
    # Nothing of the refused writes landed.
    assert (await call(client.list_sessions("u-1"))).items == []


async def test_semantic_memories_through_every_client(client: Client, user_id: str) -> None:
    added = await call(client.add_memory(user_id, "User is vegetarian.", valid_at=T0, metadata={"source": "form"}))
    assert (added.status, added.version, added.valid_at, added.metadata) == ("active", 1, T0, {"source": "form"})
    other = await call(client.add_memory(user_id, "User plays the cello."))
    assert (await call(client.get_memory(added.id))).text == "User is vegetarian."
    edited = await call(client.update_memory(added.id, text="User is vegan."))
    assert (edited.text, edited.version) == ("User is vegan.", 2)
    # Ends tomorrow: invalidated already, yet part of memory as it stands a moment from now.
    ended = await call(client.update_memory(added.id, invalid_at=datetime.now(UTC) + timedelta(days=1)))
    assert ended.status == "invalid"
    page = await call(client.list_memories(user_id))
    assert [m.id for m in page.items] == [other.id]
    every = await call(client.list_memories(user_id, include_invalid=True, limit=1))
    assert [m.id for m in every.items] == [added.id] and every.next_cursor
    assert (await call(client.delete_memory(other.id))).status == "deleted"
    assert (await call(client.list_memories(user_id, include_invalid=True))).items == [ended]
    history = await call(client.memory_history(other.id))
    assert [(h.event, h.actor) for h in history.items] == [("ADD", "api"), ("DELETE", "api")]
    moment = datetime.now(UTC) + timedelta(seconds=1)
    found = await call(client.search("vegan", user_id, layers=["semantic"], as_of=moment))
    assert [r.id for r in found.results] == [added.id] and found.results[0].layer == "semantic"
    # As of 2024 the service knew nothing of it: it was added today.
    assert (
        await call(client.search("vegan", user_id, layers=["semantic"], as_of=T0 + timedelta(days=1)))
    ).results == []
    await call(
        client.add_messages(f"{user_id}-s", user_id, [{"role": "user", "content": "I live in Oslo."}], infer=True)
    )
    status = await call(client.extraction_status(user_id))
    assert status.pending + status.running + status.done == 1
    with pytest.raises(NotFoundError):
        await call(client.get_memory(other.id))
    await call(client.delete_user(user_id))


async def test_unknown_things_raise_not_found_in_every_client(client: Client, user_id: str) -> None:
    for method, args in [
        ("get_session", (f"{user_id}-none",)),
        ("get_messages", (f"{user_id}-none",)),
        ("delete_user", (user_id,)),
        ("extraction_status", (user_id,)),
    ]:
        with pytest.raises(NotFoundError) as raised:
            await call(getattr(client, method)(*args))
        assert user_id in raised.value.message
    with pytest.raises(NotFoundError):
        await collect(client.iter_messages(f"{user_id}-none"))


async def test_a_session_of_another_user_is_a_conflict(client: Client, user_id: str) -> None:
    message = [{"role": "user", "content": "hello"}]
    await call(client.add_messages(f"{user_id}-s", user_id, message))
    with pytest.raises(ConflictError):
        await call(client.add_messages(f"{user_id}-s", f"{user_id}-other", message))
    await call(client.delete_user(user_id))


# -- API keys and namespaces -----------------------------------------------------------------


async def test_api_key_picks_the_namespace(sqlite_settings: Settings, embedder: SentenceTransformerEmbedder) -> None:
    settings = sqlite_settings.model_copy(update={"api_keys": {"key-a": "tenant-a", "key-b": "tenant-b"}})
    runtime = build_runtime(settings, embedder=embedder)
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    try:
        async with AsyncMemoryClient("http://memory.test", transport=transport) as anonymous:
            with pytest.raises(AuthenticationError):
                await anonymous.get_session("s-1")
        async with AsyncMemoryClient("http://memory.test", api_key="key-a", transport=transport) as tenant_a:
            await tenant_a.add_messages("s-1", "u-1", [{"role": "user", "content": "I live in Porto."}])
        async with AsyncMemoryClient("http://memory.test", api_key="key-b", transport=transport) as tenant_b:
            with pytest.raises(NotFoundError):
                await tenant_b.get_session("s-1")
        with LocalMemoryClient(runtime, namespace="tenant-a") as local:
            assert local.get_session("s-1").message_count == 1
        with LocalMemoryClient(runtime, namespace="tenant-b") as local:
            assert local.list_sessions("u-1").items == []
    finally:
        runtime.close()


# -- response parsing, against a fake transport ----------------------------------------------


def fake(status: int, body: Any, seen: list[httpx.Request] | None = None) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return httpx.Response(status, content=content)

    return httpx.MockTransport(handler)


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (409, {"error": {"code": "conflict", "message": "taken", "details": {"session_id": "s"}}}, ConflictError),
        (422, {"error": {"code": "validation_error", "message": "body.x: bad", "details": []}}, InvalidInputError),
        (413, {"error": {"code": "payload_too_large", "message": "too big"}}, PayloadTooLargeError),
        (401, {"error": {"code": "some_new_code", "message": "who?"}}, AuthenticationError),
        (502, b"<html>Bad Gateway</html>", UnavailableError),
        (500, {"error": {"code": "internal_error", "message": "boom"}}, MemoryServiceError),
    ],
)
def test_error_responses_become_service_errors(status: int, body: Any, expected: type[Exception]) -> None:
    with MemoryClient(transport=fake(status, body)) as client, pytest.raises(expected) as raised:
        client.get_session("s")
    assert type(raised.value) is expected
    if isinstance(body, dict):
        assert raised.value.message == body["error"]["message"]  # type: ignore[attr-defined]
        assert raised.value.details == body["error"].get("details")  # type: ignore[attr-defined]
    else:
        assert "Bad Gateway" in raised.value.message  # type: ignore[attr-defined]


async def test_requests_carry_the_key_and_a_validated_body() -> None:
    seen: list[httpx.Request] = []
    answer = {"session_id": "s", "ids": [], "episodes": []}
    transport = fake(201, answer, seen)
    async with AsyncMemoryClient("http://memory.test/", api_key="secret", transport=transport) as client:
        await client.add_messages("s", "u", [{"role": "user", "content": "hi", "occurred_at": T0}])
    (request,) = seen
    assert (request.method, request.url.path) == ("POST", "/v1/sessions/s/messages")
    assert request.headers["authorization"] == "Bearer secret"
    assert json.loads(request.content) == {
        "user_id": "u",
        "messages": [{"role": "user", "content": "hi", "occurred_at": "2024-03-01T09:00:00Z", "metadata": {}}],
        "infer": False,
    }


def test_an_answer_that_is_not_the_schema_is_an_error() -> None:
    with MemoryClient(transport=fake(200, {"hello": "world"})) as client, pytest.raises(MemoryServiceError) as raised:
        client.get_session("s")
    assert "unexpected answer" in raised.value.message


def test_an_unreachable_server_is_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connections are refused
        with MemoryClient(f"http://127.0.0.1:{port}", timeout=5) as client, pytest.raises(UnavailableError) as raised:
            client.health()
    assert "cannot reach" in raised.value.message


# -- import weight ---------------------------------------------------------------------------


def test_importing_the_http_clients_loads_no_heavy_dependency() -> None:
    heavy = ["torch", "faiss", "sentence_transformers", "sqlalchemy", "fastapi", "numpy"]
    code = (
        "import json, sys\n"
        "import memory_service.sdk\n"
        "from memory_service.sdk import AsyncMemoryClient, MemoryClient\n"
        "from memory_service import MemoryClient as Again\n"
        f"print(json.dumps([name for name in {heavy!r} if name in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def test_local_client_is_loaded_on_first_use() -> None:
    code = (
        "import sys\n"
        "import memory_service.sdk as sdk\n"
        "assert 'memory_service.sdk.local' not in sys.modules\n"
        "assert sdk.LocalMemoryClient.__module__ == 'memory_service.sdk.local'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
