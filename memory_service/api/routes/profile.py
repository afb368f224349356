"""A user's core profile: the current facts and standing preferences an agent should always see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from memory_service.api.deps import READ, NamespaceDep, ProfilesDep
from memory_service.schemas import ErrorResponse, Identifier, ProfilePublic
from memory_service.schemas.common import RequestTime

router = APIRouter(prefix="/v1", tags=["memories"], responses={422: {"model": ErrorResponse}})


@router.get("/users/{user_id}/profile", response_model=ProfilePublic, dependencies=[READ])
def get_profile(
    user_id: Annotated[Identifier, Path()],
    profiles: ProfilesDep,
    namespace: NamespaceDep,
    as_of: Annotated[
        RequestTime | None,
        Query(description="A moment with a timezone: the profile as memory stood then (learned by then, valid then)."),
    ] = None,
    subject: Annotated[
        str | None,
        Query(min_length=1, max_length=128, description="Whose facts: default 'user' (the chat user), or a speaker."),
    ] = None,
) -> ProfilePublic:
    """Current single-valued facts (one value per slot: the latest) and capped lists, in fixed sections.

    An unknown user has an empty profile, as other reads answer an empty list.
    """
    return ProfilePublic.from_domain(profiles.profile(namespace, user_id, as_of=as_of, subject=subject))
