"""The MCP tools: the SDK's client calls, described for a model, with errors as tool errors.

Each tool calls a blocking SDK client (``LocalMemoryClient`` in process, or ``MemoryClient`` for a
remote service), so the tools validate, answer and fail exactly as the REST API does. Which
client, in which namespace, as which principal, is decided per call by a ``CallerSource``: fixed
for stdio, from the request's bearer key over HTTP. Each tool needs the scope its REST route
needs (``read`` or ``write``), checked against the principal's scopes. A ``MemoryServiceError``
or a refused scope becomes a ``ToolError``, which the SDK returns as an ``isError`` result
carrying the message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

import anyio.to_thread
from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import AwareDatetime, Field

from memory_service.domain import Layer, Role
from memory_service.errors import MemoryServiceError
from memory_service.layers.temporal.domain import TimeAxis
from memory_service.schemas import (
    EpisodesForgotten,
    GraphEntitiesPage,
    GraphNeighborsResponse,
    Identifier,
    MemoriesPage,
    MemoryHistory,
    MemoryPublic,
    MessageCreate,
    MessagesCreated,
    ProfilePublic,
    SearchResponse,
    UserDeleted,
)
from memory_service.sdk import MemoryClient
from memory_service.sdk.context import DEFAULT_TOKEN_BUDGET, RECALL_LAYERS
from memory_service.sdk.local import LocalMemoryClient
from memory_service.security.principal import Principal
from memory_service.security.scopes import Scope

T = TypeVar("T")
SyncClient = MemoryClient | LocalMemoryClient

READ: Scope = "read"
WRITE: Scope = "write"
FORGET_SCOPE: Scope = WRITE
"""The scope ``forget_user`` needs: ``write``, as ``DELETE /v1/users/{user_id}`` does."""

UserId = Annotated[Identifier, Field(description="The user the memories belong to, e.g. 'alice'.")]
MemoryId = Annotated[Identifier, Field(description="A semantic memory's id, e.g. 'mem_12'.")]
Moment = Annotated[AwareDatetime | None, Field(description="ISO 8601 with a timezone, e.g. 2024-05-01T09:30:00Z.")]
Limit = Annotated[int, Field(ge=1, le=200, description="How many items per page.")]
Cursor = Annotated[str | None, Field(description="The next_cursor of the previous page; omit for the first.")]

READS = ToolAnnotations(read_only_hint=True, open_world_hint=False)
ADDS = ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False)
EDITS = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
REMOVES = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=False)


@dataclass(frozen=True)
class Caller:
    """Who one tool call acts as: a client bound to the principal's namespace, and the principal."""

    client: SyncClient
    principal: Principal


CallerSource = Callable[[], Caller]
"""The caller of the current request; raises ``MemoryServiceError`` when there is none."""


