"""Public API schemas (pydantic), shared by the REST routes and the SDK.

Named by role: ``*Create`` / ``*Request`` come in, ``*Public`` / ``*Page`` / ``*Response`` go out.
Requests forbid unknown fields so that a typo is a 422, not a silently ignored option.
Imports only pydantic and the domain values, so the HTTP SDK stays light.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Generic, Self, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from memory_service.domain import (
    Episode,
    Granularity,
    Layer,
    NewMessage,
    Page,
    Role,
    SearchHit,
    SearchQuery,
    SessionSummary,
    TimeWindow,
    UserDeletion,
)
from memory_service.graph_domain import GraphEdge, GraphEntity, GraphEntityDetail, GraphNeighbor
from memory_service.semantic_domain import (
    Actor,
    ExtractionCounts,
    Memory,
    MemoryChange,
    MemoryEdit,
    MemoryEvent,
    MemoryStatus,
)

Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@\-]{0,127}$"),
]
"""User, agent and session ids: 1-128 characters of letters, digits and ``. _ : @ -``."""

DomainT = TypeVar("DomainT")
PublicT = TypeVar("PublicT", bound=BaseModel)


class ItemsPage(BaseModel, Generic[PublicT]):
    """One page of a listing: ``next_cursor`` goes back as ``cursor`` for the next page; null on the last."""

    items: list[PublicT]
    next_cursor: str | None

    @classmethod
    def convert(cls, page: Page[DomainT], item: Callable[[DomainT], PublicT]) -> Self:
        """The public page of a domain page, each item turned public by ``item``."""
        return cls(items=[item(value) for value in page.items], next_cursor=page.next_cursor)


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MessageCreate(_Request):
    role: Role
    content: str = Field(min_length=1, description="The message text, verbatim.")
    occurred_at: AwareDatetime | None = Field(
        default=None, description="When it happened (ISO 8601 with a timezone); default: now."
    )
    metadata: dict[str, Any] = Field(default_factory=dict)


class MessagesCreate(_Request):
    user_id: Identifier
    agent_id: Identifier | None = None
    messages: list[MessageCreate] = Field(min_length=1)
    infer: bool = Field(default=False, description="Also extract semantic facts and graph relations.")

    def to_domain(self) -> list[NewMessage]:
        return [NewMessage(m.role, m.content, m.occurred_at, m.metadata) for m in self.messages]


class EpisodePublic(BaseModel):
    id: str
    session_id: str
    user_id: str
    agent_id: str | None
    role: Role
    content: str
    position: int
    occurred_at: datetime
    created_at: datetime
    metadata: dict[str, Any]

    @classmethod
    def from_domain(cls, episode: Episode) -> EpisodePublic:
        return cls(
            id=episode.id,
            session_id=episode.session_id,
            user_id=episode.user_id,
            agent_id=episode.agent_id,
            role=episode.role,
            content=episode.content,
            position=episode.position,
            occurred_at=episode.occurred_at,
            created_at=episode.created_at,
            metadata=dict(episode.metadata),
        )


class MessagesCreated(BaseModel):
    session_id: str
    ids: list[str]
    episodes: list[EpisodePublic]

    @classmethod
    def from_domain(cls, session_id: str, episodes: list[Episode]) -> MessagesCreated:
        return cls(
            session_id=session_id,
            ids=[e.id for e in episodes],
            episodes=[EpisodePublic.from_domain(e) for e in episodes],
        )


class EpisodesPage(ItemsPage[EpisodePublic]):
    @classmethod
    def from_domain(cls, page: Page[Episode]) -> EpisodesPage:
        return cls.convert(page, EpisodePublic.from_domain)


class SessionPublic(BaseModel):
    id: str
    user_id: str
    agent_id: str | None
    created_at: datetime
    message_count: int
    first_occurred_at: datetime | None
    last_occurred_at: datetime | None

    @classmethod
    def from_domain(cls, session: SessionSummary) -> SessionPublic:
        return cls(
            id=session.session_id,
            user_id=session.user_id,
            agent_id=session.agent_id,
            created_at=session.created_at,
            message_count=session.message_count,
            first_occurred_at=session.first_occurred_at,
            last_occurred_at=session.last_occurred_at,
        )


class SessionsPage(ItemsPage[SessionPublic]):
    @classmethod
    def from_domain(cls, page: Page[SessionSummary]) -> SessionsPage:
        return cls.convert(page, SessionPublic.from_domain)


class TimeRangeIn(_Request):
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None

    @model_validator(mode="after")
    def _ordered(self) -> TimeRangeIn:
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValueError("time_range.start must not be after time_range.end")
        return self


class SearchFilters(_Request):
    roles: list[Role] | None = Field(default=None, min_length=1)


def _default_layers() -> list[Layer]:
    return ["episodic"]


class SearchRequest(_Request):
    query: str = Field(min_length=1, max_length=4096)
    user_id: Identifier
    layers: list[Layer] = Field(default_factory=_default_layers, min_length=1)
    top_k: int = Field(default=10, ge=1, le=200)
    now: AwareDatetime | None = Field(default=None, description="The request's present; default: now.")
    as_of: AwareDatetime | None = Field(default=None, description="Only what had happened by then.")
    time_range: TimeRangeIn | None = None
    session_ids: list[Identifier] | None = Field(default=None, min_length=1)
    filters: SearchFilters | None = None
    recipe: str | None = Field(
        default=None, max_length=64, description="Named search recipe (GET /v1/search/recipes); default: hybrid."
    )
    granularity: Granularity = Field(default="turn", description="Rank single turns or whole sessions.")
    neighbors: int = Field(default=0, ge=0, le=10, description="Turns before and after each turn hit to return.")
    reinforce: bool = Field(
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


class SearchResult(BaseModel):
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

    @classmethod
    def from_domain(cls, hit: SearchHit) -> SearchResult:
        return cls(
            id=hit.id,
            layer=hit.layer,
            text=hit.text,
            score=hit.score,
            session_id=hit.session_id,
            role=hit.role,
            occurred_at=hit.occurred_at,
            valid_at=hit.valid_at,
            invalid_at=hit.invalid_at,
            provenance=list(hit.provenance),
            metadata=dict(hit.metadata),
            granularity=hit.granularity,
            context=[EpisodePublic.from_domain(e) for e in hit.context],
        )


class SearchResponse(BaseModel):
    results: list[SearchResult]

    @classmethod
    def from_domain(cls, hits: list[SearchHit]) -> SearchResponse:
        return cls(results=[SearchResult.from_domain(h) for h in hits])


class UserDeleted(BaseModel):
    user_id: str
    deleted_sessions: int
    deleted_episodes: int

    @classmethod
    def from_domain(cls, deletion: UserDeletion) -> UserDeleted:
        return cls(
            user_id=deletion.user_id,
            deleted_sessions=deletion.sessions,
            deleted_episodes=deletion.episodes,
        )


class MemoryCreate(_Request):
    user_id: Identifier
    text: str = Field(min_length=1, max_length=4000, description="The fact, as a short statement.")
    valid_at: AwareDatetime | None = Field(default=None, description="Since when it holds in the world.")
    metadata: dict[str, Any] = Field(default_factory=dict)


class MemoryUpdate(_Request):
    """Fields to change; those left out stay. ``invalid_at`` set means the fact stopped being true."""

    text: str | None = Field(default=None, min_length=1, max_length=4000)
    valid_at: AwareDatetime | None = None
    invalid_at: AwareDatetime | None = None
    metadata: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _something(self) -> MemoryUpdate:
        if not self.model_fields_set:
            raise ValueError("give at least one of text, valid_at, invalid_at, metadata")
        return self

    def to_domain(self) -> MemoryEdit:
        return MemoryEdit(
            text=self.text,
            valid_at=self.valid_at,
            invalid_at=self.invalid_at,
            metadata=self.metadata,
            fields=frozenset(self.model_fields_set),
        )


class MemoryPublic(BaseModel):
    id: str
    user_id: str
    text: str
    subject: str
    attribute: str
    kind: str
    status: MemoryStatus = Field(description="active: true now; invalid: stopped being true at invalid_at.")
    valid_at: datetime | None
    invalid_at: datetime | None
    version: int
    provenance: list[str] = Field(description="Ids of the episodes the memory was learned from.")
    confidence: float
    importance: float
    reinforcements: int
    last_reinforced_at: datetime | None
    accesses: int
    last_accessed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    metadata: dict[str, Any]

    @classmethod
    def from_domain(cls, memory: Memory) -> MemoryPublic:
        return cls(
            id=memory.id,
            user_id=memory.user_id,
            text=memory.text,
            subject=memory.subject,
            attribute=memory.attribute,
            kind=memory.kind,
            status=memory.status,
            valid_at=memory.valid_at,
            invalid_at=memory.invalid_at,
            version=memory.version,
            provenance=list(memory.provenance),
            confidence=memory.confidence,
            importance=memory.importance,
            reinforcements=memory.reinforcements,
            last_reinforced_at=memory.last_reinforced_at,
            accesses=memory.accesses,
            last_accessed_at=memory.last_accessed_at,
            created_at=memory.created_at,
            updated_at=memory.updated_at,
            metadata=dict(memory.metadata),
        )


class MemoriesPage(ItemsPage[MemoryPublic]):
    @classmethod
    def from_domain(cls, page: Page[Memory]) -> MemoriesPage:
        return cls.convert(page, MemoryPublic.from_domain)


class MemoryChangePublic(BaseModel):
    memory_id: str = Field(description="The version of the fact this change made or touched.")
    version: int
    event: MemoryEvent
    old_text: str | None
    new_text: str | None
    actor: Actor = Field(description="extractor (from episodes), api (a person), admin.")
    provenance: list[str] = Field(description="Ids of the episodes behind the change.")
    at: datetime
    details: dict[str, Any]

    @classmethod
    def from_domain(cls, change: MemoryChange) -> MemoryChangePublic:
        return cls(
            memory_id=change.memory_id,
            version=change.version,
            event=change.event,
            old_text=change.old_text,
            new_text=change.new_text,
            actor=change.actor,
            provenance=list(change.episode_ids),
            at=change.at,
            details=dict(change.details),
        )


class MemoryHistory(BaseModel):
    memory_id: str
    items: list[MemoryChangePublic] = Field(description="Oldest first, across every version of the fact.")

    @classmethod
    def from_domain(cls, memory_id: str, changes: list[MemoryChange]) -> MemoryHistory:
        return cls(memory_id=memory_id, items=[MemoryChangePublic.from_domain(c) for c in changes])


class ExtractionStatus(BaseModel):
    user_id: str
    pending: int
    running: int
    done: int
    failed: int
    idle: bool = Field(description="Nothing pending or running: every queued episode has been consolidated.")

    @classmethod
    def from_domain(cls, counts: ExtractionCounts) -> ExtractionStatus:
        return cls(
            user_id=counts.user_id,
            pending=counts.pending,
            running=counts.running,
            done=counts.done,
            failed=counts.failed,
            idle=counts.idle,
        )


class GraphEntityPublic(BaseModel):
    id: str = Field(description="Entity id, e.g. ent_3_7.")
    name: str
    type: str = Field(description="person, place, organization, thing, event or other.")
    summary: str
    aliases: list[str] = Field(description="Other names it was mentioned by.")

    @classmethod
    def from_domain(cls, entity: GraphEntity) -> GraphEntityPublic:
        return cls(
            id=entity.id, name=entity.name, type=entity.type, summary=entity.summary, aliases=list(entity.aliases)
        )


class GraphEntitiesPage(ItemsPage[GraphEntityPublic]):
    @classmethod
    def from_domain(cls, page: Page[GraphEntity]) -> GraphEntitiesPage:
        return cls.convert(page, GraphEntityPublic.from_domain)


class GraphEdgePublic(BaseModel):
    id: str = Field(description="Relation id, e.g. rel_3_12.")
    source_id: str
    source: str = Field(description="The source entity's name.")
    predicate: str = Field(description="snake_case, e.g. works_at.")
    target_id: str
    target: str
    fact: str = Field(description="One sentence stating the relation.")
    valid_at: datetime | None = Field(description="When it became true in the world; null if unknown.")
    invalid_at: datetime | None = Field(description="When it stopped being true in the world; null while it holds.")
    created_at: datetime = Field(description="When the service learned it.")
    expired_at: datetime | None = Field(description="When the service stopped holding it as current.")
    provenance: list[str] = Field(description="Ids of the episodes that stated it.")
    current: bool = Field(description="True in the world now, as far as the service knows.")

    @classmethod
    def from_domain(cls, edge: GraphEdge) -> GraphEdgePublic:
        return cls(
            id=edge.id,
            source_id=edge.source_id,
            source=edge.source,
            predicate=edge.predicate,
            target_id=edge.target_id,
            target=edge.target,
            fact=edge.fact,
            valid_at=edge.valid_at,
            invalid_at=edge.invalid_at,
            created_at=edge.created_at,
            expired_at=edge.expired_at,
            provenance=list(edge.provenance),
            current=edge.current,
        )


class GraphEdgesPage(ItemsPage[GraphEdgePublic]):
    @classmethod
    def from_domain(cls, page: Page[GraphEdge]) -> GraphEdgesPage:
        return cls.convert(page, GraphEdgePublic.from_domain)


class GraphEntityDetailPublic(GraphEntityPublic):
    relations: list[GraphEdgePublic] = Field(description="Every relation touching it, oldest start first.")

    @classmethod
    def from_detail(cls, detail: GraphEntityDetail) -> GraphEntityDetailPublic:
        entity = GraphEntityPublic.from_domain(detail.entity)
        return cls(**entity.model_dump(), relations=[GraphEdgePublic.from_domain(r) for r in detail.relations])


class GraphNeighborPublic(BaseModel):
    entity: GraphEntityPublic
    distance: int = Field(description="Hops from the entity asked about.")


class GraphNeighborsResponse(BaseModel):
    entity_id: str
    items: list[GraphNeighborPublic] = Field(description="Nearest first.")

    @classmethod
    def from_domain(cls, entity_id: str, found: list[GraphNeighbor]) -> GraphNeighborsResponse:
        return cls(
            entity_id=entity_id,
            items=[
                GraphNeighborPublic(entity=GraphEntityPublic.from_domain(n.entity), distance=n.distance) for n in found
            ],
        )


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorResponse(BaseModel):
    error: ErrorDetail
