"""Schemas of the episodic layer: messages in, episodes and sessions out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AliasChoices, BaseModel, Field, StrictBool

from memory_service.domain import Episode, NewMessage, Role
from memory_service.schemas.common import Identifier, ItemsPage, PublicModel, RequestModel, RequestTime


class MessageCreate(RequestModel):
    role: Role
    content: str = Field(min_length=1, description="The message text, verbatim.")
    occurred_at: RequestTime | None = Field(
        default=None, description="When it happened (ISO 8601 with a timezone); default: now."
    )
    metadata: dict[str, Any] = Field(default_factory=dict)


class MessagesCreate(RequestModel):
    user_id: Identifier
    agent_id: Identifier | None = None
    messages: list[MessageCreate] = Field(min_length=1)
    infer: StrictBool = Field(default=False, description="Also extract semantic facts and graph relations.")

    def to_domain(self) -> list[NewMessage]:
        return [NewMessage(m.role, m.content, m.occurred_at, m.metadata) for m in self.messages]


class EpisodePublic(PublicModel):
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


class MessagesCreated(BaseModel):
    session_id: str
    ids: list[str]
    episodes: list[EpisodePublic]

    @classmethod
    def from_domain(cls, session_id: str, episodes: list[Episode]) -> MessagesCreated:
        return cls.model_validate({"session_id": session_id, "ids": [e.id for e in episodes], "episodes": episodes})


class EpisodesPage(ItemsPage[EpisodePublic]):
    pass


class SessionPublic(PublicModel):
    id: str = Field(validation_alias=AliasChoices("id", "session_id"))
    user_id: str
    agent_id: str | None
    created_at: datetime
    message_count: int
    first_occurred_at: datetime | None
    last_occurred_at: datetime | None


class SessionsPage(ItemsPage[SessionPublic]):
    pass


class UserDeleted(PublicModel):
    user_id: str
    deleted_sessions: int = Field(validation_alias=AliasChoices("deleted_sessions", "sessions"))
    deleted_episodes: int = Field(validation_alias=AliasChoices("deleted_episodes", "episodes"))


class EpisodesForgotten(PublicModel):
    """What forgetting a session or a message removed from each layer."""

    session_id: str | None = Field(description="The session the forgotten messages were in.")
    episode_ids: list[str] = Field(description="Ids of the forgotten messages.")
    deleted_episodes: int = Field(validation_alias=AliasChoices("deleted_episodes", "episodes"))
    deleted_memories: int = Field(
        validation_alias=AliasChoices("deleted_memories", "memories_removed"),
        description="Semantic memories drawn only from the forgotten messages, now deleted.",
    )
    pruned_memories: int = Field(
        validation_alias=AliasChoices("pruned_memories", "memories_pruned"),
        description="Memories kept for their other sources, the forgotten messages taken out of their provenance.",
    )
    deleted_relations: int = Field(
        validation_alias=AliasChoices("deleted_relations", "relations_removed"),
        description="Graph relations drawn only from the forgotten messages, now removed.",
    )
    pruned_relations: int = Field(
        validation_alias=AliasChoices("pruned_relations", "relations_pruned"),
        description="Relations kept for their other sources, the forgotten messages taken out of their provenance.",
    )
