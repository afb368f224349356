"""The MCP tools through the SDK's own client, connected in memory to the server.

End to end: messages added through a tool are found by the search tool and recalled; facts
are read, corrected, ended, deleted and traced; the graph is walked; every failure comes back
as an ``isError`` result with the service's message, and the server goes on serving.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from mcp import Client

from memory_service.mcp.server import INSTRUCTIONS, SERVER_NAME, build_server
from memory_service.mcp.tools import Caller
from memory_service.runtime import Runtime
from memory_service.schemas import SearchRequest
from memory_service.sdk.context import FACTS_HEADING
from memory_service.sdk.local import LocalMemoryClient
from memory_service.security.principal import Principal
from memory_service.security.scopes import ALL_SCOPES, Scope
from tests.mcp.conftest import TURNS, failed, ok, text, wait_until_idle

READ_TOOLS = {
    "search",
    "recall",
    "get_profile",
    "export_user",
    "list_memories",
    "get_memory",
    "memory_history",
    "graph_entities",
    "graph_neighbors",
}
WRITE_TOOLS = {
    "add_messages",
    "add_memory",
    "update_memory",
    "invalidate_memory",
    "delete_memory",
    "forget_session",
    "forget_user",
}


@pytest.fixture
def local(mcp_runtime: Runtime) -> LocalMemoryClient:
    return LocalMemoryClient(mcp_runtime)


def connect(local: LocalMemoryClient, scopes: frozenset[Scope] = ALL_SCOPES, mode: str = "auto") -> Client:
    return Client(build_server(lambda: Caller(local, Principal(local.namespace, scopes, "key_1"))), mode=mode)


@pytest.fixture(params=["auto", "legacy"])
def client(request: pytest.FixtureRequest, local: LocalMemoryClient) -> Client:
    """In memory on both protocol eras: direct dispatch (2026) and the initialize handshake over streams.

    Each test enters it itself, since a client must be entered and left in one task.
    """
    return connect(local, mode=request.param)


def session(user_id: str, turns: list[dict[str, Any]]) -> dict[str, Any]:
    return {"session_id": f"{user_id}-s", "user_id": user_id, "messages": turns}


def said(content: str, role: str = "user", session_id: str = "s-1") -> dict[str, Any]:
    return {"session_id": session_id, "user_id": "u-1", "messages": [{"role": role, "content": content}]}


async def test_the_server_lists_every_tool_described_and_typed(client: Client) -> None:
    async with client:
        assert client.server_info is None or client.server_info.name == SERVER_NAME
        assert client.instructions in (None, INSTRUCTIONS)
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert set(tools) == READ_TOOLS | WRITE_TOOLS
    for name, tool in tools.items():
        assert tool.description and len(tool.description) > 30, name
        assert tool.input_schema["type"] == "object" and tool.input_schema["properties"], name
        assert all(p.get("description") for p in tool.input_schema["properties"].values()), name
        assert tool.annotations is not None and tool.annotations.read_only_hint is (name in READ_TOOLS), name
    assert tools["forget_user"].annotations and tools["forget_user"].annotations.destructive_hint
    assert tools["add_messages"].input_schema["required"] == ["session_id", "user_id", "messages"]
    assert tools["search"].output_schema and "results" in tools["search"].output_schema["properties"]


async def test_added_messages_are_searched_and_recalled(client: Client, local: LocalMemoryClient, user_id: str) -> None:
    async with client:
        added = ok(await client.call_tool("add_messages", session(user_id, TURNS)))
        assert len(added["ids"]) == 2 and added["episodes"][0]["content"] == TURNS[0]["content"]
        wait_until_idle(local, user_id)  # infer is on by default

        found = ok(await client.call_tool("search", {"query": "my new job", "user_id": user_id, "top_k": 1}))
        assert [r["id"] for r in found["results"]] == [added["ids"][1]]
        facts = ok(await client.call_tool("search", {"query": "job", "user_id": user_id, "layers": ["semantic"]}))
        assert any("Globex" in r["text"] for r in facts["results"])
        early = {"query": "job", "user_id": user_id, "until": "2024-02-01T00:00:00Z", "roles": ["user"]}
        assert [r["id"] for r in ok(await client.call_tool("search", early))["results"]] == [added["ids"][0]]

        recalled = ok(await client.call_tool("recall", {"query": "where does the user work?", "user_id": user_id}))
        assert recalled.startswith(FACTS_HEADING) and "Globex" in recalled and added["ids"][1] in recalled
        nothing = await client.call_tool("recall", {"query": "anything", "user_id": f"{user_id}-nobody"})
        assert ok(nothing) == "Nothing relevant is remembered."


async def test_a_fact_is_added_read_corrected_ended_traced_and_deleted(client: Client, user_id: str) -> None:
    async with client:
        memory = ok(await client.call_tool("add_memory", {"user_id": user_id, "text": "User is vegetarian."}))["id"]
        assert ok(await client.call_tool("get_memory", {"memory_id": memory}))["text"] == "User is vegetarian."
        edited = ok(await client.call_tool("update_memory", {"memory_id": memory, "text": "User is vegan."}))
        assert (edited["text"], edited["version"]) == ("User is vegan.", 2)
        ending = {"memory_id": memory, "invalid_at": "2024-05-01T00:00:00Z"}
        ended = ok(await client.call_tool("invalidate_memory", ending))
        assert ended["status"] == "invalid" and ended["invalid_at"].startswith("2024-05-01")
        assert ok(await client.call_tool("list_memories", {"user_id": user_id}))["items"] == []
        every = ok(await client.call_tool("list_memories", {"user_id": user_id, "include_invalid": True}))
        assert [m["id"] for m in every["items"]] == [memory]
        other = ok(await client.call_tool("add_memory", {"user_id": user_id, "text": "User plays the cello."}))["id"]
        assert ok(await client.call_tool("delete_memory", {"memory_id": other}))["status"] == "deleted"
        history = ok(await client.call_tool("memory_history", {"memory_id": other}))
        assert [(h["event"], h["actor"]) for h in history["items"]] == [("ADD", "api"), ("DELETE", "api")]
        assert "not_found" in failed(await client.call_tool("get_memory", {"memory_id": other}))


async def test_invalidating_without_a_moment_ends_the_fact_now(client: Client, user_id: str) -> None:
    async with client:
        memory = ok(await client.call_tool("add_memory", {"user_id": user_id, "text": "User lives in Oslo."}))["id"]
        assert ok(await client.call_tool("invalidate_memory", {"memory_id": memory}))["status"] == "invalid"


async def test_the_graph_is_walked_now_and_as_of(client: Client, local: LocalMemoryClient, user_id: str) -> None:
    async with client:
        ok(await client.call_tool("add_messages", session(user_id, TURNS)))
        wait_until_idle(local, user_id)
        entities = ok(await client.call_tool("graph_entities", {"user_id": user_id}))["items"]
        me = next(e["id"] for e in entities if e["name"] == "user")
        now = ok(await client.call_tool("graph_neighbors", {"entity_id": me}))
        then = ok(await client.call_tool("graph_neighbors", {"entity_id": me, "as_of": "2024-02-01T00:00:00Z"}))
    assert {"Globex", "Lisbon"} <= {n["entity"]["name"] for n in now["items"]}
    assert "Acme Corp" not in {n["entity"]["name"] for n in now["items"]}
    assert "Acme Corp" in {n["entity"]["name"] for n in then["items"]}


async def test_the_profile_shows_the_current_facts_now_and_as_of(
    client: Client, local: LocalMemoryClient, user_id: str
) -> None:
    async with client:
        ok(await client.call_tool("add_messages", session(user_id, TURNS)))
        wait_until_idle(local, user_id)
        now = ok(await client.call_tool("get_profile", {"user_id": user_id}))
        then = ok(await client.call_tool("get_profile", {"user_id": user_id, "as_of": "2024-02-01T00:00:00Z"}))
        nobody = ok(await client.call_tool("get_profile", {"user_id": f"{user_id}-nobody"}))

    def work(profile: dict[str, Any]) -> str:
        return " ".join(e["text"] for s in profile["sections"] if s["name"] == "work" for e in s["entries"])

    assert [s["name"] for s in now["sections"]][:3] == ["identity", "home", "work"]
    assert "Globex" in work(now) and "Acme" not in work(now)
    assert "Acme" in work(then) and "Globex" not in work(then)
    entry = next(e for s in now["sections"] for e in s["entries"] if "Globex" in e["text"])
    assert entry["memory_id"].startswith("mem_") and entry["provenance"] and entry["single_valued"]
    assert all(s["entries"] == [] for s in nobody["sections"])


async def test_a_user_is_exported_as_json_lines(client: Client, local: LocalMemoryClient, user_id: str) -> None:
    async with client:
        ok(await client.call_tool("add_messages", session(user_id, TURNS)))
        wait_until_idle(local, user_id)
        exported = ok(await client.call_tool("export_user", {"user_id": user_id}))
        assert "not_found" in failed(await client.call_tool("export_user", {"user_id": f"{user_id}-nobody"}))
    assert isinstance(exported, str) and exported.endswith("\n")
    records = [json.loads(line) for line in exported.splitlines()]
    assert records[0]["kind"] == "header" and records[0]["scope"]["user_id"] == user_id
    assert records[-1] == {"kind": "end", "records": len(records) - 2}
    kinds = {record["kind"] for record in records}
    assert {"user", "session", "episode", "memory", "entity", "relation"} <= kinds
    again = "".join(local.export_memories(user_id)).splitlines()  # what the SDK exports, as one text
    assert exported.splitlines()[1:] == again[1:]


async def test_forget_user_removes_everything(client: Client, user_id: str) -> None:
    async with client:
        ok(await client.call_tool("add_messages", session(user_id, TURNS[:1])))
        deleted = ok(await client.call_tool("forget_user", {"user_id": user_id}))
        assert (deleted["deleted_sessions"], deleted["deleted_episodes"]) == (1, 1)
        assert ok(await client.call_tool("search", {"query": "work", "user_id": user_id}))["results"] == []
        assert "not_found" in failed(await client.call_tool("forget_user", {"user_id": user_id}))


async def test_forget_session_removes_the_conversation(client: Client, user_id: str) -> None:
    async with client:
        ok(await client.call_tool("add_messages", session(user_id, TURNS[:1])))
        sessions = {
            hit["session_id"]
            for hit in ok(await client.call_tool("search", {"query": "work", "user_id": user_id}))["results"]
        }
        (session_id,) = sessions
        forgotten = ok(await client.call_tool("forget_session", {"session_id": session_id}))
        assert forgotten["session_id"] == session_id and forgotten["deleted_episodes"] == 1
        assert ok(await client.call_tool("search", {"query": "work", "user_id": user_id}))["results"] == []
        assert "not_found" in failed(await client.call_tool("forget_session", {"session_id": session_id}))


FAILURES: list[tuple[str, dict[str, Any], str]] = [
    ("get_memory", {"memory_id": "mem_999999"}, "not_found"),
    ("search", {"query": "", "user_id": "u-1"}, "query"),
    ("search", {"query": "q", "user_id": "u-1", "now": "2024-01-01T00:00:00"}, "timezone"),
    ("search", {"query": "q", "user_id": "u-1", "since": "2024-02-01T00:00Z", "until": "2024-01-01T00:00Z"}, "start"),
    ("search", {"query": "q", "user_id": "u-1", "top_k": 0}, "top_k"),
    ("search", {"query": "q", "user_id": "u-1", "layers": ["nowhere"]}, "layers"),
    ("add_messages", said("hi", role="robot"), "role"),
    ("add_messages", said("   "), "invalid_input"),
    ("add_messages", said("hi", session_id="s 1"), "session_id"),
    ("update_memory", {"memory_id": "mem_1"}, "invalid_input"),
    ("graph_neighbors", {"entity_id": "ent_1_1", "hops": 9}, "hops"),
    ("graph_neighbors", {"entity_id": "ent_999999_1"}, "not_found"),
    ("recall", {"query": "q", "user_id": "u-1", "token_budget": 0}, "token_budget"),
    ("get_profile", {"user_id": "u-1", "as_of": "2024-01-01T00:00:00"}, "timezone"),
    ("get_profile", {"user_id": "u 1"}, "user_id"),
    ("no_such_tool", {}, "no_such_tool"),
]


@pytest.mark.parametrize(
    ("tool", "arguments", "message"), FAILURES, ids=[f"{t}-{n}" for n, (t, _, _) in enumerate(FAILURES)]
)
async def test_failures_come_back_as_tool_errors(
    client: Client, local: LocalMemoryClient, tool: str, arguments: dict[str, Any], message: str
) -> None:
    async with client:
        assert message in failed(await client.call_tool(tool, arguments))
        assert ok(await client.call_tool("list_memories", {"user_id": "u-1"}))["items"] == []  # still serving
    assert local.list_sessions("u-1").items == []  # and nothing was written


async def test_a_session_of_another_user_is_a_conflict(client: Client, user_id: str) -> None:
    async with client:
        ok(await client.call_tool("add_messages", session(user_id, TURNS[:1])))
        other = {**session(user_id, TURNS[:1]), "user_id": f"{user_id}-2"}
        assert "conflict" in failed(await client.call_tool("add_messages", other))


async def test_a_caller_without_write_may_read_but_not_write(local: LocalMemoryClient, user_id: str) -> None:
    async with connect(local, frozenset({"read"})) as client:
        refused = failed(await client.call_tool("forget_user", {"user_id": user_id}))
        assert "'write'" in refused and "forbidden" in refused
        assert "'write'" in failed(await client.call_tool("add_memory", {"user_id": user_id, "text": "User is tall."}))
        assert ok(await client.call_tool("search", {"query": "q", "user_id": user_id}))["results"] == []
    assert local.list_memories(user_id).items == []


SEARCH_TOOL_NAMES = {"since": "time_range", "until": "time_range", "roles": "filters"}
SEARCH_TOOL_LEAVES_OUT = {
    "recipe": "a ranking experiment's knob: an agent gets the default recipe",
    "granularity": "whole-session ranking serves evaluations; an agent cites turns",
    "reinforce": "an agent's search is a real retrieval, which strengthens what it returns",
}
"""The search tool's parameter for each ``SearchRequest`` option where the name differs, and what it leaves out."""


async def test_the_search_tool_offers_every_search_option_or_says_why_not(client: Client) -> None:
    async with client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    offered = {SEARCH_TOOL_NAMES.get(name, name) for name in tools["search"].input_schema["properties"]}
    assert offered | set(SEARCH_TOOL_LEAVES_OUT) == set(SearchRequest.model_fields)
    assert not offered & set(SEARCH_TOOL_LEAVES_OUT)


async def test_answers_come_as_json_text_too(client: Client) -> None:
    async with client:
        listed = await client.call_tool("list_memories", {"user_id": "u-1"})
    assert '"items": []' in text(listed)  # for clients that read only the text content
