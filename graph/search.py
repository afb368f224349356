"""Graph search: the relations that answer a query, found from the entities the query names.

Seeds are the query's entities (names and aliases said in it, "I"/"my" for the user, and names
whose embeddings are close to the query's). Relations within ``hops`` of the seeds are ranked
by personalized PageRank from the seeds plus the similarity of their fact text to the query.
Current relations come first unless the query asks about the past ("used to", "before",
"in 2021"): then relations that held at that time, or ended ones, lead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import networkx as nx
import numpy as np

from graph.model import USER_ENTITY, Entity, Relation
from graph.names import canonical_key, normalize_name, person_tokens
from graph.temporal_graph import TemporalGraph
from retrieval.timeparse import TimeRange, parse_time_range
from retrieval.tokenize import tokenize

Embed = Callable[[Sequence[str]], np.ndarray]

_SELF = re.compile(r"\b(?:i|me|my|mine|myself|i'm|i've|i'd)\b", re.IGNORECASE)
_PAST = re.compile(
    r"\b(?:used to|previous(?:ly)?|former(?:ly)?|before|first|originally|earlier|back then|in the past|"
    r"old|no longer|anymore|until)\b",
    re.IGNORECASE,
)
_NOW = re.compile(r"\b(?:now|currently|current|these days|at the moment|still|today|presently)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SearchWeights:
    """How a relation's score is made (each part in [0, 1], the three weights summing to 1).

    Set by hand and not yet tuned on a benchmark; the graph layer joins search fused by rank
    (``graph_weight`` of the recipe), so these order relations within the graph's own ranking.
    """

    graph: float = 0.4
    """Personalized PageRank from the query's entities: how central a relation is to them."""
    text: float = 0.45
    """Cosine of query and fact text: the largest share, as for turns, where dense leads."""
    lexical: float = 0.15
    """Share of the query's words in the fact: a tie-breaker for names the embedder blurs."""
    seed_similarity: float = 0.6
    """Cosine similarity of query and entity name above which an entity becomes a seed."""
    past_edge_weight: float = 0.5
    """An ended relation's edge weight in the PageRank graph (a current one weighs 1): past
    facts still connect entities, but less than what holds now."""
    pagerank_damping: float = 0.85
    """PageRank's usual damping: walks stay near the seeds without ignoring two-hop paths."""


@dataclass(frozen=True, slots=True)
class RelationHit:
    """A ranked relation. ``score`` is higher for better answers, in [0, 1]; ``current`` says
    whether it still holds; provenance is the relation's source episode ids."""

    relation: Relation
    source: Entity
    target: Entity
    score: float
    current: bool

    @property
    def text(self) -> str:
        return self.relation.fact

    @property
    def valid_at(self) -> datetime | None:
        return self.relation.valid_at

    @property
    def invalid_at(self) -> datetime | None:
        return self.relation.invalid_at

    @property
    def provenance(self) -> tuple[str, ...]:
        return self.relation.episode_ids


def find_seeds(
    graph: TemporalGraph, query: str, embed: Embed | None = None, threshold: float = 0.6
) -> dict[int, float]:
    """Entities the query is about, each with a weight in (0, 1]."""
    said = f" {normalize_name(query)} "
    seeds: dict[int, float] = {}
    for entity in graph.entities.values():
        names = (entity.name, *entity.aliases)
        keys = {canonical_key(n) for n in names} | {normalize_name(n) for n in names}
        if entity.type == "person":
            keys |= {person_tokens(n)[0] for n in names if person_tokens(n)}
        if any(key and key != USER_ENTITY and f" {key} " in said for key in keys):
            seeds[entity.id] = 1.0
    if _SELF.search(query):
        for entity in graph.entities.values():
            if canonical_key(entity.name) == USER_ENTITY:
                seeds[entity.id] = 1.0
    named = [e for e in graph.entities.values() if e.embedding is not None]
    if embed is not None and named:
        vector = np.asarray(embed([query]), dtype=np.float32)[0]
        scores = np.asarray([e.embedding for e in named], dtype=np.float32) @ vector
        for entity, score in zip(named, scores, strict=True):
            if score >= threshold:
                seeds[entity.id] = max(seeds.get(entity.id, 0.0), float(score))
    return seeds


