"""Schemas of a user's core profile: sections of current facts, each citing its memory and episodes."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from memory_service.layers.semantic.domain import ProfileSectionName
from memory_service.schemas.common import PublicModel


class ProfileEntryPublic(PublicModel):
    memory_id: str = Field(description="The semantic memory stating it, e.g. mem_42.")
    attribute: str = Field(description="The slot it fills, e.g. location, employer, relationship:sister, pet:dog.")
    text: str
    valid_at: datetime | None = Field(description="Since when it holds in the world.")
    invalid_at: datetime | None = Field(description="When it stopped holding (set only when asked as_of before it).")
    provenance: list[str] = Field(description="Ids of the episodes it was learned from.")
    single_valued: bool = Field(description="The slot holds one value at a time; this is its current one.")
    importance: float
    confidence: float


class ProfileSectionPublic(PublicModel):
    name: ProfileSectionName
    entries: list[ProfileEntryPublic] = Field(
        description="Single-valued slots first, then the section's list, most important then most recent first."
    )
    omitted: int = Field(description="List entries left out by the cap on each section's list.")


class ProfilePublic(PublicModel):
    user_id: str
    subject: str = Field(description="Whose facts: 'user' for the chat user, else a named speaker.")
    as_of: datetime | None = Field(description="The moment the profile describes; null: now.")
    sections: list[ProfileSectionPublic] = Field(
        description="identity, home, work, relationships, diet_and_health, pets, preferences, always in that order."
    )
