"""Cached embedding vectors, keyed by model and content hash, shared by every layer.

Callers own the transaction (``Database.read/write``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from memory_service.store.tables import EmbeddingRow, EpisodeRow, MemoryRow, utcnow


def content_hash(text: str) -> str:
    """The key of a text's vector: the same text is embedded once, whoever stores it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_vectors(db: Session, model: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
    found: dict[str, np.ndarray] = {}
    for chunk in chunks(list(set(hashes))):
        rows = db.execute(
            select(EmbeddingRow.content_hash, EmbeddingRow.vector).where(
                EmbeddingRow.model == model, EmbeddingRow.content_hash.in_(chunk)
            )
        ).all()
        for digest, blob in rows:
            found[digest] = np.frombuffer(blob, dtype=np.float32)
    return found


def partition_episode_vectors(db: Session, model: str, user_pk: int) -> dict[int, np.ndarray]:
    """The stored vector of each of a user's episodes that has one, by episode id.

    One join on the episodes' content hashes: rebuilding a partition's index on a replica that
    never loaded it reads its vectors in one statement, with no list of hashes sent over.
    """
    rows = db.execute(
        select(EpisodeRow.id, EmbeddingRow.vector)
        .join(
            EmbeddingRow,
            (EmbeddingRow.content_hash == EpisodeRow.content_hash) & (EmbeddingRow.model == model),
        )
        .where(EpisodeRow.user_id == user_pk)
    ).all()
    return {pk: np.frombuffer(blob, dtype=np.float32) for pk, blob in rows}


def store_vectors(db: Session, model: str, vectors: dict[str, np.ndarray]) -> None:
    """Cache vectors; one that a concurrent writer cached first is left as it is."""
    if not vectors:
        return
    rows = [
        {
            "model": model,
            "content_hash": digest,
            "dim": int(vector.shape[0]),
            "vector": np.ascontiguousarray(vector, dtype=np.float32).tobytes(),
            "created_at": utcnow(),
        }
        for digest, vector in vectors.items()
    ]
    insert = postgresql_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.execute(insert(EmbeddingRow).on_conflict_do_nothing(), rows)


def vector_models(db: Session) -> dict[str, tuple[int, int]]:
    """Every embedding model with cached vectors: name -> (dimension, vectors)."""
    rows = db.execute(
        select(EmbeddingRow.model, func.max(EmbeddingRow.dim), func.count()).group_by(EmbeddingRow.model)
    ).all()
    return {model: (int(dim), int(count)) for model, dim, count in rows}


def texts_without_vectors(db: Session, model: str, batch: int) -> list[tuple[str, str]]:
    """Up to ``batch`` distinct (content hash, text) of episodes that have no vector of ``model``."""
    missing = (
        select(EpisodeRow.content_hash, func.min(EpisodeRow.content))
        .outerjoin(
            EmbeddingRow,
            (EmbeddingRow.model == model) & (EmbeddingRow.content_hash == EpisodeRow.content_hash),
        )
        .where(EmbeddingRow.content_hash.is_(None))
        .group_by(EpisodeRow.content_hash)
        .limit(batch)
    )
    return [(digest, text) for digest, text in db.execute(missing).all()]


def count_texts_without_vectors(db: Session, model: str) -> int:
    missing = (
        select(func.count(func.distinct(EpisodeRow.content_hash)))
        .outerjoin(
            EmbeddingRow,
            (EmbeddingRow.model == model) & (EmbeddingRow.content_hash == EpisodeRow.content_hash),
        )
        .where(EmbeddingRow.content_hash.is_(None))
    )
    return int(db.scalar(missing) or 0)


def delete_vectors_of_other_models(db: Session, model: str) -> int:
    return len(db.execute(delete(EmbeddingRow).where(EmbeddingRow.model != model).returning(EmbeddingRow.model)).all())


def delete_unused(db: Session, hashes: Iterable[str]) -> int:
    """Drop the cached vectors of ``hashes`` that no episode or memory of anyone holds any more:
    a forgotten text leaves no vector of itself behind."""
    wanted = list(set(hashes))
    used: set[str] = set()
    for chunk in chunks(wanted):
        used.update(db.scalars(select(EpisodeRow.content_hash).where(EpisodeRow.content_hash.in_(chunk))))
        used.update(db.scalars(select(MemoryRow.content_hash).where(MemoryRow.content_hash.in_(chunk))))
    removed = 0
    for chunk in chunks([h for h in wanted if h not in used]):
        removed += len(
            db.execute(
                delete(EmbeddingRow).where(EmbeddingRow.content_hash.in_(chunk)).returning(EmbeddingRow.model)
            ).all()
        )
    return removed


def chunks(items: list[str], size: int = 900) -> Iterator[list[str]]:
    """Slices small enough for any backend's limit on bound parameters."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
