"""``memory-service mcp``: spawned over stdio as a desktop agent spawns it, and in front of a server with ``--url``.

One process for the whole stdio scenario: starting one loads the model (offline, from the
packaged weights) and takes seconds.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from memory_service.cli_mcp import open_caller
from memory_service.mcp.server import build_server
from memory_service.runtime import Runtime
from memory_service.sdk.local import LocalMemoryClient
from tests.mcp.conftest import TURNS, failed, ok

COMMAND = Path(sys.executable).with_name("memory-service")


@pytest.mark.slow
async def test_the_stdio_server_stores_searches_and_reports_errors(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    log = tmp_path / "stderr.log"
    params = StdioServerParameters(command=str(COMMAND), args=["mcp", "--data-dir", str(data_dir)], cwd=tmp_path)
    with log.open("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog), read_timeout_seconds=120) as client:
            tools = {tool.name for tool in (await client.list_tools()).tools}
            assert {"add_messages", "search", "forget_user"} <= tools
            arguments = {"session_id": "chat", "user_id": "ana", "messages": TURNS, "infer": False}
            added = ok(await client.call_tool("add_messages", arguments))
            found = ok(await client.call_tool("search", {"query": "new job", "user_id": "ana", "top_k": 1}))
            assert [r["id"] for r in found["results"]] == [added["ids"][1]]
            assert "not_found" in failed(await client.call_tool("get_memory", {"memory_id": "mem_404"}))
            assert ok(await client.call_tool("list_memories", {"user_id": "ana"}))["items"] == []  # still serving
    assert (data_dir / "memory.db").exists(), log.read_text()  # the store the option named, kept for the next run


def test_bad_settings_exit_2_with_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(COMMAND), "mcp", "--data-dir", str(tmp_path)],
        env={"MEMORY_DEVICE": "quantum", "PATH": ""},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: invalid settings") and done.stderr.count("\n") == 1


async def test_with_url_the_tools_call_the_server_with_the_key(keyed_url: str, keyed_runtime: Runtime) -> None:
    with open_caller(None, keyed_url, "key-b") as caller:
        async with Client(build_server(lambda: caller)) as client:
            arguments = {"session_id": "chat", "user_id": "ana", "messages": TURNS[:1], "infer": False}
            ok(await client.call_tool("add_messages", arguments))
            assert "not_found" in failed(await client.call_tool("get_memory", {"memory_id": "mem_404"}))
    assert LocalMemoryClient(keyed_runtime, "tenant-b").get_session("chat").message_count == 1
    with open_caller(None, keyed_url, "wrong") as caller:
        async with Client(build_server(lambda: caller)) as client:
            refused = failed(await client.call_tool("search", {"query": "q", "user_id": "ana"}))
    assert "unauthenticated" in refused
