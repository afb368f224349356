"""Schemas of the semantic layer: memories in and out, their history, extraction progress."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, Field, WithJsonSchema, model_validator

from memory_service.layers.semantic.domain import Actor, MemoryChange, MemoryEdit, MemoryEvent, MemoryStatus
from memory_service.schemas.common import Identifier, ItemsPage, PublicModel, RequestModel, RequestTime


class MemoryCreate(RequestModel):
    user_id: Identifier
    text: str = Field(min_length=1, max_length=4000, description="The fact, as a short statement.")
    valid_at: RequestTime | None = Field(default=None, description="Since when it holds in the world.")
    metadata: dict[str, Any] = Field(default_factory=dict)


class MemoryUpdate(RequestModel):
    """Fields to change; those left out stay. ``invalid_at`` set means the fact stopped being true."""

    # Left out keeps the text; null is refused (a memory always has a text), so the schema says string.
    text: Annotated[str | None, WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 4000})] = Field(
        default=None, min_length=1, max_length=4000
    )
    valid_at: RequestTime | None = None
    invalid_at: RequestTime | None = None
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


class MemoryPublic(PublicModel):
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


class MemoriesPage(ItemsPage[MemoryPublic]):
    pass


class MemoryChangePublic(PublicModel):
    memory_id: str = Field(description="The version of the fact this change made or touched.")
    version: int
    event: MemoryEvent
    old_text: str | None
    new_text: str | None
    actor: Actor = Field(description="extractor (from episodes), api (a person), admin.")
    provenance: list[str] = Field(
        description="Ids of the episodes behind the change.", validation_alias=AliasChoices("provenance", "episode_ids")
    )
    at: datetime
    details: dict[str, Any]


class MemoryHistory(BaseModel):
    memory_id: str
    items: list[MemoryChangePublic] = Field(description="Oldest first, across every version of the fact.")

    @classmethod
    def from_domain(cls, memory_id: str, changes: list[MemoryChange]) -> MemoryHistory:
        return cls.model_validate({"memory_id": memory_id, "items": changes})


class ExtractionStatus(PublicModel):
    user_id: str
    pending: int
    running: int
    done: int
    failed: int
    idle: bool = Field(description="Nothing pending or running: every queued episode has been consolidated.")
