"""The per-tenant temporal knowledge graph: entities, bi-temporal relations and their traversal.

Entities and relations live in dicts (the truth, mirrored row for row by the SQL store) and in a
networkx MultiDiGraph keyed by their ids (for traversal). Every mutation returns the rows it
touched, and ids come from injected allocators, so a store can persist exactly what changed and
rebuild the same graph with :meth:`TemporalGraph.from_rows`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Literal

import networkx as nx

from graph.model import Entity, EntityChange, EntityType, MergeChange, Relation, RelationChange
from graph.names import canonical_key, normalize_name
from graph.resolution import EntityResolver, Mention, absorb_mention, entity_keys
from graph.rows import Row, entity_from_row, entity_to_row, relation_from_row, relation_to_row
from graph.validity import DEFAULT_FUNCTIONAL_PREDICATES, DEFAULT_INSTANT_PREDICATES, decide, reinforce, retire

TimeAxis = Literal["valid", "known"]
IdAllocator = Callable[[], int]


def normalize_predicate(predicate: str) -> str:
    """snake_case: "Works At" -> "works_at"; raises ValueError when nothing is left."""
    cleaned = re.sub(r"[^a-z0-9]+", "_", predicate.strip().lower()).strip("_")
    if not cleaned:
        raise ValueError(f"predicate must contain letters or digits; got {predicate!r}")
    return cleaned


def _counter(start: int) -> IdAllocator:
    numbers = itertools.count(start)
    return lambda: next(numbers)


class TemporalGraph:
    """Entities and relations of one partition, with the temporal rules applied on every write.

    ``functional_predicates``: predicates allowing one current target per source;
    ``instant_predicates``: dated occurrences kept apart per day (see :mod:`graph.validity`).
    ``next_entity_id`` / ``next_relation_id`` allocate ids (a store passes its sequences); by
    default they count up from the largest id loaded.
    """

    def __init__(
        self,
        *,
        functional_predicates: Iterable[str] = DEFAULT_FUNCTIONAL_PREDICATES,
        instant_predicates: Iterable[str] = DEFAULT_INSTANT_PREDICATES,
        resolver: EntityResolver | None = None,
        next_entity_id: IdAllocator | None = None,
        next_relation_id: IdAllocator | None = None,
    ) -> None:
        self.functional_predicates = frozenset(functional_predicates)
        self.instant_predicates = frozenset(instant_predicates)
        self.resolver = resolver or EntityResolver()
        self._entities: dict[int, Entity] = {}
        self._relations: dict[int, Relation] = {}
        self._keys: dict[str, set[int]] = {}
        self._nx: nx.MultiDiGraph = nx.MultiDiGraph()
        self._next_entity_id = next_entity_id
        self._next_relation_id = next_relation_id

    # --- loading and export -----------------------------------------------------------------

    @classmethod
    def from_rows(
        cls, entity_rows: Iterable[Mapping[str, Any]], relation_rows: Iterable[Mapping[str, Any]], **options: Any
    ) -> TemporalGraph:
        """A graph holding exactly the given rows (as :meth:`to_rows` wrote them)."""
        graph = cls(**options)
        for row in entity_rows:
            graph._put_entity(entity_from_row(row))
        for row in relation_rows:
            relation = relation_from_row(row)
            if relation.source_id not in graph._entities or relation.target_id not in graph._entities:
                raise ValueError(f"relation {relation.id} points at an entity that is not loaded")
            graph._put_relation(relation)
        return graph

    def to_rows(self) -> tuple[list[Row], list[Row]]:
        """(entity rows, relation rows), ordered by id."""
        return (
            [entity_to_row(self._entities[i]) for i in sorted(self._entities)],
            [relation_to_row(self._relations[i]) for i in sorted(self._relations)],
        )

    # --- reading ----------------------------------------------------------------------------

    @property
    def entities(self) -> Mapping[int, Entity]:
        return self._entities

    @property
    def relations(self) -> Mapping[int, Relation]:
        return self._relations

    @property
    def nx_graph(self) -> nx.MultiDiGraph:
        """Nodes are entity ids, edges ``(source_id, target_id, key=relation id)``; do not mutate."""
        return self._nx

    def entity(self, entity_id: int) -> Entity:
        try:
            return self._entities[entity_id]
        except KeyError:
            raise KeyError(f"no entity with id {entity_id}") from None

    def relation(self, relation_id: int) -> Relation:
        try:
            return self._relations[relation_id]
        except KeyError:
            raise KeyError(f"no relation with id {relation_id}") from None

    def find_entity(
        self, name: str, type: EntityType = "other", embedding: Sequence[float] | None = None
    ) -> Entity | None:
        """The entity ``name`` resolves to (see :class:`EntityResolver`), or None."""
        vector = tuple(float(x) for x in embedding) if embedding is not None else None
        found = self.resolver.resolve(Mention(name, type, (), vector), self._entities, self._keys)
        return self._entities[found] if found is not None else None

    def relations_of(self, entity_id: int) -> list[Relation]:
        """Every relation with the entity at either end, retracted ones included, by id."""
        ids = {key for *_, key in self._nx.out_edges(entity_id, keys=True)}
        ids |= {key for *_, key in self._nx.in_edges(entity_id, keys=True)}
        return [self._relations[i] for i in sorted(ids)]

    # --- writing ----------------------------------------------------------------------------

    def upsert_entity(
        self,
        name: str,
        type: EntityType = "other",
        *,
        summary: str = "",
        aliases: Iterable[str] = (),
        embedding: Sequence[float] | None = None,
    ) -> EntityChange:
        """Resolve ``name`` against the known entities; merge into the match or create a node.

        A match learns the new name as an alias, a more specific type, a summary it lacked, and
        a proper or fuller name in place of a stand-in ("user's husband" -> "John";
        "Ana" -> "Ana Silva").
        """
        if not normalize_name(name):
            raise ValueError(f"entity name must contain letters or digits; got {name!r}")
        vector = tuple(float(x) for x in embedding) if embedding is not None else None
        alias_list = tuple(a for a in aliases if normalize_name(a))
        mention = Mention(name.strip(), type, alias_list, vector)
        found = self.resolver.resolve(mention, self._entities, self._keys)
        if found is None:
            entity = Entity(
                id=self._allocate_entity_id(),
                name=mention.name,
                normalized_name=normalize_name(mention.name),
                type=type,
                summary=summary,
                aliases=frozenset(a for a in alias_list if canonical_key(a) != canonical_key(name)),
                embedding=vector,
            )
            self._put_entity(entity)
            return EntityChange(entity, created=True)
        merged = absorb_mention(self._entities[found], mention, summary)
        if merged != self._entities[found]:
            self._put_entity(merged)
        return EntityChange(merged, created=False)

    def merge_entities(self, keep_id: int, drop_id: int) -> MergeChange:
        """Fold ``drop_id`` into ``keep_id``: names become aliases, relations are re-pointed."""
        keep, drop = self.entity(keep_id), self.entity(drop_id)
        if keep_id == drop_id:
            raise ValueError("cannot merge an entity into itself")
        merged = replace(
            keep,
            aliases=(keep.aliases | drop.aliases | {drop.name}) - {keep.name},
            summary=keep.summary or drop.summary,
            type=keep.type if keep.type != "other" else drop.type,
        )
        moved = []
        for relation in self.relations_of(drop_id):
            source = keep_id if relation.source_id == drop_id else relation.source_id
            target = keep_id if relation.target_id == drop_id else relation.target_id
            moved.append(replace(relation, source_id=source, target_id=target))
        for relation in moved:
            self._put_relation(relation)
        self._remove_entity(drop_id)
        self._put_entity(merged)
        return MergeChange(merged, drop_id, tuple(moved))

    def add_relation(
        self,
        source_id: int,
        predicate: str,
        target_id: int,
        fact: str,
        *,
        created_at: datetime,
        valid_at: datetime | None = None,
        invalid_at: datetime | None = None,
        episode_ids: Iterable[str] = (),
    ) -> RelationChange:
        """Store ``source --predicate--> target`` learned at ``created_at``, applying the rules of
        :mod:`graph.validity`: a repeat reinforces, a newer functional relation retires the current
        one, one learned late about the past is stored already invalid."""
        self.entity(source_id), self.entity(target_id)
        predicate = normalize_predicate(predicate)
        episodes = tuple(dict.fromkeys(episode_ids))
        starts_at = valid_at if valid_at is not None else created_at
        decision = decide(
            predicate,
            target_id,
            starts_at,
            (self._relations[key] for *_, key in self._nx.out_edges(source_id, keys=True)),
            predicate in self.functional_predicates,
            predicate in self.instant_predicates,
        )
        if decision.reinforce is not None and invalid_at is None:
            updated = reinforce(decision.reinforce, valid_at, episodes)
            self._put_relation(updated)
            return RelationChange(updated, reinforced=True)
        retired = tuple(retire(r, starts_at, created_at, episodes) for r in decision.retire)
        for relation in retired:
            self._put_relation(relation)
        ends = [t for t in (invalid_at, decision.invalid_at) if t is not None]
        relation = Relation(
            id=self._allocate_relation_id(),
            source_id=source_id,
            target_id=target_id,
            predicate=predicate,
            fact=fact.strip(),
            valid_at=valid_at,
            invalid_at=min(ends) if ends else None,
            created_at=created_at,
            expired_at=created_at if ends else None,  # known from the start to be over
            episode_ids=episodes,
        )
        self._put_relation(relation)
        return RelationChange(relation, invalidated=retired)

    def end_relations(
        self,
        source_id: int,
        predicate: str,
        target_id: int | None,
        *,
        at: datetime,
        learned_at: datetime,
        episode_ids: Iterable[str] = (),
    ) -> tuple[Relation, ...]:
        """Retire the current ``source --predicate--> target`` relations ("I quit my job at X"), as
        ``episode_ids`` said; ``target_id`` None ends every current one of that predicate ("I quit my job")."""
        predicate = normalize_predicate(predicate)
        ended = []
        for *_, key in list(self._nx.out_edges(source_id, keys=True)):
            relation = self._relations[key]
            if relation.predicate == predicate and relation.is_current and target_id in (None, relation.target_id):
                ended.append(retire(relation, at, learned_at, episode_ids))
        for relation in ended:
            self._put_relation(relation)
        return tuple(ended)

    def retract_relation(self, relation_id: int, at: datetime) -> Relation:
        """Withdraw a relation as wrong: it disappears from every view from ``at`` on."""
        retracted = replace(self.relation(relation_id), invalid_at=None, expired_at=at)
        self._put_relation(retracted)
        return retracted

    # --- views ------------------------------------------------------------------------------

    def current_relations(self) -> list[Relation]:
        return [r for r in self._relations.values() if r.is_current]

    def as_of(self, t: datetime, by: TimeAxis = "valid", *, include_past: bool = False) -> list[Relation]:
        """The relations at ``t``, by id.

        ``by="valid"``: true in the world at ``t`` as the service knows now. ``by="known"``: what
        the service held at ``t`` (learned by then, not yet retired or retracted), shown as it
        stood then: a retirement learned after ``t`` is not applied. ``include_past`` adds what
        had already ended by ``t`` (history), never what was retracted.
        """
        if t.utcoffset() is None:
            raise ValueError("t must be timezone-aware, e.g. tzinfo=UTC")
        seen = (_seen_at(r, t, by, include_past) for r in self._relations.values())
        return sorted((r for r in seen if r is not None), key=lambda r: r.id)

    def timeline(self, entity_id: int) -> list[Relation]:
        """The entity's relations (not retracted), oldest start first: its history in order."""
        kept = [r for r in self.relations_of(entity_id) if not r.is_retracted]
        return sorted(kept, key=lambda r: (r.starts_at, r.id))

    def neighbors(
        self, entity_id: int, hops: int = 1, *, at: datetime | None = None, by: TimeAxis = "valid"
    ) -> list[tuple[Entity, int]]:
        """Entities within ``hops`` of ``entity_id`` over current relations (or those seen at
        ``at``), each with its distance, nearest first."""
        self.entity(entity_id)
        lengths = nx.single_source_shortest_path_length(self._view(at, by), entity_id, cutoff=hops)
        found = [(self._entities[i], d) for i, d in lengths.items() if i != entity_id]
        return sorted(found, key=lambda item: (item[1], item[0].name))

    def paths(
        self, source_id: int, target_id: int, *, max_hops: int = 3, at: datetime | None = None, limit: int = 10
    ) -> list[list[Relation]]:
        """Up to ``limit`` shortest-first chains of relations linking two entities (either direction)."""
        self.entity(source_id), self.entity(target_id)
        view = self._view(at, "valid")
        if source_id not in view or target_id not in view:
            return []
        chains: list[list[Relation]] = []
        try:
            for nodes in itertools.islice(nx.shortest_simple_paths(view, source_id, target_id), limit):
                if len(nodes) - 1 > max_hops:
                    break
                edges = itertools.pairwise(nodes)
                chains.append([self._relations[view.edges[a, b]["relations"][0]] for a, b in edges])
        except nx.NetworkXNoPath:
            pass
        return chains

    def _view(self, at: datetime | None, by: TimeAxis) -> nx.Graph:
        """Undirected graph of the visible relations; each edge lists its relation ids."""
        relations = self.current_relations() if at is None else self.as_of(at, by)
        view = nx.Graph()
        view.add_nodes_from(self._entities)
        for relation in sorted(relations, key=lambda r: r.id):
            if view.has_edge(relation.source_id, relation.target_id):
                view.edges[relation.source_id, relation.target_id]["relations"].append(relation.id)
            else:
                view.add_edge(relation.source_id, relation.target_id, relations=[relation.id])
        return view

    # --- internals --------------------------------------------------------------------------

    def _allocate_entity_id(self) -> int:
        if self._next_entity_id is None:
            self._next_entity_id = _counter(max(self._entities, default=0) + 1)
        return self._next_entity_id()

    def _allocate_relation_id(self) -> int:
        if self._next_relation_id is None:
            self._next_relation_id = _counter(max(self._relations, default=0) + 1)
        return self._next_relation_id()

    def _put_entity(self, entity: Entity) -> None:
        old = self._entities.get(entity.id)
        if old is not None:
            self._unindex(old)
        elif entity.id in self._nx:
            raise ValueError(f"entity id {entity.id} is already used")
        self._entities[entity.id] = entity
        self._nx.add_node(entity.id)
        for key in entity_keys(entity):
            self._keys.setdefault(key, set()).add(entity.id)

    def _remove_entity(self, entity_id: int) -> None:
        self._unindex(self._entities.pop(entity_id))
        self._nx.remove_node(entity_id)

    def _unindex(self, entity: Entity) -> None:
        for key in entity_keys(entity):
            self._keys.get(key, set()).discard(entity.id)

    def _put_relation(self, relation: Relation) -> None:
        old = self._relations.get(relation.id)
        if old is not None:
            self._nx.remove_edge(old.source_id, old.target_id, key=old.id)
        self._relations[relation.id] = relation
        self._nx.add_edge(relation.source_id, relation.target_id, key=relation.id)


def _seen_at(relation: Relation, t: datetime, by: TimeAxis, include_past: bool) -> Relation | None:
    """The relation as a view at ``t`` shows it, or None when the view does not show it."""
    if by == "valid":
        if include_past:
            return relation if not relation.is_retracted and relation.starts_at <= t else None
        return relation if relation.valid_at_time(t) else None
    if relation.created_at > t:
        return None
    if relation.expired_at is None or relation.expired_at > t:
        return replace(relation, invalid_at=None, expired_at=None) if relation.expired_at else relation
    return relation if include_past and not relation.is_retracted else None