def search(
    graph: TemporalGraph,
    query: str,
    now: datetime,
    embed: Embed | None = None,
    k: int = 10,
    *,
    hops: int = 2,
    weights: SearchWeights | None = None,
    as_of: datetime | None = None,
) -> list[RelationHit]:
    """The ``k`` relations that best answer ``query`` at ``now`` (aware), best first.

    With ``as_of``, only the graph as it stood then is searched: relations already learned at
    that moment and true in the world at it.
    """
    weights = weights or SearchWeights()
    seeds = find_seeds(graph, query, embed, weights.seed_similarity)
    pool = _pool(graph, seeds, hops, as_of)
    if not pool:
        return []
    graph_scores = _pagerank_scores(pool, seeds, weights)
    text_scores = _text_scores(query, pool, embed)
    words = set(tokenize(query))
    when = parse_time_range(query, now)
    past = bool(_PAST.search(query)) and not _NOW.search(query)
    ranked = []
    for relation in pool:
        said = set(tokenize(f"{relation.fact} {relation.predicate.replace('_', ' ')}"))
        lexical = len(words & said) / len(words) if words else 0.0
        score = (
            weights.graph * graph_scores.get(relation.id, 0.0)
            + weights.text * text_scores.get(relation.id, 0.0)
            + weights.lexical * lexical
        )
        ranked.append((_tier(relation, when, past, now), -score, relation.id, score, relation))
    ranked.sort(key=lambda item: item[:3])
    return [
        RelationHit(
            relation=relation,
            source=graph.entity(relation.source_id),
            target=graph.entity(relation.target_id),
            score=round(max(0.0, min(1.0, score)), 6),
            current=relation.is_current,
        )
        for *_, score, relation in ranked[:k]
    ]


def _tier(relation: Relation, when: TimeRange | None, past: bool, now: datetime) -> int:
    """0 for relations matching the query's time, 1 for the rest."""
    start, end = (when.start, when.end) if when is not None else (None, None)
    covers_now = (start is None or start <= now) and (end is None or end > now)
    if when is not None and not covers_now:
        overlaps = (end is None or relation.starts_at < end) and (
            start is None or relation.invalid_at is None or relation.invalid_at > start
        )
        return 0 if overlaps else 1
    if past:
        return 0 if not relation.is_current else 1
    return 0 if relation.is_current else 1


def _pool(graph: TemporalGraph, seeds: dict[int, float], hops: int, as_of: datetime | None) -> list[Relation]:
    """Non-retracted relations within ``hops`` of the seeds (all of them without seeds), those
    that stood at ``as_of`` when one is given."""
    live = [
        r
        for r in graph.relations.values()
        if not r.is_retracted and (as_of is None or (r.created_at <= as_of and r.valid_at_time(as_of)))
    ]
    if not seeds:
        return live
    near: set[int] = set()
    undirected = graph.nx_graph.to_undirected(as_view=True)
    for seed in seeds:
        near |= set(nx.single_source_shortest_path_length(undirected, seed, cutoff=hops))
    return [r for r in live if r.source_id in near and r.target_id in near]


def _pagerank_scores(pool: list[Relation], seeds: dict[int, float], weights: SearchWeights) -> dict[int, float]:
    """A relation's score: personalized PageRank of its two ends, scaled so the best is 1."""
    if not seeds:
        return {}
    view = nx.Graph()
    for relation in pool:
        weight = 1.0 if relation.is_current else weights.past_edge_weight
        previous = view.get_edge_data(relation.source_id, relation.target_id, {}).get("weight", 0.0)
        view.add_edge(relation.source_id, relation.target_id, weight=previous + weight)
    personal = {node: seeds.get(node, 0.0) for node in view}
    if not any(personal.values()):
        return {}
    rank = nx.pagerank(view, alpha=weights.pagerank_damping, personalization=personal, weight="weight")
    raw = {r.id: rank.get(r.source_id, 0.0) + rank.get(r.target_id, 0.0) for r in pool}
    top = max(raw.values(), default=0.0) or 1.0
    return {i: value / top for i, value in raw.items()}


def _text_scores(query: str, pool: list[Relation], embed: Embed | None) -> dict[int, float]:
    """Cosine similarity of query and fact text, clipped to [0, 1]; empty without an embedder."""
    if embed is None:
        return {}
    vectors = np.asarray(embed([query, *(r.fact for r in pool)]), dtype=np.float32)
    scores = vectors[1:] @ vectors[0]
    return {r.id: float(max(0.0, s)) for r, s in zip(pool, scores, strict=True)}
