"""GraphService: each user's temporal knowledge graph, grown from episodes and read by the API.

The SQL store holds the graph's rows; a :class:`~graph.temporal_graph.TemporalGraph` built from
them is cached per user (the ``graph`` layer of the shared partition cache, which bounds and
unloads it with the other layers' entries) and rebuilt when the user's graph revision moves.
Ingestion takes the graph view of a batch's statements (read once for both layers by the
extraction worker) and, under the user's row lock, applies it to a graph current with the store,
writing exactly the rows it touched in one transaction; contradictions follow the one slot table
(:data:`agents.statements.slots.FUNCTIONAL_PREDICATES`).
Re-ingesting the same episodes reinforces what is there (the task queue may replay
a batch after a crash).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from sqlalchemy.orm import Session

from agents.statements import GraphView
from agents.statements.slots import FUNCTIONAL_PREDICATES
from graph.ingest import GraphChanges, apply_extraction
from graph.model import Entity, Relation
from graph.temporal_graph import TemporalGraph
from memory_service.domain import Page
from memory_service.errors import InvalidInputError, NotFoundError
from memory_service.layers.cache import CacheLayer, PartitionCache, exactly
from memory_service.layers.temporal import repository as graph_repo
from memory_service.layers.temporal.domain import (
    ENTITY_ID_PREFIX,
    RELATION_ID_PREFIX,
    GraphEdge,
    GraphEntity,
    GraphEntityDetail,
    GraphNeighbor,
    TimeAxis,
    graph_public_id,
    parse_graph_id,
)
from memory_service.pagination import PageRequest
from memory_service.store import partitions as partition_store
from memory_service.store.database import Database
from retrieval.embedder import Embedder

MAX_HOPS = 3
AXES = ("valid", "known")


@dataclass
class LoadedGraph:
    """A user's graph at a store revision. ``vectors`` memoizes fact and query embeddings by text
    across revisions (facts rarely change), so a search embeds only what it has not seen."""

    revision: int
    graph: TemporalGraph
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)


class GraphService:
    """Temporal graphs of each user: ingestion from episodes, API reads and search."""

    def __init__(
        self,
        db: Database,
        embedder: Embedder,
        *,
        partitions: PartitionCache,
        embed_names: bool = True,
    ) -> None:
        self.db = db
        self.embedder = embedder
        self.embed_names = embed_names
        # Used only at the revision the store has (a graph read from an older snapshot is rebuilt).
        self.loaded: CacheLayer[LoadedGraph] = partitions.layer("graph", fresh=exactly)

    # -- writes ---------------------------------------------------------------------------

    def ingest(self, user_pk: int, view: GraphView) -> GraphChanges:
        """Store a batch's entities and relations in the user's graph."""
        if not view.entities and not view.relations:
            return GraphChanges()
        embed = self.embedder.embed_batch if self.embed_names else None
        with self.db.write() as db:
            graph_repo.lock_user(db, user_pk)
            loaded = self._current(db, user_pk, take=True)
            with loaded.lock:
                changes = apply_extraction(loaded.graph, view.entities, view.relations, embed=embed)
                graph_repo.upsert(db, user_pk, changes.entity_rows(), changes.relation_rows())
                graph_repo.bump_revision(db, user_pk)
                db.flush()
                loaded.revision = graph_repo.revision(db, user_pk)
        # Installed only once committed: a failed write leaves no half-applied graph behind.
        self._install(user_pk, loaded)
        return changes

    def forget(self, user_pk: int) -> None:
        """Drop the user's cached graph (the rows go with the user by foreign-key cascade)."""
        self.loaded.pop(user_pk)

    # -- reads ----------------------------------------------------------------------------

    def list_entities(
        self, namespace: str, user_id: str, *, limit: int = 100, cursor: str | None = None
    ) -> Page[GraphEntity]:
        """The user's entities by id; an unknown user has none."""
        request = PageRequest.of(limit, cursor)
        user_pk = self._user(namespace, user_id)
        if user_pk is None:
            return Page((), None)
        loaded = self.loaded_graph(user_pk)
        with loaded.lock:
            graph = loaded.graph
            ids = [i for i in sorted(graph.entities) if request.after is None or i > request.after]
            return request.page(ids[: request.fetch], int, lambda i: _entity(user_pk, graph.entity(i)))

    def get_entity(self, namespace: str, entity_id: str) -> GraphEntityDetail:
        user_pk, local = self._entity_key(namespace, entity_id)
        loaded = self.loaded_graph(user_pk)
        with loaded.lock:
            graph = loaded.graph
            if local not in graph.entities:
                raise _entity_not_found(entity_id)
            edges = tuple(_edge(user_pk, graph, r) for r in graph.timeline(local))
            return GraphEntityDetail(_entity(user_pk, graph.entity(local)), edges)

    def neighbors(
        self,
        namespace: str,
        entity_id: str,
        *,
        hops: int = 1,
        as_of: datetime | None = None,
        by: TimeAxis = "valid",
    ) -> list[GraphNeighbor]:
        """Entities within ``hops`` over current relations, or those seen at ``as_of``; nearest first."""
        if not 1 <= hops <= MAX_HOPS:
            raise InvalidInputError(f"hops must be between 1 and {MAX_HOPS}", details={"hops": hops})
        _check_moment(as_of, by)
        user_pk, local = self._entity_key(namespace, entity_id)
        loaded = self.loaded_graph(user_pk)
        with loaded.lock:
            if local not in loaded.graph.entities:
                raise _entity_not_found(entity_id)
            found = loaded.graph.neighbors(local, hops, at=as_of, by=by)
            return [GraphNeighbor(_entity(user_pk, e), distance) for e, distance in found]

    def edges(
        self,
        namespace: str,
        user_id: str,
        *,
        as_of: datetime | None = None,
        by: TimeAxis = "valid",
        include_past: bool = False,
        limit: int = 100,
        cursor: str | None = None,
    ) -> Page[GraphEdge]:
        """The user's relations by id: current ones (now, or as seen at ``as_of``), and with
        ``include_past`` also those that had ended; retracted relations never show."""
        request = PageRequest.of(limit, cursor)
        _check_moment(as_of, by)
        user_pk = self._user(namespace, user_id)
        if user_pk is None:
            return Page((), None)
        loaded = self.loaded_graph(user_pk)
        with loaded.lock:
            graph = loaded.graph
            if as_of is not None:
                relations = graph.as_of(as_of, by, include_past=include_past)
            else:
                relations = sorted(
                    (r for r in graph.relations.values() if r.is_current or (include_past and not r.is_retracted)),
                    key=lambda r: r.id,
                )
            relations = [r for r in relations if request.after is None or r.id > request.after]
            return request.page(relations[: request.fetch], lambda r: r.id, lambda r: _edge(user_pk, graph, r))

    # -- cache ----------------------------------------------------------------------------

    def loaded_graph(self, user_pk: int) -> LoadedGraph:
        """The user's graph at the store's revision (the search reads it under its lock)."""
        with self.db.read() as db:
            return self._current(db, user_pk, take=False)

    def _current(self, db: Session, user_pk: int, *, take: bool) -> LoadedGraph:
        """The user's graph at the store's revision, from the cache or rebuilt from the rows.

        ``take`` removes it from the cache for a writer to change; readers keep their own
        reference, and the entry's lock keeps them from reading mid-change.
        """
        revision = graph_repo.revision(db, user_pk)
        cached = self.loaded.get(user_pk, revision)
        if cached is not None:
            if take:
                self.loaded.pop(user_pk)
            return cached
        stale = self.loaded.peek(user_pk)
        entity_rows, relation_rows = graph_repo.load(db, user_pk)
        graph = TemporalGraph.from_rows(entity_rows, relation_rows, functional_predicates=FUNCTIONAL_PREDICATES)
        fresh = LoadedGraph(revision, graph)
        if stale is not None:
            fresh.vectors = stale.vectors
        if not take:
            self._install(user_pk, fresh)
        return fresh

    def _install(self, user_pk: int, loaded: LoadedGraph) -> None:
        """Cache ``loaded`` unless the cache holds a later revision already."""
        self.loaded.put(user_pk, loaded)

    # -- lookups --------------------------------------------------------------------------

    def _user(self, namespace: str, user_id: str) -> int | None:
        with self.db.read() as db:
            user = partition_store.find_named_user(db, namespace, user_id)
            return user.id if user is not None else None

    def _entity_key(self, namespace: str, entity_id: str) -> tuple[int, int]:
        """(user, graph id) of an entity id the namespace may see; 404 otherwise."""
        key = parse_graph_id(ENTITY_ID_PREFIX, entity_id)
        if key is None:
            raise _entity_not_found(entity_id)
        with self.db.read() as db:
            namespace_id = partition_store.find_namespace(db, namespace)
            if namespace_id is None or not graph_repo.user_in_namespace(db, namespace_id, key[0]):
                raise _entity_not_found(entity_id)
        return key


