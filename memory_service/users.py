"""Forgetting a user: their rows in every layer's tables and their state in every index, at once."""

from __future__ import annotations

from memory_service.domain import UserDeletion
from memory_service.errors import NotFoundError
from memory_service.layers.episodic.index import IndexManager
from memory_service.layers.semantic import repository as semantic_repo
from memory_service.layers.semantic.index import SemanticIndexes
from memory_service.layers.temporal.service import GraphService
from memory_service.store import partitions as partition_store
from memory_service.store.database import Database
from memory_service.store.partitions import Partition


class UserService:
    """Removes a user from the store and every layer's index; the one place that knows them all."""

    def __init__(
        self,
        db: Database,
        indexes: IndexManager,
        semantic: SemanticIndexes | None = None,
        graph: GraphService | None = None,
    ) -> None:
        self.db = db
        self.indexes = indexes
        self.semantic = semantic
        self.graph = graph

    def delete_user(self, namespace: str, user_id: str) -> UserDeletion:
        """Forget the user in the store and in every index."""
        with self.db.read() as db:
            user = partition_store.find_named_user(db, namespace, user_id)
            if user is None:
                raise _not_found(user_id)
            partition = Partition(user.namespace_id, user.id)
        with self.indexes.writing(partition), self.db.write() as db:
            row = partition_store.find_user(db, partition.namespace_id, user_id)
            if row is None:
                raise _not_found(user_id)
            # Cached vectors only this user's memories used; episodes' vectors go with the episodes.
            semantic_repo.delete_memory_vectors(db, row.id)
            # Memories, their history, extraction tasks and the graph go with the user (foreign-key cascade).
            sessions, episodes = partition_store.delete_user(db, row)
        self.indexes.drop(partition)
        self.db.scrub()
        if self.semantic is not None:
            self.semantic.drop(partition.user_pk)
        if self.graph is not None:
            self.graph.forget(partition.user_pk)
        return UserDeletion(user_id=user_id, sessions=sessions, episodes=episodes)


def _not_found(user_id: str) -> NotFoundError:
    return NotFoundError(f"user {user_id!r} not found", details={"user_id": user_id})
