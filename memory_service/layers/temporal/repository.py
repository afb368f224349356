"""SQL of the temporal graph. Callers own the transaction (``Database.read/write``).

Rows cross this boundary as :mod:`graph.rows` dicts, so the graph library never sees SQL and
the store never sees the graph's model.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from graph.rows import ENTITY_COLUMNS, RELATION_COLUMNS, Row
from graph.validity import DEFAULT_FUNCTIONAL_PREDICATES
from memory_service.store.tables import GraphEntityRow, GraphRelationRow, GraphRevisionRow, UserRow


def _insert(db: Session) -> Any:
    return postgresql_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert


def bump_revision(db: Session, user_pk: int) -> None:
    """Count one more change of the user's graph (cached graphs compare it)."""
    statement = _insert(db)(GraphRevisionRow).values(user_id=user_pk, revision=1)
    db.execute(
        statement.on_conflict_do_update(
            index_elements=[GraphRevisionRow.user_id], set_={"revision": GraphRevisionRow.revision + 1}
        )
    )


def lock_user(db: Session, user_pk: int) -> None:
    """Serialize graph writes of one user across processes (SQLite's writers are serialized anyway)."""
    db.execute(select(UserRow.id).where(UserRow.id == user_pk).with_for_update())


def user_in_namespace(db: Session, namespace_id: int, user_pk: int) -> bool:
    found = db.scalar(select(UserRow.id).where(UserRow.id == user_pk, UserRow.namespace_id == namespace_id))
    return found is not None


def revision(db: Session, user_pk: int) -> int:
    return db.scalar(select(GraphRevisionRow.revision).where(GraphRevisionRow.user_id == user_pk)) or 0


def load(db: Session, user_pk: int) -> tuple[list[Row], list[Row]]:
    """Every entity and relation row of the user's graph, by id."""
    entities = db.scalars(
        select(GraphEntityRow).where(GraphEntityRow.user_id == user_pk).order_by(GraphEntityRow.id)
    ).all()
    relations = db.scalars(
        select(GraphRelationRow).where(GraphRelationRow.user_id == user_pk).order_by(GraphRelationRow.id)
    ).all()
    return [_entity_row(e) for e in entities], [_relation_row(r) for r in relations]


def upsert(db: Session, user_pk: int, entity_rows: Sequence[Row], relation_rows: Sequence[Row]) -> None:
    """Write the given rows as they are now: insert new ids, overwrite known ones."""
    insert = _insert(db)
    for table, rows, columns in (
        (GraphEntityRow, [_entity_values(r) for r in entity_rows], ENTITY_COLUMNS),
        (GraphRelationRow, [dict(r) for r in relation_rows], RELATION_COLUMNS),
    ):
        if not rows:
            continue
        statement = insert(table).values([{"user_id": user_pk, **row} for row in rows])
        updated = {c: statement.excluded[c] for c in columns if c != "id"}
        db.execute(statement.on_conflict_do_update(index_elements=["user_id", "id"], set_=updated))


def list_entities(db: Session, user_pk: int, after: int | None, limit: int) -> list[Row]:
    query = select(GraphEntityRow).where(GraphEntityRow.user_id == user_pk)
    if after is not None:
        query = query.where(GraphEntityRow.id > after)
    return [_entity_row(e) for e in db.scalars(query.order_by(GraphEntityRow.id).limit(limit)).all()]


def _entity_values(row: Row) -> Row:
    values = dict(row)
    embedding = values.get("embedding")
    values["embedding"] = np.asarray(embedding, dtype=np.float32).tobytes() if embedding is not None else None
    return values


def _entity_row(row: GraphEntityRow) -> Row:
    embedding = np.frombuffer(row.embedding, dtype=np.float32).tolist() if row.embedding is not None else None
    return {
        "id": row.id,
        "name": row.name,
        "normalized_name": row.normalized_name,
        "type": row.type,
        "summary": row.summary,
        "aliases": list(row.aliases or ()),
        "embedding": embedding,
    }


def _relation_row(row: GraphRelationRow) -> Row:
    return {column: getattr(row, column) for column in RELATION_COLUMNS} | {
        "episode_ids": list(row.episode_ids or ()),
        "ended_by": list(row.ended_by or ()),
    }


@dataclass(frozen=True)
class GraphForgetting:
    """What forgetting some episodes did to one user's graph."""

    removed: int = 0
    pruned: int = 0
    restored: int = 0
    """Relations that only forgotten episodes had ended, current again."""


def forget_sources(db: Session, user_pk: int, episode_ids: Collection[str]) -> GraphForgetting:
    """Remove the user's relations drawn only from ``episode_ids`` (public episode ids), with the
    entities they leave unconnected, and take those ids out of the other relations' provenance.

    A relation that only those episodes had ended stands again ("I moved to Lisbon", forgotten,
    leaves the user living in Porto), unless its predicate holds one value and another current
    relation of its source still gives one. Bumps the graph revision when anything changed.
    """
    gone = set(episode_ids)
    rows = db.scalars(select(GraphRelationRow).where(GraphRelationRow.user_id == user_pk)).all()
    removed: list[GraphRelationRow] = []
    kept_rows: list[GraphRelationRow] = []
    ended_by_forgotten: list[GraphRelationRow] = []
    pruned = 0
    for row in rows:
        sources = list(row.episode_ids or ())
        if not gone.isdisjoint(sources):
            kept = [s for s in sources if s not in gone]
            if not kept:
                removed.append(row)
                continue
            row.episode_ids = kept
            pruned += 1
        kept_rows.append(row)
        enders = list(row.ended_by or ())
        if not gone.isdisjoint(enders):
            row.ended_by = [e for e in enders if e not in gone]
            if not row.ended_by and row.invalid_at is not None and row.expired_at is not None:
                ended_by_forgotten.append(row)
    restored = _restore(kept_rows, ended_by_forgotten)
    ends = {end for row in removed for end in (row.source_id, row.target_id)}
    for row in removed:
        db.delete(row)
    db.flush()
    if ends:
        connected = set(
            db.scalars(
                select(GraphRelationRow.source_id)
                .where(GraphRelationRow.user_id == user_pk)
                .union(select(GraphRelationRow.target_id).where(GraphRelationRow.user_id == user_pk))
            ).all()
        )
        alone = sorted(ends - connected)
        if alone:
            db.execute(delete(GraphEntityRow).where(GraphEntityRow.user_id == user_pk, GraphEntityRow.id.in_(alone)))
    if removed or pruned or restored or ended_by_forgotten:
        bump_revision(db, user_pk)
    return GraphForgetting(len(removed), pruned, restored)


def _restore(kept: Sequence[GraphRelationRow], ended: Sequence[GraphRelationRow]) -> int:
    """Make current again the ended relations no remaining current relation replaces."""
    holding = {(r.source_id, r.predicate) for r in kept if r.invalid_at is None and r.expired_at is None}
    restored = 0
    for row in sorted(ended, key=lambda r: (r.invalid_at, r.id), reverse=True):  # the latest ended first
        slot = (row.source_id, row.predicate)
        if row.predicate in DEFAULT_FUNCTIONAL_PREDICATES and slot in holding:
            continue
        row.invalid_at, row.expired_at = None, None
        holding.add(slot)
        restored += 1
    return restored
