"""The vectors an import needs: from the file when it was made with the target's model, else from
the target's embedding cache. Computed before the import's transaction, so a model failure leaves
the store untouched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from memory_service.store import vectors as vector_store
from memory_service.transfer.format import decode_vector
from memory_service.transfer.reading import ParsedFile, UserBundle

if TYPE_CHECKING:
    from memory_service.runtime import Runtime


@dataclass
class ImportVectors:
    """Vectors by content hash (episodes and memories) and by name (graph entities)."""

    texts: dict[str, np.ndarray]
    names: dict[str, np.ndarray]


def import_vectors(runtime: Runtime, parsed: ParsedFile, bundles: list[UserBundle]) -> ImportVectors:
    """Every vector the imported rows need, by content hash (texts) and by name (graph entities)."""
    header = parsed.header
    same_model = (
        header.embedding_model.name == runtime.embedder.name and header.embedding_model.dim == runtime.embedder.dim
    )
    texts: dict[str, np.ndarray] = {}
    wanted: dict[str, str] = {}
    names: dict[str, np.ndarray] = {}
    wanted_names: set[str] = set()
    for bundle in bundles:
        items = [(e.content, e.vector) for _, e in bundle.episodes] + [(m.text, m.vector) for _, m in bundle.memories]
        for text, vector in items:
            digest = vector_store.content_hash(text)
            if vector is not None and same_model:
                texts[digest] = decode_vector(vector, header.embedding_model.dim)
            elif digest not in texts:
                wanted[digest] = text
        for _, entity in bundle.entities:
            if entity.embedding is not None and same_model:
                names[entity.name] = decode_vector(entity.embedding, header.embedding_model.dim)
            elif runtime.graph.embed_names:
                wanted_names.add(entity.name)
    missing = [text for digest, text in wanted.items() if digest not in texts]
    if missing:
        hashes, matrix, _ = runtime.episodic.cache.vectors_for(missing)
        texts.update(zip(hashes, matrix, strict=True))
    todo = sorted(wanted_names - names.keys())
    if todo:
        names.update(zip(todo, runtime.embedder.embed_batch(todo), strict=True))
    return ImportVectors(texts, names)
