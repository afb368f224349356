"""The MCP endpoint at /mcp of the real app, served by uvicorn, through the SDK's streamable HTTP client.

With keys required a request needs one (401 with ``WWW-Authenticate: Bearer`` and the service's
error body otherwise) and its tools run in the key's namespace with the key's scopes, checked by
``runtime.auth`` as for the REST API; an open server serves the default namespace without a key,
until a managed key is stored.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from memory_service.api.app import create_app
from memory_service.runtime import Runtime
from memory_service.sdk import MemoryClient
from memory_service.sdk.local import LocalMemoryClient
from tests.mcp.conftest import TURNS, failed, ok


@asynccontextmanager
async def mcp_client(base_url: str, key: str | None = None, mode: str = "auto") -> AsyncIterator[Client]:
    headers = {"authorization": f"Bearer {key}"} if key else {}
    async with (
        httpx2.AsyncClient(headers=headers) as http,
        Client(streamable_http_client(f"{base_url}/mcp", http_client=http), mode=mode) as client,
    ):
        yield client


LIST_TOOLS = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
JSON_RPC = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


@pytest.mark.parametrize("authorization", [None, "Bearer key-c", "Basic key-a", "Bearer key-a-and-more"])
def test_without_a_valid_key_the_endpoint_answers_401(keyed_url: str, authorization: str | None) -> None:
    headers = {"authorization": authorization} if authorization else {}
    answer = httpx.post(f"{keyed_url}/mcp", json=LIST_TOOLS, headers=headers, timeout=30)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert answer.json()["error"]["code"] == "unauthenticated"


async def test_the_sdk_client_without_a_key_is_refused(keyed_url: str) -> None:
    with pytest.raises(ExceptionGroup) as raised:  # the client's task groups carry the error out
        async with mcp_client(keyed_url) as client:
            await client.list_tools()
    assert raised.group_contains(MCPError)


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_tools_run_in_the_namespace_of_the_key(keyed_url: str, keyed_runtime: Runtime, mode: str) -> None:
    arguments = {"session_id": "trip", "user_id": "ana", "messages": TURNS, "infer": False}
    async with mcp_client(keyed_url, "key-a", mode) as tenant_a:
        added = ok(await tenant_a.call_tool("add_messages", arguments))
        found = ok(await tenant_a.call_tool("search", {"query": "new job", "user_id": "ana", "top_k": 1}))
        assert [r["id"] for r in found["results"]] == [added["ids"][1]]
        assert "not_found" in failed(await tenant_a.call_tool("get_memory", {"memory_id": "mem_999999"}))
    async with mcp_client(keyed_url, "key-b", mode) as tenant_b:
        assert ok(await tenant_b.call_tool("search", {"query": "new job", "user_id": "ana"}))["results"] == []
    with MemoryClient(keyed_url, api_key="key-a") as rest:  # what MCP wrote, REST reads with the same key
        assert rest.get_session("trip").message_count == 2
    assert LocalMemoryClient(keyed_runtime, "tenant-a").list_sessions("ana").items
    assert LocalMemoryClient(keyed_runtime, "tenant-b").list_sessions("ana").items == []
    assert LocalMemoryClient(keyed_runtime).list_sessions("ana").items == []


async def test_an_open_server_serves_the_default_namespace_without_a_key(open_url: str, mcp_runtime: Runtime) -> None:
    async with mcp_client(open_url) as client:
        added = ok(await client.call_tool("add_messages", {"session_id": "s", "user_id": "ana", "messages": TURNS[:1]}))
        assert "invalid_input" in failed(await client.call_tool("update_memory", {"memory_id": "mem_1"}))
    assert [e.id for e in LocalMemoryClient(mcp_runtime).get_messages("s").items] == added["ids"]


async def test_a_managed_key_acts_in_its_namespace_with_its_scopes(keyed_url: str, keyed_runtime: Runtime) -> None:
    reader = keyed_runtime.auth.keys.create("tenant-r", ["read"], actor="cli").secret
    writer = keyed_runtime.auth.keys.create("tenant-r", ["write"], actor="cli").secret
    arguments = {"session_id": "s", "user_id": "ana", "messages": TURNS[:1], "infer": False}
    async with mcp_client(keyed_url, writer) as client:
        ok(await client.call_tool("add_messages", arguments))
        assert "'read'" in failed(await client.call_tool("search", {"query": "work", "user_id": "ana"}))
    async with mcp_client(keyed_url, reader) as client:
        assert ok(await client.call_tool("search", {"query": "work", "user_id": "ana"}))["results"]
        for tool, args in [("add_messages", arguments), ("forget_user", {"user_id": "ana"})]:
            refused = failed(await client.call_tool(tool, args))
            assert "forbidden" in refused and "'write'" in refused, tool
    assert LocalMemoryClient(keyed_runtime, "tenant-r").get_session("s").message_count == 1


def test_a_revoked_key_is_refused(keyed_url: str, keyed_runtime: Runtime) -> None:
    made = keyed_runtime.auth.keys.create("tenant-r", ["read"], actor="cli")
    headers = {**JSON_RPC, "authorization": f"Bearer {made.secret}"}
    assert httpx.post(f"{keyed_url}/mcp", json=LIST_TOOLS, headers=headers, timeout=30).status_code == 200
    keyed_runtime.auth.keys.revoke(made.key.id, actor="cli")
    answer = httpx.post(f"{keyed_url}/mcp", json=LIST_TOOLS, headers=headers, timeout=30)
    assert answer.status_code == 401 and "revoked" in answer.json()["error"]["message"]


def test_an_open_server_requires_keys_once_one_is_stored(open_url: str, mcp_runtime: Runtime) -> None:
    assert httpx.post(f"{open_url}/mcp", json=LIST_TOOLS, headers=JSON_RPC, timeout=30).status_code == 200
    key = mcp_runtime.auth.keys.create("tenant-k", ["read"], actor="cli").secret
    refused = httpx.post(f"{open_url}/mcp", json=LIST_TOOLS, headers=JSON_RPC, timeout=30)
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    keyed = httpx.post(f"{open_url}/mcp", json=LIST_TOOLS, headers={**JSON_RPC, "authorization": f"Bearer {key}"})
    assert keyed.status_code == 200 and keyed.json()["result"]["tools"]


def test_an_open_server_answers_only_local_hosts(open_url: str) -> None:
    """No key protects it, so a page that rebinds a domain name to 127.0.0.1 must not reach the tools."""
    local = httpx.post(f"{open_url}/mcp", json=LIST_TOOLS, headers=JSON_RPC, timeout=30)
    assert local.status_code == 200 and local.json()["result"]["tools"]
    foreign = httpx.post(f"{open_url}/mcp", json=LIST_TOOLS, headers={**JSON_RPC, "host": "evil.example"}, timeout=30)
    assert foreign.status_code == 421


def test_a_keyed_server_behind_a_proxy_answers_its_public_host(keyed_url: str) -> None:
    headers = {**JSON_RPC, "host": "memory.example.com", "authorization": "Bearer key-a"}
    answer = httpx.post(f"{keyed_url}/mcp", json=LIST_TOOLS, headers=headers, timeout=30)
    assert answer.status_code == 200 and answer.json()["result"]["tools"]


async def test_without_the_app_lifespan_the_endpoint_is_unavailable(mcp_runtime: Runtime) -> None:
    transport = httpx.ASGITransport(app=create_app(runtime=mcp_runtime))  # runs no lifespan
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
        answer = await http.post("/mcp", json=LIST_TOOLS)
    assert answer.status_code == 503 and answer.json()["error"]["code"] == "unavailable"


def test_the_endpoint_is_left_out_of_the_openapi_schema(mcp_runtime: Runtime) -> None:
    assert "/mcp" not in create_app(runtime=mcp_runtime).openapi()["paths"]
