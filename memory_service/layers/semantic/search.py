"""The semantic layer's ranking, and the retrievals that reinforce what it returned."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from memory_service.domain import Layer, SearchHit
from memory_service.layers.base import LayerQuery, QueryVector, SearchPartition
from memory_service.layers.semantic import repository as semantic_repo
from memory_service.layers.semantic.domain import memory_public_id, parse_memory_id
from memory_service.layers.semantic.index import IndexedMemory, SemanticIndexes
from memory_service.layers.semantic.strength import decayed
from memory_service.store.database import Database
from memory_service.store.tables import MemoryRow
from retrieval.fusion import reciprocal_rank_fusion

log = logging.getLogger(__name__)


class SemanticSearcher:
    """Ranks a partition's memories by fused dense and BM25 rankings, weighed by memory strength."""

    layer: Layer = "semantic"

    def __init__(self, db: Database, indexes: SemanticIndexes) -> None:
        self.db = db
        self.indexes = indexes

    def search(self, partition: SearchPartition, query: LayerQuery, query_vector: QueryVector) -> list[SearchHit]:
        """The user's memories by the recipe's fused dense + BM25 rankings, best first.

        Without ``as_of`` only current (active) memories count; with it, memory as it stood
        then: those already learned and valid at that moment, invalidated ones included.
        ``time_range`` keeps memories whose validity [valid_at (else created_at), invalid_at)
        overlaps it; ``session_ids`` and ``roles`` keep memories with a source episode in one of
        the sessions, and one with one of the roles (each tested on its own), so a memory added
        directly passes neither. Scores are
        reciprocal-rank fusion scores (higher is better), scaled by forgetting-curve strength
        when the recipe turns decay on.
        """
        request, config, depth = query.request, query.config, query.depth
        as_of, time_range, session_ids, roles = request.as_of, request.time_range, request.session_ids, request.roles
        user_pk = partition.partition.user_pk
        loaded = self.indexes.get(user_pk)
        facts = loaded.facts
        if as_of is not None:
            allowed = {pk for pk, fact in facts.items() if fact.stood_at(as_of)}
        else:
            allowed = {pk for pk, fact in facts.items() if fact.status == "active"}
        if time_range is not None:
            allowed = {pk for pk in allowed if facts[pk].overlaps(time_range)}
        if allowed and (session_ids is not None or roles is not None):
            allowed = self._from_sources(user_pk, {pk: facts[pk] for pk in allowed}, session_ids, roles)
        if not allowed:
            return []
        rankings: list[list[int]] = []
        weights: list[float] = []
        vector = query_vector.get() if config.dense else None
        if vector is not None:
            rankings.append(loaded.dense(vector, depth, allowed))
            weights.append(config.dense_weight)
        if config.lexical:
            rankings.append([pk for pk, _ in loaded.lexical.search(query.text, depth, allowed)])
            weights.append(config.lexical_weight)
        fused = reciprocal_rank_fusion(rankings, weights, k=config.rrf_k)
        if config.semantic_decay_weight > 0:
            fused = sorted(
                (
                    (
                        pk,
                        decayed(
                            score,
                            facts[pk].strength(query.now, config.semantic_strength_days),
                            config.semantic_decay_weight,
                        ),
                    )
                    for pk, score in fused
                ),
                key=lambda pair: pair[1],
                reverse=True,
            )
        fused = fused[:depth]
        with self.db.read() as db:
            rows = semantic_repo.memories_by_pk(db, [pk for pk, _ in fused])
        return [_hit(rows[pk], score) for pk, score in fused if pk in rows and rows[pk].status != "deleted"]

    def record_retrievals(
        self, user_pk: int, hits: Sequence[SearchHit], now: datetime, as_of: datetime | None = None
    ) -> None:
        """Count each semantic hit handed to the caller as one retrieval at ``now``.

        Retrieval reinforces a memory on the forgetting curve, so only what the caller got
        counts. A look at the past (``as_of``) recalls nothing now and counts nothing. A failure
        to count is logged, not raised: the search has already been answered.
        """
        if as_of is not None:
            return
        pks = sorted({pk for hit in hits if hit.layer == "semantic" and (pk := parse_memory_id(hit.id)) is not None})
        if not pks:
            return
        try:
            with self.db.write() as db:
                semantic_repo.record_accesses(db, user_pk, pks, now)
        except SQLAlchemyError:
            log.warning("could not count the retrieval of %d memories of user %d", len(pks), user_pk, exc_info=True)
            return
        self.indexes.note_accessed(user_pk, pks, now)

    def _from_sources(
        self,
        user_pk: int,
        facts: Mapping[int, IndexedMemory],
        session_ids: Collection[str] | None,
        roles: Collection[str] | None,
    ) -> set[int]:
        """Those of ``facts`` with a source episode in one of the sessions and one of the roles."""
        sources = {pk for fact in facts.values() for pk in fact.sources}
        with self.db.read() as db:
            origins = semantic_repo.episode_origins(db, user_pk, sources)

        def passes(fact: IndexedMemory) -> bool:
            found = [origins[pk] for pk in fact.sources if pk in origins]
            return (session_ids is None or any(session in session_ids for session, _ in found)) and (
                roles is None or any(role in roles for _, role in found)
            )

        return {pk for pk, fact in facts.items() if passes(fact)}


def _hit(row: MemoryRow, score: float) -> SearchHit:
    return SearchHit(
        id=memory_public_id(row.id),
        layer="semantic",
        text=row.text,
        score=score,
        valid_at=row.valid_at,
        invalid_at=row.invalid_at,
        provenance=tuple(row.source_episode_ids or ()),
        metadata={
            "version": row.version,
            "status": row.status,
            "subject": row.subject,
            "attribute": row.attribute,
            "kind": row.kind,
            "reinforcements": row.reinforcements,
            "memory_metadata": dict(row.metadata_ or {}),
        },
    )
