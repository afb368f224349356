"""A user's temporal graph, drawn in the browser: the page, and the JSON its script reads.

The script lays out every entity once and, as the time slider moves, asks which relations stood at
that moment (``runtime.graph.edges`` with ``as_of`` and ``by``, the API's own rules); it only hides
and shows lines, so the drawing stays put and quick with thousands of relations.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from memory_service.layers.temporal.domain import GraphEdge, GraphEntity, TimeAxis
from memory_service.pagination import MAX_PAGE_SIZE

from . import forms
from .context import ConsoleDep, ConsoleRoute
from .directory import Directory
from .rendering import SECURITY_HEADERS

router = APIRouter(prefix="/admin", route_class=ConsoleRoute, include_in_schema=False)


def _all_entities(console: ConsoleDep, user_id: str) -> Iterator[GraphEntity]:
    cursor = None
    while True:
        page = console.runtime.graph.list_entities(console.namespace, user_id, limit=MAX_PAGE_SIZE, cursor=cursor)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _all_edges(console: ConsoleDep, user_id: str, **options: Any) -> Iterator[GraphEdge]:
    cursor = None
    while True:
        page = console.runtime.graph.edges(console.namespace, user_id, limit=MAX_PAGE_SIZE, cursor=cursor, **options)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def _edge(edge: GraphEdge) -> dict[str, Any]:
    return {
        "id": edge.id,
        "source": edge.source_id,
        "target": edge.target_id,
        "predicate": edge.predicate,
        "fact": edge.fact,
        "valid_at": _iso(edge.valid_at),
        "invalid_at": _iso(edge.invalid_at),
        "created_at": _iso(edge.created_at),
        "expired_at": _iso(edge.expired_at),
        "provenance": list(edge.provenance),
        "current": edge.current,
    }


@router.get("/users/{user_id}/graph")
def graph_page(console: ConsoleDep, user_id: str) -> Response:
    return console.page("graph.html", user_id=user_id)


@router.get("/users/{user_id}/graph.json")
def graph_data(
    console: ConsoleDep,
    user_id: str,
    as_of: Annotated[str, Query(max_length=64)] = "",
    by: TimeAxis = "valid",
) -> Response:
    """Without ``as_of``: every entity and every relation, past ones included, with the time span and
    where each source episode was said. With it: the relations that stood then, by ``by``."""
    moment = forms.moment(as_of, "as_of")
    if moment is not None:
        edges = [_edge(e) for e in _all_edges(console, user_id, as_of=moment, by=by)]
        return JSONResponse({"as_of": _iso(moment), "by": by, "edges": edges}, headers=SECURITY_HEADERS)
    entities = [{"id": e.id, "name": e.name, "type": e.type} for e in _all_entities(console, user_id)]
    edges = [_edge(e) for e in _all_edges(console, user_id, include_past=True)]
    moments = [m for e in edges for m in (e["valid_at"], e["created_at"], e["invalid_at"], e["expired_at"]) if m]
    sources = Directory(console.runtime.db).episode_sessions(
        console.namespace, {episode for e in edges for episode in e["provenance"]}
    )
    links = {e: console.link(f"/users/{user_id}/sessions/{session}") + f"#{e}" for e, session in sources.items()}
    return JSONResponse(
        {
            "entities": entities,
            "edges": edges,
            "start": min(moments) if moments else None,
            "end": _iso(datetime.now(UTC)),
            "sources": links,
        },
        headers=SECURITY_HEADERS,
    )
