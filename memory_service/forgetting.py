"""Forgetting a conversation or one message, and what the service learned only from it.

The episodes go; semantic memories and graph relations drawn only from them go too, those with
other sources keep them and lose the forgotten ids from their provenance; queued extraction of
the episodes is dropped and their cached vectors follow. One transaction holds all of it, and
every layer's cached state of the partition is dropped once it commits, so the next read,
search included, is rebuilt from what the store holds now.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from memory_service.domain import EpisodesForgotten, episode_public_id, parse_episode_id
from memory_service.errors import NotFoundError
from memory_service.layers.episodic import repository as episodic_repo
from memory_service.layers.episodic.index import IndexManager
from memory_service.layers.semantic import repository as semantic_repo
from memory_service.layers.semantic.index import SemanticIndexes
from memory_service.layers.semantic.provenance import forget_sources as forget_memory_sources
from memory_service.layers.temporal import repository as graph_repo
from memory_service.layers.temporal.service import GraphService
from memory_service.store import partitions as partition_store
from memory_service.store import vectors as vector_store
from memory_service.store.database import Database
from memory_service.store.partitions import Partition
from memory_service.store.tables import EpisodeRow, ExtractionTaskRow, SessionRow


class ForgettingService:
    """Removes sessions and episodes from the store and every layer, with what came only from them."""

    def __init__(self, db: Database, indexes: IndexManager, semantic: SemanticIndexes, graph: GraphService) -> None:
        self.db = db
        self.indexes = indexes
        self.semantic = semantic
        self.graph = graph

    def delete_session(self, namespace: str, session_id: str) -> EpisodesForgotten:
        """Forget the session and every message in it."""
        with self.db.read() as db:
            session = self._session(db, namespace, session_id)
            partition = Partition(session.namespace_id, session.user_id)
        with self.indexes.writing(partition), self.db.write() as db:
            semantic_repo.lock_user(db, partition.user_pk)
            session = self._session(db, namespace, session_id)
            pks = episodic_repo.session_episode_pks(db, session)
            forgotten = self._forget(db, partition, pks, session_id)
            db.delete(session)
        self._drop_cached(partition)
        return forgotten

    def delete_episode(self, namespace: str, episode_id: str) -> EpisodesForgotten:
        """Forget one message; its session stays with the others."""
        pk = parse_episode_id(episode_id)
        with self.db.read() as db:
            session = self._episode_session(db, namespace, episode_id, pk)
            partition = Partition(session.namespace_id, session.user_id)
        with self.indexes.writing(partition), self.db.write() as db:
            semantic_repo.lock_user(db, partition.user_pk)
            session = self._episode_session(db, namespace, episode_id, pk)
            forgotten = self._forget(db, partition, [pk] if pk is not None else [], session.external_id)
            episodic_repo.refresh_session_summary(db, session)
        self._drop_cached(partition)
        return forgotten

    def _forget(self, db: Session, partition: Partition, pks: Sequence[int], session_id: str) -> EpisodesForgotten:
        ids = [episode_public_id(pk) for pk in pks]
        memories = forget_memory_sources(db, partition.user_pk, ids)
        relations = graph_repo.forget_sources(db, partition.user_pk, ids)
        _drop_queued(db, partition.user_pk, set(pks))
        hashes = episodic_repo.delete_episodes(db, pks) | memories.hashes
        db.flush()
        vector_store.delete_unused(db, hashes)
        partition_store.bump_revision(db, partition.user_pk)
        return EpisodesForgotten(
            session_id=session_id,
            episode_ids=tuple(ids),
            memories_removed=memories.removed,
            memories_pruned=memories.pruned,
            relations_removed=relations.removed,
            relations_pruned=relations.pruned,
        )

    def _drop_cached(self, partition: Partition) -> None:
        """Every layer's cached state of the partition, memory and disk: rebuilt from the store on
        next use, so no index still holds a vector or a term of what was forgotten; and the store's
        own files scrubbed of the deleted rows."""
        self.indexes.drop(partition)
        self.semantic.drop(partition.user_pk)
        self.graph.forget(partition.user_pk)
        self.db.scrub()

    @staticmethod
    def _session(db: Session, namespace: str, session_id: str) -> SessionRow:
        namespace_id = partition_store.find_namespace(db, namespace)
        session = episodic_repo.find_session(db, namespace_id, session_id) if namespace_id is not None else None
        if session is None:
            raise NotFoundError(f"session {session_id!r} not found", details={"session_id": session_id})
        return session

    @staticmethod
    def _episode_session(db: Session, namespace: str, episode_id: str, pk: int | None) -> SessionRow:
        namespace_id = partition_store.find_namespace(db, namespace)
        episode = episodic_repo.find_episode(db, namespace_id, pk) if namespace_id is not None and pk else None
        session = db.get(SessionRow, episode.session_id) if episode is not None else None
        if session is None:
            raise NotFoundError(f"episode {episode_id!r} not found", details={"episode_id": episode_id})
        return session


def _drop_queued(db: Session, user_pk: int, pks: set[int]) -> None:
    """Take the episodes out of the user's extraction tasks, so none reads them after they are gone;
    a task left with nothing to read goes."""
    tasks = db.scalars(select(ExtractionTaskRow).where(ExtractionTaskRow.user_id == user_pk)).all()
    for task in tasks:
        queued = list(task.episode_ids or ())
        if pks.isdisjoint(queued):
            continue
        kept = [pk for pk in queued if pk not in pks]
        if kept:
            task.episode_ids = kept
        else:
            db.execute(delete(ExtractionTaskRow).where(ExtractionTaskRow.id == task.id))


def forget_vanished_sources(db: Session, user_pk: int, episode_pks: Collection[int]) -> bool:
    """What an extraction batch drew from episodes forgotten while it was being read, forgotten
    too, in the batch's own last transaction; True when there was any.

    Forgetting takes the user's lock that this transaction holds: it either committed before
    (its episodes are gone here, and this undoes what the batch wrote of them, graph included)
    or waits and finds the batch's memories and relations to remove itself.
    """
    wanted = sorted(set(episode_pks))
    alive = set(db.scalars(select(EpisodeRow.id).where(EpisodeRow.id.in_(wanted)))) if wanted else set()
    gone = [episode_public_id(pk) for pk in wanted if pk not in alive]
    if not gone:
        return False
    memories = forget_memory_sources(db, user_pk, gone)
    graph_repo.forget_sources(db, user_pk, gone)
    db.flush()
    vector_store.delete_unused(db, memories.hashes)
    return True
