"""Episodes one at a time: forgetting a single message."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from memory_service.api.deps import WRITE, ForgettingDep, NamespaceDep
from memory_service.schemas import EpisodesForgotten, ErrorResponse, Identifier

router = APIRouter(
    prefix="/v1/episodes",
    tags=["sessions"],
    dependencies=[WRITE],
    responses={404: {"model": ErrorResponse}, 422: {"model": ErrorResponse}},
)


@router.delete("/{episode_id}", response_model=EpisodesForgotten)
def delete_episode(
    episode_id: Annotated[Identifier, Path(description="An episode id as stored messages got it (ep_...).")],
    service: ForgettingDep,
    namespace: NamespaceDep,
) -> EpisodesForgotten:
    """Forget one message, with the memories and relations learned only from it; those with other
    sources lose it from their provenance. The rest of its session stays."""
    return EpisodesForgotten.from_domain(service.delete_episode(namespace, episode_id))
