"""The search playground: one query through ``runtime.search``, once per asked layer and once fused,
with each hit's rank in its layer, its share of the fused score, and the time each search took."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from memory_service.domain import Layer, SearchHit, SearchQuery
from memory_service.errors import InvalidInputError
from memory_service.search import SUPPORTED_LAYERS
from retrieval.config import RECIPES, RecipeError, recipe

from . import forms
from .context import ConsoleDep, ConsoleRoute
from .explain import ExplainedHit, explain, layer_weights

router = APIRouter(prefix="/admin", route_class=ConsoleRoute, include_in_schema=False)


@dataclass(frozen=True)
class LayerRun:
    layer: Layer
    hits: list[SearchHit]
    ms: float


@dataclass(frozen=True)
class Playground:
    runs: list[LayerRun]
    fused: list[ExplainedHit]
    fused_ms: float
    weights: dict[Layer, float]
    rrf_k: int


def _timed(console: ConsoleDep, query: SearchQuery) -> tuple[list[SearchHit], float]:
    started = time.perf_counter()
    hits = console.runtime.search.search(console.namespace, query)
    return hits, (time.perf_counter() - started) * 1000


def run(console: ConsoleDep, query: SearchQuery) -> Playground:
    """Each layer alone at the fusion's depth (its own ranking), then the fused search as the API runs it.

    Every search is read-only (``reinforce`` off): looking does not strengthen memories.
    """
    try:
        config = recipe(query.recipe)
    except RecipeError as error:
        raise InvalidInputError(str(error)) from None
    depth = max(config.candidates, query.top_k)
    runs = []
    for layer in query.layers:
        hits, ms = _timed(console, replace(query, layers=(layer,), top_k=depth))
        runs.append(LayerRun(layer, hits, ms))
    fused, fused_ms = _timed(console, query)
    weights = layer_weights(config.semantic_weight, config.graph_weight)
    rankings = {r.layer: r.hits for r in runs}
    if len(runs) > 1:
        explained = explain(fused, rankings, weights, config.rrf_k)
    else:  # one layer is not fused: its hits keep the layer's own scores
        explained = [ExplainedHit(hit, rank, ()) for rank, hit in enumerate(fused, start=1)]
    return Playground(runs, explained, fused_ms, weights, config.rrf_k)


@router.get("/search")
def playground(
    console: ConsoleDep,
    user_id: Annotated[str, Query(max_length=128)] = "",
    q: Annotated[str, Query(max_length=4096)] = "",
    layers: Annotated[list[str] | None, Query()] = None,
    recipe_name: Annotated[str, Query(alias="recipe", max_length=64)] = "hybrid",
    top_k: Annotated[int, Query(ge=1, le=50)] = 10,
    now: Annotated[str, Query(max_length=64)] = "",
    as_of: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    asked: tuple[Layer, ...] = tuple(x for x in SUPPORTED_LAYERS if x in (layers or SUPPORTED_LAYERS))
    result = None
    if q.strip() and user_id.strip():
        query = SearchQuery(
            query=q.strip(),
            user_id=user_id.strip(),
            layers=asked or ("episodic",),
            top_k=top_k,
            now=forms.moment(now, "now"),
            as_of=forms.moment(as_of, "as_of"),
            recipe=recipe_name,
            reinforce=False,
        )
        result = run(console, query)
    return console.page(
        "playground.html",
        result=result,
        user_id=user_id,
        q=q,
        asked=asked,
        all_layers=SUPPORTED_LAYERS,
        recipes=sorted(RECIPES),
        recipe=recipe_name,
        top_k=top_k,
        now=now,
        as_of=as_of,
    )