def _check_moment(as_of: datetime | None, by: str) -> None:
    if by not in AXES:
        raise InvalidInputError(f"by must be one of {', '.join(AXES)}", details={"by": by})
    if as_of is not None and as_of.utcoffset() is None:
        raise InvalidInputError("as_of needs a timezone, e.g. 2024-05-01T09:30:00Z", details={"field": "as_of"})


def _entity_not_found(entity_id: str) -> NotFoundError:
    return NotFoundError(f"entity {entity_id!r} not found", details={"entity_id": entity_id})


def _entity(user_pk: int, entity: Entity) -> GraphEntity:
    return GraphEntity(
        id=graph_public_id(ENTITY_ID_PREFIX, user_pk, entity.id),
        name=entity.name,
        type=entity.type,
        summary=entity.summary,
        aliases=tuple(sorted(entity.aliases)),
    )


def _edge(user_pk: int, graph: TemporalGraph, relation: Relation) -> GraphEdge:
    return GraphEdge(
        id=graph_public_id(RELATION_ID_PREFIX, user_pk, relation.id),
        source_id=graph_public_id(ENTITY_ID_PREFIX, user_pk, relation.source_id),
        source=graph.entity(relation.source_id).name,
        predicate=relation.predicate,
        target_id=graph_public_id(ENTITY_ID_PREFIX, user_pk, relation.target_id),
        target=graph.entity(relation.target_id).name,
        fact=relation.fact,
        valid_at=relation.valid_at,
        invalid_at=relation.invalid_at,
        created_at=relation.created_at,
        expired_at=relation.expired_at,
        provenance=relation.episode_ids,
        current=relation.is_current,
    )