class MemoryTools:
    """The tools of the memory service, each a method; ``register`` adds them all to a server."""

    def __init__(self, callers: CallerSource) -> None:
        self._callers = callers

    def register(self, server: MCPServer) -> None:
        tools: list[tuple[Callable[..., Any], ToolAnnotations]] = [
            (self.add_messages, ADDS),
            (self.search, READS),
            (self.recall, READS),
            (self.get_profile, READS),
            (self.add_memory, ADDS),
            (self.list_memories, READS),
            (self.get_memory, READS),
            (self.update_memory, EDITS),
            (self.invalidate_memory, EDITS),
            (self.delete_memory, REMOVES),
            (self.memory_history, READS),
            (self.graph_entities, READS),
            (self.graph_neighbors, READS),
            (self.export_user, READS),
            (self.forget_session, REMOVES),
            (self.forget_user, REMOVES),
        ]
        for tool, hints in tools:
            server.add_tool(tool, annotations=hints)

    async def _run(self, scope: Scope, call: Callable[[SyncClient], T]) -> T:
        """``call`` on the caller's client in a worker thread (the clients block), errors as tool errors."""
        try:
            caller = self._callers()  # here, in the request's context, where its credentials are
            caller.principal.require(scope)
            return await anyio.to_thread.run_sync(call, caller.client)
        except MemoryServiceError as exc:
            raise ToolError(f"{exc.message} ({exc.code})") from exc

    async def add_messages(
        self,
        session_id: Annotated[Identifier, Field(description="The conversation; created on first use.")],
        user_id: UserId,
        messages: Annotated[list[MessageCreate], Field(min_length=1, description="The turns, oldest first.")],
        infer: Annotated[bool, Field(description="Also distil facts and relations from them.")] = True,
        agent_id: Annotated[Identifier | None, Field(description="The agent that took part.")] = None,
    ) -> MessagesCreated:
        """Store conversation turns verbatim in a session of the user, all or none.

        With infer (the default) the service also distils facts and graph relations from them in
        the background, which later searches return. Returns the stored episodes and their ids.
        """
        return await self._run(
            WRITE, lambda c: c.add_messages(session_id, user_id, messages, agent_id=agent_id, infer=infer)
        )

    async def search(
        self,
        query: Annotated[str, Field(min_length=1, max_length=4096, description="What to look for, in plain words.")],
        user_id: UserId,
        layers: Annotated[
            list[Layer] | None,
            Field(min_length=1, description="episodic (turns), semantic (facts), graph (relations); default episodic."),
        ] = None,
        top_k: Annotated[int, Field(ge=1, le=200, description="How many results.")] = 10,
        now: Annotated[Moment, Field(description="The moment asked from; relative phrases are read from it.")] = None,
        as_of: Annotated[Moment, Field(description="Memory as it stood then: nothing said or learned later.")] = None,
        since: Annotated[Moment, Field(description="Only what happened from then on (event time).")] = None,
        until: Annotated[Moment, Field(description="Only what happened before then (event time).")] = None,
        session_ids: Annotated[list[Identifier] | None, Field(min_length=1, description="Only these sessions.")] = None,
        roles: Annotated[list[Role] | None, Field(min_length=1, description="Only turns by these roles.")] = None,
        neighbors: Annotated[int, Field(ge=0, le=10, description="Turns before and after each turn hit.")] = 0,
    ) -> SearchResponse:
        """Search the user's memories, best first (higher score is more relevant).

        Each result has its layer, text, times (occurred_at for turns; valid_at / invalid_at for
        facts and relations) and provenance: the ids of the episodes it came from.
        """
        window = {"start": since, "end": until} if since or until else None
        return await self._run(
            READ,
            lambda c: c.search(
                query,
                user_id,
                layers=layers,
                top_k=top_k,
                now=now,
                as_of=as_of,
                time_range=window,
                session_ids=session_ids,
                filters={"roles": roles} if roles else None,
                neighbors=neighbors,
            ),
        )

    async def recall(
        self,
        query: Annotated[str, Field(min_length=1, max_length=4096, description="What the answer needs.")],
        user_id: UserId,
        token_budget: Annotated[int, Field(ge=1, description="Most tokens (~4 characters each).")] = (
            DEFAULT_TOKEN_BUDGET
        ),
        layers: Annotated[
            list[Layer] | None, Field(min_length=1, description="Layers to draw from; default semantic and episodic.")
        ] = None,
        now: Annotated[Moment, Field(description="The moment asked from.")] = None,
        as_of: Annotated[Moment, Field(description="Memory as it stood then.")] = None,
    ) -> str:
        """What the service knows that bears on the query, as a block of text ready for a prompt.

        Current facts come first, then past messages, each line with its date and the ids it came
        from, cut to the token budget.
        """
        recalled = await self._run(
            READ,
            lambda c: c.recall(
                query, user_id, token_budget=token_budget, layers=layers or RECALL_LAYERS, now=now, as_of=as_of
            ),
        )
        return recalled.text or "Nothing relevant is remembered."

    async def get_profile(
        self,
        user_id: UserId,
        as_of: Annotated[Moment, Field(description="The profile as memory stood then; default now.")] = None,
        subject: Annotated[
            str | None,
            Field(min_length=1, max_length=128, description="Whose facts: default 'user'; or a speaker's name."),
        ] = None,
    ) -> ProfilePublic:
        """The user's core profile: what to keep in mind in every answer, without a query.

        Sections in a fixed order (identity, home, work, relationships, diet_and_health, pets,
        preferences): one current value per single-valued slot (home, employer, job, diet,
        partner...), then capped lists (other relatives, pets, likes), each entry with its
        memory id, since when it holds and the episodes it came from.
        """
        return await self._run(READ, lambda c: c.profile(user_id, as_of=as_of, subject=subject))

    async def add_memory(
        self,
        user_id: UserId,
        text: Annotated[str, Field(min_length=1, description="One fact, e.g. 'User is vegetarian.'")],
        valid_at: Annotated[Moment, Field(description="Since when it is true.")] = None,
    ) -> MemoryPublic:
        """Store one fact about the user as given, without extraction."""
        return await self._run(WRITE, lambda c: c.add_memory(user_id, text, valid_at=valid_at))

    async def list_memories(
        self,
        user_id: UserId,
        include_invalid: Annotated[bool, Field(description="Also facts that stopped being true.")] = False,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> MemoriesPage:
        """The user's facts, oldest first, one page at a time."""
        return await self._run(
            READ, lambda c: c.list_memories(user_id, include_invalid=include_invalid, limit=limit, cursor=cursor)
        )

    async def get_memory(self, memory_id: MemoryId) -> MemoryPublic:
        """One fact with its status, validity, provenance and statistics."""
        return await self._run(READ, lambda c: c.get_memory(memory_id))

    async def update_memory(
        self,
        memory_id: MemoryId,
        text: Annotated[str | None, Field(min_length=1, description="The corrected fact.")] = None,
        valid_at: Annotated[Moment, Field(description="Since when it is true.")] = None,
        invalid_at: Annotated[Moment, Field(description="When it stopped being true.")] = None,
    ) -> MemoryPublic:
        """Correct a fact: a new version; the old one stays in its history."""
        return await self._run(
            WRITE, lambda c: c.update_memory(memory_id, text=text, valid_at=valid_at, invalid_at=invalid_at)
        )

    async def invalidate_memory(
        self,
        memory_id: MemoryId,
        invalid_at: Annotated[Moment, Field(description="When it stopped being true; default now.")] = None,
    ) -> MemoryPublic:
        """Mark a fact as no longer true (e.g. the user moved); it stays in the history and in as_of searches."""
        ended = invalid_at or datetime.now(UTC)
        return await self._run(WRITE, lambda c: c.update_memory(memory_id, invalid_at=ended))

    async def delete_memory(self, memory_id: MemoryId) -> MemoryPublic:
        """Delete a fact that was wrong: gone from lists and searches, kept in its history."""
        return await self._run(WRITE, lambda c: c.delete_memory(memory_id))

    async def memory_history(self, memory_id: MemoryId) -> MemoryHistory:
        """Every ADD, UPDATE and DELETE of a fact, oldest first: old and new text, when, by whom, from what."""
        return await self._run(READ, lambda c: c.memory_history(memory_id))

    async def graph_entities(self, user_id: UserId, limit: Limit = 50, cursor: Cursor = None) -> GraphEntitiesPage:
        """The people, places, organisations and things in the user's memory graph, with their ids."""
        return await self._run(READ, lambda c: c.list_entities(user_id, limit=limit, cursor=cursor))

    async def graph_neighbors(
        self,
        entity_id: Annotated[Identifier, Field(description="An entity id from graph_entities, e.g. 'ent_3_7'.")],
        hops: Annotated[int, Field(ge=1, le=3, description="How many relations away.")] = 1,
        as_of: Annotated[Moment, Field(description="Relations as they held then; default now.")] = None,
        by: Annotated[
            TimeAxis, Field(description="valid: true in the world then; known: as the service knew then.")
        ] = ("valid"),
    ) -> GraphNeighborsResponse:
        """Entities connected to an entity by relations that hold now (or at as_of), nearest first."""
        return await self._run(READ, lambda c: c.entity_neighbors(entity_id, hops=hops, as_of=as_of, by=by))

    async def export_user(self, user_id: UserId) -> str:
        """Everything held about the user as an export file: JSON Lines, one record per line
        (sessions, episodes, facts with their history and provenance, graph entities and relations),
        in the versioned format of docs/export-format.md, without vectors. For a copy or a handover;
        to answer questions use recall or search."""
        return await self._run(READ, lambda c: "".join(c.export_memories(user_id)))

    async def forget_session(
        self, session_id: Annotated[Identifier, Field(description="The conversation to forget.")]
    ) -> EpisodesForgotten:
        """Forget a conversation said by mistake: its messages, and the memories and graph relations
        learned only from them (those with other sources keep them). Cannot be undone."""
        return await self._run(FORGET_SCOPE, lambda c: c.delete_session(session_id))

    async def forget_user(self, user_id: UserId) -> UserDeleted:
        """Forget everything held about the user, in every layer. Cannot be undone."""
        return await self._run(FORGET_SCOPE, lambda c: c.delete_user(user_id))
