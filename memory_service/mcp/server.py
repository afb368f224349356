"""The MCP server of the memory service: its name, instructions and tools, on any transport."""

from __future__ import annotations

from mcp.server import MCPServer

from memory_service.mcp.tools import CallerSource, MemoryTools
from memory_service.version import __version__

SERVER_NAME = "memory-service"
INSTRUCTIONS = """\
Long-term memory of the users you talk with: what they said (episodes), facts distilled from it
(semantic memories) and a temporal graph of the people, places and things in it.
Before answering anything that may depend on earlier conversations, call recall (a ready block
of text) or search (ranked results with ids); get_profile gives the user's standing facts (home,
work, family, diet, pets, likes) without a query. After an exchange worth keeping, call add_messages
with the new turns. Correct facts with update_memory, end them with invalidate_memory, and cite
memories by the ids shown."""


def build_server(callers: CallerSource) -> MCPServer:
    """A server whose tools act as ``callers`` says, per call."""
    server: MCPServer = MCPServer(
        SERVER_NAME,
        title="Memory Service",
        description="Episodic, semantic and temporal-graph memory for LLM agents.",
        instructions=INSTRUCTIONS,
        version=__version__,
        log_level="WARNING",  # only if no logging is configured yet: the SDK sets up the root logger then
    )
    MemoryTools(callers).register(server)
    return server
