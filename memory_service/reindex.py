"""Embedding model identity: refuse to serve a store embedded with another model, and re-embed it.

Every cached vector carries its model's name and dimension. Indexes built from vectors of two
models would compare numbers that mean different things, so a server whose configured model
has not embedded every stored text does not start; ``memory-service reindex`` embeds what is
missing with the configured model (resumable: finished batches are committed) and then lets
each partition's index rebuild from the store.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from memory_service.errors import UnavailableError
from memory_service.store import vectors as vector_store
from memory_service.store.database import Database
from retrieval.embedder import Embedder

log = logging.getLogger(__name__)


class EmbeddingModelMismatchError(UnavailableError):
    """The store holds texts the configured model has not embedded (the model was changed)."""

    code = "embedding_model_mismatch"


@dataclass(frozen=True)
class ReindexResult:
    embedded: int
    pruned: int


def check_model(db: Database, model: str) -> None:
    """Raise unless every stored text has a vector of the configured ``model``."""
    with db.read() as session:
        missing = vector_store.count_texts_without_vectors(session, model)
        if not missing:
            return
        models = vector_store.vector_models(session)
    others = ", ".join(f"{name} (dim {dim})" for name, (dim, _) in models.items() if name != model)
    raise EmbeddingModelMismatchError(
        f"{missing} stored text(s) have no vector of the configured embedding model {model!r}; the store was "
        f"embedded with {others or 'no model'}. Run `memory-service reindex` to re-embed them with the "
        "configured model, or configure the model the store was built with (MEMORY_EMBEDDING_MODEL).",
        details={"configured": model, "stored": sorted(models), "missing": missing},
    )


def reindex(
    db: Database,
    embedder: Embedder,
    index_dir: Path,
    *,
    batch: int = 256,
    prune: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ReindexResult:
    """Embed every stored text that lacks a vector of ``embedder``'s model, batch by batch.

    ``progress(done, total)`` is called after each committed batch. Persisted indexes are
    removed afterwards so that each partition rebuilds from the store on first use.
    ``prune`` deletes the vectors of every other model.
    """
    with db.read() as session:
        total = vector_store.count_texts_without_vectors(session, embedder.name)
    done = 0
    while True:
        with db.read() as session:
            pending = vector_store.texts_without_vectors(session, embedder.name, batch)
        if not pending:
            break
        vectors = embedder.embed_batch([text for _, text in pending])
        with db.write() as session:
            vector_store.store_vectors(session, embedder.name, dict(zip((d for d, _ in pending), vectors, strict=True)))
        done += len(pending)
        if progress is not None:
            progress(done, total)
    pruned = 0
    if prune:
        with db.write() as session:
            pruned = vector_store.delete_vectors_of_other_models(session, embedder.name)
    shutil.rmtree(index_dir, ignore_errors=True)
    log.info("re-embedded %d text(s) with %s; %d vector(s) of other models pruned", done, embedder.name, pruned)
    return ReindexResult(embedded=done, pruned=pruned)
