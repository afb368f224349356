"""An operator's changes to a user's memory, each one kept twice: in the memory's history (actor
``admin``) and in the audit log (which admin, from which key).

The history is written by the semantic service in the change's own transaction; the audit event
follows in its own, right after the change landed, so it never records a change that failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from memory_service.domain import EpisodesForgotten, UserDeletion
from memory_service.layers.semantic.domain import Memory, MemoryEdit
from memory_service.runtime import Runtime
from memory_service.security import audit
from memory_service.security.principal import Principal

MEMORY_UPDATED = "memory.update"
MEMORY_INVALIDATED = "memory.invalidate"
MEMORY_DELETED = "memory.delete"
USER_FORGOTTEN = "user.forget"
SESSION_FORGOTTEN = "session.forget"


@dataclass(frozen=True)
class MemoryActions:
    runtime: Runtime
    principal: Principal
    namespace: str

    def edit(self, memory_id: str, edit: MemoryEdit) -> Memory:
        memory = self.runtime.semantic.update(self.namespace, memory_id, edit, actor="admin")
        self._audit(MEMORY_UPDATED, memory_id, {"user_id": memory.user_id, "fields": sorted(edit.fields)})
        return memory

    def invalidate(self, memory_id: str) -> Memory:
        """No longer true from now on: the memory moves to the past, with its history."""
        edit = MemoryEdit(invalid_at=datetime.now(UTC), fields=frozenset({"invalid_at"}))
        memory = self.runtime.semantic.update(self.namespace, memory_id, edit, actor="admin")
        self._audit(MEMORY_INVALIDATED, memory_id, {"user_id": memory.user_id})
        return memory

    def delete(self, memory_id: str) -> Memory:
        memory = self.runtime.semantic.delete(self.namespace, memory_id, actor="admin")
        self._audit(MEMORY_DELETED, memory_id, {"user_id": memory.user_id})
        return memory

    def bulk(self, action: str, memory_ids: Sequence[str]) -> list[Memory]:
        """``invalidate`` or ``delete`` each memory, in order; stops at the first that fails."""
        if action == "invalidate":
            return [self.invalidate(memory_id) for memory_id in memory_ids]
        return [self.delete(memory_id) for memory_id in memory_ids]

    def forget_user(self, user_id: str) -> UserDeletion:
        deletion = self.runtime.users.delete_user(self.namespace, user_id)
        self._audit(USER_FORGOTTEN, user_id, {"sessions": deletion.sessions, "episodes": deletion.episodes})
        return deletion

    def forget_session(self, session_id: str) -> EpisodesForgotten:
        """The conversation and what was learned only from it (see :mod:`memory_service.forgetting`)."""
        forgotten = self.runtime.forgetting.delete_session(self.namespace, session_id)
        details = {
            "episodes": forgotten.episodes,
            "memories_removed": forgotten.memories_removed,
            "memories_pruned": forgotten.memories_pruned,
            "relations_removed": forgotten.relations_removed,
            "relations_pruned": forgotten.relations_pruned,
        }
        self._audit(SESSION_FORGOTTEN, session_id, details)
        return forgotten

    def _audit(self, action: str, target: str, details: dict[str, Any]) -> None:
        with self.runtime.db.write() as session:
            audit.record(
                session, self.principal.actor, action, target=target, namespace=self.namespace, details=details
            )
