"""Schemas of the temporal graph: entities, relations and neighbourhoods out."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from memory_service.layers.temporal.domain import GraphEntityDetail, GraphNeighbor
from memory_service.schemas.common import ItemsPage, PublicModel


class GraphEntityPublic(PublicModel):
    id: str = Field(description="Entity id, e.g. ent_3_7.")
    name: str
    type: str = Field(description="person, place, organization, thing, event or other.")
    summary: str
    aliases: list[str] = Field(description="Other names it was mentioned by.")


class GraphEntitiesPage(ItemsPage[GraphEntityPublic]):
    pass


class GraphEdgePublic(PublicModel):
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


class GraphEdgesPage(ItemsPage[GraphEdgePublic]):
    pass


class GraphEntityDetailPublic(GraphEntityPublic):
    relations: list[GraphEdgePublic] = Field(description="Every relation touching it, oldest start first.")

    @classmethod
    def from_detail(cls, detail: GraphEntityDetail) -> GraphEntityDetailPublic:
        entity = GraphEntityPublic.from_domain(detail.entity)
        return cls.model_validate({**entity.model_dump(), "relations": detail.relations})


class GraphNeighborPublic(PublicModel):
    entity: GraphEntityPublic
    distance: int = Field(description="Hops from the entity asked about.")


class GraphNeighborsResponse(BaseModel):
    entity_id: str
    items: list[GraphNeighborPublic] = Field(description="Nearest first.")

    @classmethod
    def from_domain(cls, entity_id: str, found: list[GraphNeighbor]) -> GraphNeighborsResponse:
        return cls.model_validate({"entity_id": entity_id, "items": found})
