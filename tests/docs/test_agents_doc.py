"""docs/agents.md does what it says: its Python blocks run offline, in order, in one namespace.

A ``text`` block right after a Python block is that block's printed output, compared line by line
(in any order, so a change of ranking alone does not fail it). The JSON blocks are valid JSON,
and the tools table names exactly the tools the MCP server has.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from memory_service.mcp.server import build_server
from memory_service.mcp.tools import Caller
from memory_service.security.principal import Principal

DOC = Path(__file__).resolve().parents[2] / "docs" / "agents.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def blocks(text: str) -> list[tuple[str, str]]:
    """Every fenced block as (language, code), in order."""
    return [(match.group(1), match.group(2)) for match in FENCE.finditer(text)]


def test_the_python_blocks_run_and_print_what_the_page_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the page's relative paths land here
    found = blocks(DOC.read_text())
    assert sum(language == "python" for language, _ in found) >= 5
    namespace: dict[str, object] = {"__name__": "agents_doc"}
    compared = 0
    for n, (language, code) in enumerate(found):
        if language != "python":
            continue
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, f"{DOC.name} block {n}", "exec"), namespace)  # noqa: S102 - the page's own examples
        following = found[n + 1] if n + 1 < len(found) else None
        if following is not None and following[0] == "text":
            assert Counter(printed.getvalue().splitlines()) == Counter(following[1].splitlines()), f"block {n}"
            compared += 1
    assert compared >= 1


def test_the_json_blocks_are_valid() -> None:
    configs = [json.loads(code) for language, code in blocks(DOC.read_text()) if language == "json"]
    assert configs and all("mcpServers" in config for config in configs)


def test_the_tools_table_names_every_tool_of_the_server() -> None:
    section = DOC.read_text().split("### The tools", 1)[1].split("\n## ", 1)[0]
    first_cells = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    documented = {name for cell in first_cells for name in re.findall(r"`(\w+)`", cell)}

    async def listed() -> set[str]:
        server = build_server(lambda: Caller(None, Principal.open()))  # type: ignore[arg-type] - no call is made
        return {tool.name for tool in await server.list_tools()}

    assert documented == asyncio.run(listed())
