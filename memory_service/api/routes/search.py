"""Search: what is relevant now."""

from __future__ import annotations

from fastapi import APIRouter

from memory_service.api.deps import READ, NamespaceDep, SearchDep
from memory_service.schemas import ErrorResponse, SearchRequest, SearchResponse
from retrieval.config import RECIPES, SearchConfig

# A search reads, even over POST: a read-only key may search.
router = APIRouter(prefix="/v1", tags=["search"], dependencies=[READ], responses={422: {"model": ErrorResponse}})


@router.post("/search", response_model=SearchResponse)
def search(body: SearchRequest, service: SearchDep, namespace: NamespaceDep) -> SearchResponse:
    """Ranked memories of one user, best first; ``score`` is the fused relevance."""
    return SearchResponse.from_domain(service.search(namespace, body.to_domain()))


@router.get("/search/recipes", response_model=list[SearchConfig])
def recipes(_: NamespaceDep) -> list[SearchConfig]:
    """The named search recipes a request may pick with ``recipe``; ``hybrid`` is the default."""
    return list(RECIPES.values())
