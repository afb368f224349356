"""What the clients build on their own calls, written once per flavour (blocking and asyncio).

Context managers, cursor-following, and the agent-side helpers: ``remember`` stores a turn of
conversation, ``recall`` searches and shapes the results into a prompt-ready block
(``sdk/context.py``). Each is written on the abstract calls the clients implement, so the HTTP
and in-process clients cannot differ in them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from memory_service.domain import Granularity, Layer
from memory_service.schemas import (
    EpisodePublic,
    EpisodesPage,
    MessagesCreated,
    ProfilePublic,
    SearchFilters,
    SearchResponse,
    TimeRangeIn,
)
from memory_service.sdk import _base as base
from memory_service.sdk import context
from memory_service.sdk._base import MessageInput
from memory_service.sdk.context import MemoryContext, TokenCounter

RECALL_TOP_K = 20
"""Results asked for by ``recall`` before the budget cuts them: enough to fill ~1,000 tokens."""


class SyncClientBase(ABC):
    """Context manager, ``iter_messages``, ``remember`` and ``recall`` for the blocking clients."""

    @abstractmethod
    def add_messages(
        self,
        session_id: str,
        user_id: str,
        messages: Sequence[MessageInput],
        *,
        agent_id: str | None = None,
        infer: bool = False,
    ) -> MessagesCreated: ...

    @abstractmethod
    def get_messages(self, session_id: str, *, limit: int = 100, cursor: str | None = None) -> EpisodesPage: ...

    @abstractmethod
    def search(
        self,
        query: str,
        user_id: str,
        *,
        layers: Sequence[Layer] | None = None,
        top_k: int = 10,
        now: datetime | None = None,
        as_of: datetime | None = None,
        time_range: TimeRangeIn | Mapping[str, Any] | None = None,
        session_ids: Sequence[str] | None = None,
        filters: SearchFilters | Mapping[str, Any] | None = None,
        recipe: str | None = None,
        granularity: Granularity = "turn",
        neighbors: int = 0,
        reinforce: bool = True,
    ) -> SearchResponse: ...

    @abstractmethod
    def profile(self, user_id: str, *, as_of: datetime | None = None, subject: str | None = None) -> ProfilePublic: ...

    @abstractmethod
    def close(self) -> None: ...

    def iter_messages(self, session_id: str, *, page_size: int = 100) -> Iterator[EpisodePublic]:
        """Every message of the session in order, fetching ``page_size`` at a time."""
        cursor: str | None = None
        while True:
            page = self.get_messages(session_id, limit=page_size, cursor=cursor)
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def remember(
        self,
        messages: Sequence[MessageInput],
        user_id: str,
        *,
        session_id: str,
        infer: bool = True,
        agent_id: str | None = None,
    ) -> MessagesCreated:
        """Store a turn of conversation; with ``infer`` (the default) facts are distilled from it."""
        return self.add_messages(session_id, user_id, messages, agent_id=agent_id, infer=infer)

    def recall(
        self,
        query: str,
        user_id: str,
        *,
        token_budget: int = context.DEFAULT_TOKEN_BUDGET,
        count_tokens: TokenCounter | None = None,
        layers: Sequence[Layer] = context.RECALL_LAYERS,
        top_k: int = RECALL_TOP_K,
        now: datetime | None = None,
        as_of: datetime | None = None,
        time_range: TimeRangeIn | Mapping[str, Any] | None = None,
        session_ids: Sequence[str] | None = None,
    ) -> MemoryContext:
        """What the service holds about ``query``, as a block of at most ``token_budget`` tokens.

        The user's profile (``profile``) leads the facts when the semantic layer is asked and no
        session or time range narrows the question. Tokens are counted with ``count_tokens`` or
        estimated at ~4 characters each.
        """
        context.check_budget(token_budget)
        moment = base.moment(as_of, "as_of") or base.moment(now, "now")  # facts current then are shown
        profile = self.profile(user_id, as_of=as_of) if _with_profile(layers, time_range, session_ids) else None
        found = self.search(
            query,
            user_id,
            layers=layers,
            top_k=top_k,
            now=now,
            as_of=as_of,
            time_range=time_range,
            session_ids=session_ids,
        )
        return context.build_context(
            found.results, token_budget=token_budget, count_tokens=count_tokens, at=moment, profile=profile
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncClientBase(ABC):
    """Async context manager, ``aclose``, ``iter_messages``, ``remember`` and ``recall`` for the asyncio client."""

    @abstractmethod
    async def add_messages(
        self,
        session_id: str,
        user_id: str,
        messages: Sequence[MessageInput],
        *,
        agent_id: str | None = None,
        infer: bool = False,
    ) -> MessagesCreated: ...

    @abstractmethod
    async def get_messages(self, session_id: str, *, limit: int = 100, cursor: str | None = None) -> EpisodesPage: ...

    @abstractmethod
    async def search(
        self,
        query: str,
        user_id: str,
        *,
        layers: Sequence[Layer] | None = None,
        top_k: int = 10,
        now: datetime | None = None,
        as_of: datetime | None = None,
        time_range: TimeRangeIn | Mapping[str, Any] | None = None,
        session_ids: Sequence[str] | None = None,
        filters: SearchFilters | Mapping[str, Any] | None = None,
        recipe: str | None = None,
        granularity: Granularity = "turn",
        neighbors: int = 0,
        reinforce: bool = True,
    ) -> SearchResponse: ...

    @abstractmethod
    async def profile(
        self, user_id: str, *, as_of: datetime | None = None, subject: str | None = None
    ) -> ProfilePublic: ...

    @abstractmethod
    async def close(self) -> None: ...

    async def aclose(self) -> None:
        """Same as ``close``; the name asyncio code expects."""
        await self.close()

    async def iter_messages(self, session_id: str, *, page_size: int = 100) -> AsyncIterator[EpisodePublic]:
        """Every message of the session in order, fetching ``page_size`` at a time."""
        cursor: str | None = None
        while True:
            page = await self.get_messages(session_id, limit=page_size, cursor=cursor)
            for item in page.items:
                yield item
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    async def remember(
        self,
        messages: Sequence[MessageInput],
        user_id: str,
        *,
        session_id: str,
        infer: bool = True,
        agent_id: str | None = None,
    ) -> MessagesCreated:
        """Store a turn of conversation; with ``infer`` (the default) facts are distilled from it."""
        return await self.add_messages(session_id, user_id, messages, agent_id=agent_id, infer=infer)

    async def recall(
        self,
        query: str,
        user_id: str,
        *,
        token_budget: int = context.DEFAULT_TOKEN_BUDGET,
        count_tokens: TokenCounter | None = None,
        layers: Sequence[Layer] = context.RECALL_LAYERS,
        top_k: int = RECALL_TOP_K,
        now: datetime | None = None,
        as_of: datetime | None = None,
        time_range: TimeRangeIn | Mapping[str, Any] | None = None,
        session_ids: Sequence[str] | None = None,
    ) -> MemoryContext:
        """What the service holds about ``query``, as a block of at most ``token_budget`` tokens.

        The user's profile (``profile``) leads the facts when the semantic layer is asked and no
        session or time range narrows the question. Tokens are counted with ``count_tokens`` or
        estimated at ~4 characters each.
        """
        context.check_budget(token_budget)
        moment = base.moment(as_of, "as_of") or base.moment(now, "now")  # facts current then are shown
        with_profile = _with_profile(layers, time_range, session_ids)
        profile = await self.profile(user_id, as_of=as_of) if with_profile else None
        found = await self.search(
            query,
            user_id,
            layers=layers,
            top_k=top_k,
            now=now,
            as_of=as_of,
            time_range=time_range,
            session_ids=session_ids,
        )
        return context.build_context(
            found.results, token_budget=token_budget, count_tokens=count_tokens, at=moment, profile=profile
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


def _with_profile(
    layers: Sequence[Layer], time_range: TimeRangeIn | Mapping[str, Any] | None, session_ids: Sequence[str] | None
) -> bool:
    """Whether ``recall`` starts from the profile: facts are asked for, and the question is not
    narrowed to some sessions or a time window (the profile would not keep to them)."""
    return "semantic" in layers and time_range is None and not session_ids
