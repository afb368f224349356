"""The slice of the SDK an evaluation uses, and the clients it runs on.

Runs go through the SDK on purpose: in process (``LocalMemoryClient`` on the service layer the
API uses) or against a running server (``MemoryClient``), so what is measured is what users get.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from memory_service.domain import Granularity, Layer
from memory_service.errors import InvalidInputError, NotFoundError
from memory_service.schemas import (
    ExtractionStatus,
    MessagesCreated,
    SearchFilters,
    SearchResponse,
    SearchResult,
    TimeRangeIn,
    UserDeleted,
)


class EvalClient(Protocol):
    """What both SDK clients offer and an evaluation needs; ``search`` takes every search option."""

    def add_messages(
        self,
        session_id: str,
        user_id: str,
        messages: Sequence[Mapping[str, Any]],
        *,
        agent_id: str | None = None,
        infer: bool = False,
    ) -> MessagesCreated: ...

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

    def extraction_status(self, user_id: str) -> ExtractionStatus: ...

    def delete_user(self, user_id: str) -> UserDeleted: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class ClientConfig:
    """How a process (the runner, or one of its workers) opens its client.

    ``url`` set: a running server over HTTP. Otherwise an embedded store in ``data_dir`` on the
    ``MEMORY_*`` settings (model, device), with a SQLite file of its own.
    """

    url: str | None = None
    api_key: str | None = None
    data_dir: Path | None = None
    timeout_s: float = 300.0
    cache_dir: Path | None = None
    """Vectors kept across the run's stores and across runs (embedded stores only)."""

    def open(self) -> EvalClient:
        if self.url:
            from memory_service.sdk.client import MemoryClient

            return MemoryClient(self.url, api_key=self.api_key, timeout=self.timeout_s)
        from pydantic import ValidationError

        from memory_service.sdk.local import LocalMemoryClient
        from memory_service.settings import Settings
        from retrieval.embedder import ModelNotFoundError

        overrides: dict[str, Any] = {"database_url": None}
        if self.data_dir is not None:
            overrides["data_dir"] = self.data_dir
        if self.cache_dir is not None:
            overrides["embedding_cache_dir"] = self.cache_dir
        try:
            return LocalMemoryClient.open(Settings(**overrides))
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            raise InvalidInputError(f"invalid MEMORY_* settings: {first['msg']}") from exc
        except ModelNotFoundError as exc:
            raise InvalidInputError(str(exc)) from exc


def wait_for_extraction(client: EvalClient, user_id: str, timeout_s: float = 900.0) -> float:
    """Block until the user's queued extraction is consolidated; returns the seconds waited."""
    started = time.perf_counter()
    while not client.extraction_status(user_id).idle:
        if time.perf_counter() - started > timeout_s:
            raise TimeoutError(f"extraction for {user_id} still running after {timeout_s:.0f} s")
        time.sleep(0.1)
    return time.perf_counter() - started


def forget(client: EvalClient, user_id: str) -> None:
    """Delete a user that may not exist (a fresh question, or one cut short before a resume)."""
    with contextlib.suppress(NotFoundError):
        client.delete_user(user_id)


def warm_up(client: EvalClient, user_id: str, now: datetime, recipe: str) -> None:
    """An untimed search after ingest: the first search of a partition loads its indexes, and that
    load would otherwise count in the latency of whichever recipe is named first."""
    client.search("warm-up", user_id, top_k=1, now=now, recipe=recipe, granularity="turn", reinforce=False)


@dataclass(frozen=True)
class TimedSearch:
    results: list[SearchResult]
    latency_ms: float


def timed_search(
    client: EvalClient,
    query: str,
    user_id: str,
    *,
    top_k: int,
    now: datetime,
    recipe: str,
    granularity: Granularity,
    layers: Sequence[Layer] | None = None,
) -> TimedSearch:
    """One search and its wall time in milliseconds, as a caller of the API sees it."""
    started = time.perf_counter()
    # Read-only: one recipe's search must not strengthen the memories the next recipe ranks.
    response = client.search(
        query, user_id, top_k=top_k, now=now, recipe=recipe, granularity=granularity, layers=layers, reinforce=False
    )
    return TimedSearch(response.results, (time.perf_counter() - started) * 1000)
