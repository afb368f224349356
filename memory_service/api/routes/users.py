"""Users: forgetting everything about one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from memory_service.api.deps import WRITE, NamespaceDep, UsersDep
from memory_service.schemas import ErrorResponse, Identifier, UserDeleted

router = APIRouter(prefix="/v1/users", tags=["users"], dependencies=[WRITE], responses={404: {"model": ErrorResponse}})


@router.delete("/{user_id}", response_model=UserDeleted)
def delete_user(user_id: Annotated[Identifier, Path()], service: UsersDep, namespace: NamespaceDep) -> UserDeleted:
    """Remove the user's sessions, messages and vectors from the store and every index."""
    return UserDeleted.from_domain(service.delete_user(namespace, user_id))
