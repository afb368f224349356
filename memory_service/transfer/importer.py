"""Import: a whole export file, checked first, then written in one transaction (all or nothing).

Primary keys are the target store's own; every public id a record names (provenance, lineage,
history, graph ends) is rewritten to the new rows. Vectors come from the file when it was
exported with the target's model, else from the target's embedding cache, computed before the
transaction so a model failure leaves the store untouched. The partition revisions are bumped, so
every index rebuilds from the store on its next use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from memory_service.domain import episode_public_id
from memory_service.errors import ConflictError, InvalidInputError
from memory_service.layers.semantic import repository as semantic_repo
from memory_service.layers.semantic.domain import memory_public_id
from memory_service.layers.temporal import repository as graph_repo
from memory_service.layers.temporal.domain import ENTITY_ID_PREFIX, parse_graph_id
from memory_service.store import partitions as partition_store
from memory_service.store import vectors as vector_store
from memory_service.store.partitions import Partition
from memory_service.store.tables import (
    EpisodeRow,
    GraphEntityRow,
    GraphRelationRow,
    MemoryHistoryRow,
    MemoryRow,
    SessionRow,
    UserRow,
)
from memory_service.transfer.embedding import ImportVectors, import_vectors
from memory_service.transfer.reading import ParsedFile, UserBundle, read_lines

if TYPE_CHECKING:
    from memory_service.runtime import Runtime

OnConflict = Literal["skip", "overwrite", "new-ids"]
ON_CONFLICT: tuple[OnConflict, ...] = ("skip", "overwrite", "new-ids")
RENAMED_SUFFIX = "-imported"
"""What ``new-ids`` appends to a user or session id already taken in the target namespace."""
MAX_ID = 128


@dataclass
class ImportReport:
    """What an import did: per user, and how many rows of each kind it wrote."""

    namespace: str
    imported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    overwritten: list[str] = field(default_factory=list)
    renamed_users: dict[str, str] = field(default_factory=dict)
    renamed_sessions: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "namespace": self.namespace,
            "imported": self.imported,
            "skipped": self.skipped,
            "overwritten": self.overwritten,
            "renamed_users": self.renamed_users,
            "renamed_sessions": self.renamed_sessions,
            "counts": self.counts,
        }


def import_file(
    runtime: Runtime,
    path: str | Path,
    *,
    on_conflict: OnConflict = "skip",
    remap_namespace: dict[str, str] | None = None,
    namespace: str | None = None,
) -> ImportReport:
    """Import the export file at ``path``; see :func:`import_lines`."""
    with Path(path).open(encoding="utf-8", newline="") as lines:
        return import_lines(
            runtime, lines, on_conflict=on_conflict, remap_namespace=remap_namespace, namespace=namespace
        )


def import_lines(
    runtime: Runtime,
    lines: Iterable[str],
    *,
    on_conflict: OnConflict = "skip",
    remap_namespace: dict[str, str] | None = None,
    namespace: str | None = None,
) -> ImportReport:
    """Import the lines of an export file (each with its newline).

    The target namespace is ``namespace`` when given, else the file's namespace through
    ``remap_namespace``. A user already in it is skipped (``skip``), forgotten first
    (``overwrite``) or imported under its id with ``-imported`` appended (``new-ids``, which also
    renames sessions whose ids are taken in the namespace).
    """
    if on_conflict not in ON_CONFLICT:
        raise InvalidInputError(f"on_conflict must be one of {', '.join(ON_CONFLICT)}, not {on_conflict!r}")
    parsed = read_lines(lines)
    source = parsed.header.scope.namespace
    target = namespace or (remap_namespace or {}).get(source, source)
    report = ImportReport(namespace=target)
    with runtime.db.read() as db:
        namespace_id = partition_store.find_namespace(db, target)
        existing = _existing_users(db, namespace_id, [b.user.id for b in parsed.users])
    bundles = [b for b in parsed.users if not (on_conflict == "skip" and b.user.id in existing)]
    report.skipped = [b.user.id for b in parsed.users if on_conflict == "skip" and b.user.id in existing]
    vectors = import_vectors(runtime, parsed, bundles)
    dropped: list[Partition] = []
    with runtime.db.write() as db:
        namespace_id = partition_store.get_or_create_namespace(db, target)
        if existing != _existing_users(db, namespace_id, [b.user.id for b in parsed.users]):
            raise ConflictError("the target namespace's users changed while the file was read; import again")
        for bundle in bundles:
            external = bundle.user.id
            if external in existing and on_conflict == "overwrite":
                dropped.append(_forget(db, namespace_id, external))
                report.overwritten.append(external)
            elif external in existing:
                external = _free_id(db, namespace_id, UserRow, external)
                report.renamed_users[bundle.user.id] = external
            _Writer(db, namespace_id, on_conflict, report, runtime).write(bundle, external, parsed, vectors)
            report.imported.append(external)
        vector_store.store_vectors(db, runtime.embedder.name, vectors.texts)
    for partition in dropped:
        runtime.indexes.drop(partition)
        runtime.semantic.indexes.drop(partition.user_pk)
        runtime.graph.forget(partition.user_pk)
    return report


class _Writer:
    """Writes one user's records, mapping the file's public ids to the new rows' ids."""

    def __init__(self, db: Session, namespace_id: int, on_conflict: OnConflict, report: ImportReport, runtime: Runtime):
        self.db = db
        self.namespace_id = namespace_id
        self.on_conflict = on_conflict
        self.report = report
        self.embed_names = runtime.graph.embed_names
        self.ids: dict[str, str] = {}

    def write(self, bundle: UserBundle, external: str, parsed: ParsedFile, vectors: ImportVectors) -> None:
        db = self.db
        user = UserRow(namespace_id=self.namespace_id, external_id=external, created_at=bundle.user.created_at)
        user.revision = 0
        db.add(user)
        db.flush()
        sessions = {record.id: self._session(number, record, user.id) for number, record in bundle.sessions}
        db.flush()
        episodes = [
            EpisodeRow(
                user_id=user.id,
                session_id=sessions[r.session_id].id,
                agent_id=r.agent_id,
                role=r.role,
                content=r.content,
                content_hash=vector_store.content_hash(r.content),
                position=r.position,
                occurred_at=r.occurred_at,
                created_at=r.created_at,
                metadata_=dict(r.metadata),
            )
            for _, r in bundle.episodes
        ]
        db.add_all(episodes)
        db.flush()
        self.ids.update(
            (r.id, episode_public_id(row.id)) for (_, r), row in zip(bundle.episodes, episodes, strict=True)
        )
        memories = [self._memory(r, user.id) for _, r in bundle.memories]
        db.add_all(memories)
        db.flush()
        self.ids.update((r.id, memory_public_id(row.id)) for (_, r), row in zip(bundle.memories, memories, strict=True))
        for (_, r), row in zip(bundle.memories, memories, strict=True):
            row.lineage_id = _pk(self.ids[r.lineage_id]) if r.lineage_id is not None else None
        db.add_all(self._history(bundle, user.id))
        self._graph(bundle, user.id, vectors)
        db.flush()
        partition_store.bump_revision(db, user.id)
        semantic_repo.bump_revision(db, user.id)
        graph_repo.bump_revision(db, user.id)
        counts = self.report.counts
        for kind, rows in (
            ("users", [bundle.user]),
            ("sessions", bundle.sessions),
            ("episodes", bundle.episodes),
            ("memories", bundle.memories),
            ("memory_history", bundle.history),
            ("entities", bundle.entities),
            ("relations", bundle.relations),
        ):
            counts[kind] = counts.get(kind, 0) + len(rows)

    def _session(self, number: int, record: Any, user_pk: int) -> SessionRow:
        external = record.id
        taken = self.db.scalar(
            select(SessionRow.id).where(
                SessionRow.namespace_id == self.namespace_id, SessionRow.external_id == external
            )
        )
        if taken is not None and self.on_conflict != "new-ids":
            raise ConflictError(
                f"line {number}: session {external!r} belongs to another user of the target namespace; "
                "import with on_conflict new-ids to rename it",
                details={"line": number, "session_id": external},
            )
        if taken is not None:
            external = _free_id(self.db, self.namespace_id, SessionRow, external)
            self.report.renamed_sessions[record.id] = external
        row = SessionRow(
            namespace_id=self.namespace_id,
            user_id=user_pk,
            external_id=external,
            agent_id=record.agent_id,
            created_at=record.created_at,
            message_count=record.message_count,
            first_occurred_at=record.first_occurred_at,
            last_occurred_at=record.last_occurred_at,
        )
        self.db.add(row)
        return row

    def _memory(self, r: Any, user_pk: int) -> MemoryRow:
        return MemoryRow(
            user_id=user_pk,
            lineage_id=None,
            subject=r.subject,
            attribute=r.attribute,
            text=r.text,
            kind=r.memory_kind,
            status=r.status,
            valid_at=r.valid_at,
            invalid_at=r.invalid_at,
            created_at=r.created_at,
            updated_at=r.updated_at,
            version=r.version,
            confidence=r.confidence,
            importance=r.importance,
            reinforcements=r.reinforcements,
            last_reinforced_at=r.last_reinforced_at,
            accesses=r.accesses,
            last_accessed_at=r.last_accessed_at,
            source_episode_ids=self._map(r.source_episode_ids),
            invalidated_by=self._map(r.invalidated_by),
            metadata_=dict(r.metadata),
            content_hash=vector_store.content_hash(r.text),
        )

    def _history(self, bundle: UserBundle, user_pk: int) -> list[MemoryHistoryRow]:
        return [
            MemoryHistoryRow(
                memory_id=_pk(self.ids[r.memory_id]),
                version=r.version,
                event=r.event,
                old_text=r.old_text,
                new_text=r.new_text,
                actor=r.actor,
                episode_ids=self._map(r.episode_ids),
                at=r.at,
                details=self._map_json(r.details),
            )
            for _, r in bundle.history
        ]

    def _graph(self, bundle: UserBundle, user_pk: int, vectors: ImportVectors) -> None:
        for _, entity in bundle.entities:
            vector = vectors.names.get(entity.name) if (entity.embedding is not None or self.embed_names) else None
            self.db.add(
                GraphEntityRow(
                    user_id=user_pk,
                    id=_local(entity.id),
                    name=entity.name,
                    normalized_name=entity.normalized_name,
                    type=entity.type,
                    summary=entity.summary,
                    aliases=list(entity.aliases),
                    embedding=np.asarray(vector, dtype=np.float32).tobytes() if vector is not None else None,
                )
            )
        self.db.flush()
        for _, relation in bundle.relations:
            self.db.add(
                GraphRelationRow(
                    user_id=user_pk,
                    id=_local(relation.id),
                    source_id=_local(relation.source_id),
                    target_id=_local(relation.target_id),
                    predicate=relation.predicate,
                    fact=relation.fact,
                    valid_at=relation.valid_at,
                    invalid_at=relation.invalid_at,
                    created_at=relation.created_at,
                    expired_at=relation.expired_at,
                    episode_ids=self._map(relation.episode_ids),
                    ended_by=self._map(relation.ended_by),
                )
            )

    def _map(self, public_ids: list[str]) -> list[str]:
        return [self.ids.get(public_id, public_id) for public_id in public_ids]

    def _map_json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.ids.get(value, value)
        if isinstance(value, dict):
            return {key: self._map_json(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self._map_json(item) for item in value]
        return value


def _existing_users(db: Session, namespace_id: int | None, external_ids: list[str]) -> set[str]:
    if namespace_id is None or not external_ids:
        return set()
    found: set[str] = set()
    for chunk in vector_store.chunks(external_ids):
        found.update(
            db.scalars(
                select(UserRow.external_id).where(UserRow.namespace_id == namespace_id, UserRow.external_id.in_(chunk))
            )
        )
    return found


def _forget(db: Session, namespace_id: int, external_id: str) -> Partition:
    """Forget a user as ``UserService.delete_user`` does, inside the import's transaction."""
    row = partition_store.find_user(db, namespace_id, external_id)
    assert row is not None
    partition = Partition(namespace_id, row.id)
    semantic_repo.delete_memory_vectors(db, row.id)
    partition_store.delete_user(db, row)
    db.flush()
    return partition


def _free_id(db: Session, namespace_id: int, table: type[UserRow] | type[SessionRow], base: str) -> str:
    """``base`` with ``-imported`` (then ``-imported-2``, ...) appended: the first id free in the namespace."""
    attempt = 1
    while True:
        suffix = RENAMED_SUFFIX if attempt == 1 else f"{RENAMED_SUFFIX}-{attempt}"
        candidate = base[: MAX_ID - len(suffix)] + suffix
        taken = db.scalar(select(table.id).where(table.namespace_id == namespace_id, table.external_id == candidate))
        if taken is None:
            return candidate
        attempt += 1


def _pk(public_id: str) -> int:
    return int(public_id.rsplit("_", 1)[1])


def _local(public_id: str) -> int:
    parsed = parse_graph_id(ENTITY_ID_PREFIX, public_id) or parse_graph_id("rel_", public_id)
    assert parsed is not None  # the file's ids were checked when it was read
    return parsed[1]
