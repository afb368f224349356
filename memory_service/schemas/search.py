"""Schemas of search: the request, the one definition of search's options, and ranked results out.

``SearchRequest`` is the source of the search options: the SDK clients, the evaluation client
and the command line take the same options, and tests/schemas/test_search_options.py fails
when one of them lacks an option or has one this schema lacks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, StrictBool, StrictInt, model_validator

from memory_service.domain import Granularity, Layer, Role, SearchHit, SearchQuery, TimeWindow
from memory_service.schemas.common import Identifier, PublicModel, RequestModel, RequestTime
from memory_service.schemas.episodic import EpisodePublic


class TimeRangeIn(RequestModel):
    start: RequestTime | None = None
    end: RequestTime | None = None

    @model_validator(mode="after")
    def _ordered(self) -> TimeRangeIn:
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValueError("time_range.start must not be after time_range.end")
        return self


class SearchFilters(RequestModel):
    roles: list[Role] | None = Field(default=None, min_length=1)


def _default_layers() -> list[Layer]:
    return ["episodic"]


class SearchRequest(RequestModel):
    query: str = Field(min_length=1, max_length=4096)
    user_id: Identifier
    layers: list[Layer] = Field(default_factory=_default_layers, min_length=1)
    top_k: StrictInt = Field(default=10, ge=1, le=200)
    now: RequestTime | None = Field(default=None, description="The request's present; default: now.")
    as_of: RequestTime | None = Field(default=None, description="Only what had happened by then.")
    time_range: TimeRangeIn | None = None
    session_ids: list[Identifier] | None = Field(default=None, min_length=1)
    filters: SearchFilters | None = None
    recipe: str | None = Field(
        default=None,
        max_length=200,
        description="Named search recipe (GET /v1/search/recipes), or one with settings changed "
        '("hybrid:short_turn_terms=12"); default: hybrid.',
    )
    granularity: Granularity = Field(default="turn", description="Rank single turns or whole sessions.")
    neighbors: StrictInt = Field(default=0, ge=0, le=10, description="Turns before and after each turn hit to return.")
    reinforce: StrictBool = Field(
        default=True,
        description="Count returned semantic memories as retrieved, which strengthens them on the forgetting "
        "curve; false for read-only searches (evaluations, audits).",
    )

    def to_domain(self) -> SearchQuery:
        window = TimeWindow(self.time_range.start, self.time_range.end) if self.time_range else None
        roles = self.filters.roles if self.filters else None
        return SearchQuery(
            query=self.query,
            user_id=self.user_id,
            layers=tuple(dict.fromkeys(self.layers)),
            top_k=self.top_k,
            now=self.now,
            as_of=self.as_of,
            time_range=window,
            session_ids=tuple(self.session_ids) if self.session_ids else None,
            roles=tuple(roles) if roles else None,
            recipe=self.recipe,
            granularity=self.granularity,
            neighbors=self.neighbors,
            reinforce=self.reinforce,
        )


class SearchResult(PublicModel):
    id: str
    layer: Layer
    text: str
    score: float = Field(description="Fused relevance; higher is more relevant.")
    session_id: str | None = None
    role: Role | None = None
    occurred_at: datetime | None = None
    valid_at: datetime | None = None
    invalid_at: datetime | None = None
    provenance: list[str] = Field(default_factory=list, description="Ids of the source episodes.")
    metadata: dict[str, Any] = Field(default_factory=dict)
    granularity: Granularity = "turn"
    context: list[EpisodePublic] = Field(default_factory=list, description="Neighbouring turns, when asked for.")


class SearchResponse(BaseModel):
    results: list[SearchResult]

    @classmethod
    def from_domain(cls, hits: list[SearchHit]) -> SearchResponse:
        return cls.model_validate({"results": hits})
