"""The episodic layer's ranking: a partition's turns by the recipe's fused rankings, then adjustments."""

from __future__ import annotations

from datetime import datetime, timedelta

from memory_service.domain import Layer, SearchHit, SearchQuery
from memory_service.layers.base import FactSource, LayerQuery, QueryVector, SearchPartition
from memory_service.layers.episodic import repository as repo
from memory_service.layers.episodic.hits import SESSION_TURNS_SHOWN, episode_hit, session_hit
from memory_service.layers.episodic.index import IndexManager, PartitionIndex
from memory_service.store.database import Database
from retrieval import hybrid, rerank
from retrieval.config import SearchConfig
from retrieval.speaker_cues import asks_for_assistant_words
from retrieval.timeparse import TimeRange, parse_time_range

SESSION_DEPTH = 20
"""Turn candidates per requested session: sessions are scored from many of their turns."""
TURN_DEPTH = 5
"""Turn candidates per requested turn: room for the time boost, recency and MMR to reorder."""


class EpisodicSearcher:
    """Ranks a partition's episodes: BM25 and dense rankings fused, boosted by time, grouped by session."""

    layer: Layer = "episodic"

    def __init__(self, db: Database, indexes: IndexManager, facts: FactSource | None = None) -> None:
        self.db = db
        self.indexes = indexes
        # With fact-augmented round keys, the index must hold the facts of the semantic revision.
        self.facts = facts

    def search(self, partition: SearchPartition, query: LayerQuery, query_vector: QueryVector) -> list[SearchHit]:
        request, config = query.request, query.config
        asked = None
        if request.time_range is None and config.time_mode != "off":
            asked = parse_time_range(request.query, query.now)
        start, end = event_window(request, asked if config.time_mode == "filter" else None)
        user_pk = partition.partition.user_pk
        with self.db.read() as db:
            roles = request.roles if request.roles is not None else config.roles
            filtered = request.session_ids is not None or roles is not None or start or end
            allowed = (
                repo.filtered_episode_pks(db, user_pk, request.session_ids, roles, start, end) if filtered else None
            )
            facts_revision = self.facts.revision(db, user_pk) if self.facts is not None else None
        if allowed is not None and not allowed:
            return []
        index = self.indexes.get(partition.partition, partition.revision, facts_revision)
        per_hit = SESSION_DEPTH if request.granularity == "session" else TURN_DEPTH
        depth = max(config.candidates, per_hit * request.top_k)
        fused = _fused(index, request.query, query_vector, config, depth, allowed)
        # Times and sessions of every candidate from the index; whole episodes only for the winners.
        turns = index.turns
        fused = [(pk, score) for pk, score in fused if pk in turns]
        if config.answer_weight > 0:
            with index.lock:
                fused = index.answers.credit(fused, config.answer_weight, allowed)
        role_weights = config.role_weights()
        # A question about the assistant's own past words needs its turns at full weight.
        if role_weights and not asks_for_assistant_words(request.query):
            fused = rerank.weight_by_role(fused, {pk: turns[pk].role for pk, _ in fused}, role_weights)
        if config.named_speaker_weight < 1.0:
            with index.lock:
                named = index.speakers.named_in(request.query)
                others = index.speakers.others(named, config.named_speaker_weight) if named is not None else {}
            if others:
                speakers = {pk: speaker for pk, _ in fused if (speaker := turns[pk].speaker) is not None}
                fused = rerank.weight_by_role(fused, speakers, others)
        if config.short_turn_terms:
            with index.lock:
                terms = {pk: index.lexical.terms_in(pk) for pk, _ in fused}
            fused = rerank.weight_by_length(fused, terms, config.short_turn_terms)
        moments = {pk: turns[pk].occurred_at for pk, _ in fused}
        if asked is not None and config.time_mode == "boost":
            fused = rerank.boost_in_window(fused, moments, asked.start, asked.end, config.time_boost)
        if config.recency_weight > 0:
            fused = rerank.blend_recency(
                fused, moments, query.now, config.recency_weight, config.recency_half_life_days
            )
        if request.granularity == "session":
            session_of = {pk: turns[pk].session for pk, _ in fused}
            groups = rerank.aggregate_groups(fused, session_of, config.session_decay)[: request.top_k]
            with self.db.read() as db:
                shown = repo.episodes_by_pk(db, [pk for g in groups for pk in g.members[:SESSION_TURNS_SHOWN]])
            return [session_hit(g, shown) for g in groups]
        if config.mmr_lambda is not None and config.dense:
            with index.lock:
                fused = rerank.maximal_marginal_relevance(fused, index.dense.vectors, config.mmr_lambda, request.top_k)
        fused = fused[: request.top_k]
        with self.db.read() as db:
            episodes = repo.episodes_by_pk(db, [pk for pk, _ in fused])
            neighbours = repo.session_neighbors(db, list(episodes.values()), request.neighbors)
        return [episode_hit(episodes[pk], score, neighbours.get(pk, ())) for pk, score in fused if pk in episodes]


def _fused(
    index: PartitionIndex,
    text: str,
    query_vector: QueryVector,
    config: SearchConfig,
    depth: int,
    allowed: set[int] | None,
) -> list[tuple[int, float]]:
    """The recipe's hybrid ranking; its lexical part runs while the query is still embedded."""
    with index.lock:
        scope = hybrid.Scope.of(index, allowed, config)
        lexical = hybrid.lexical_rankings(index, text, config, depth, scope)
    vector = query_vector.get()
    with index.lock:
        return hybrid.fused_ranking(index, lexical, vector, config, depth, scope)


def event_window(query: SearchQuery, asked: TimeRange | None = None) -> tuple[datetime | None, datetime | None]:
    """The event-time window a search is limited to: time_range (else a parsed one), cut at as_of."""
    window = query.time_range or asked
    start = window.start if window else None
    end = window.end if window else None
    if query.as_of is not None:
        # as_of includes its own instant; the window's end is exclusive.
        cutoff = query.as_of + timedelta(microseconds=1)
        end = cutoff if end is None else min(end, cutoff)
    return start, end
