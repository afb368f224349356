"""Query embedding with ONNX Runtime: the same model, exported locally, about twice as fast on CPU.

A single short query is dominated by per-call overhead in torch; ONNX Runtime's fused graph
cuts it. The model is exported from the installed weights (never downloaded) into a cache
folder once, and used only after its vectors agree with the reference (torch) vectors to a
cosine of at least :data:`MIN_COSINE` on probe texts; otherwise the caller keeps torch.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.embedder import SentenceTransformerEmbedder, pool_windows, split_long

log = logging.getLogger(__name__)

MIN_COSINE = 0.99
PROBES = (
    "What did I buy for my sister's birthday last month?",
    "hi",
    "The quarterly report is due on Friday; remind me to send the draft to Ana first.",
    "Mi perro se llama Biscuit y le encanta correr en el parque.",
    "How many hours did I spend practising piano in total during the spring?",
)
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class OnnxUnavailableError(RuntimeError):
    """ONNX Runtime is missing, the export failed, or its vectors drift from the reference."""


class OnnxEmbedder:
    """The reference model's twin on ONNX Runtime (CPU, fp32); same name, so vectors mix."""

    def __init__(self, reference: SentenceTransformerEmbedder, cache_dir: Path, threads: int | None = None) -> None:
        try:
            import onnxruntime
        except ImportError as exc:
            raise OnnxUnavailableError("onnxruntime is not installed") from exc
        self.reference = reference
        # A tokenizer of its own: the reference model's keeps per-call state that another
        # thread (ingest) may be changing at the same moment.
        self.tokenizer = copy.deepcopy(reference.tokenizer)
        self.max_tokens = reference.max_tokens
        path = export(reference, cache_dir)
        options = onnxruntime.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        # Idle worker threads sleep instead of spinning for more work: a search embeds one query
        # and goes on ranking, and spinning threads took the core that work needed (100k
        # memories over REST: p50 14.3-14.8 -> 11.5-12.4 ms, 32 clients 66-77 -> 110-113 q/s).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._inputs = [i.name for i in self._session.get_inputs()]
        self._lock = threading.Lock()
        self.cosine = self._agreement()
        if self.cosine < MIN_COSINE:
            raise OnnxUnavailableError(f"ONNX vectors drift from the reference (cosine {self.cosine:.4f})")

    @property
    def name(self) -> str:
        return self.reference.name

    @property
    def dim(self) -> int:
        return self.reference.dim

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            pieces, owners = split_long(self.tokenizer, texts, self.max_tokens)
            # Tokenized once; each group of like lengths is padded here rather than tokenized again.
            encoded = self.tokenizer(pieces, truncation=True, max_length=self.max_tokens)["input_ids"]
            lengths = [len(ids) for ids in encoded]
            vectors = np.zeros((len(pieces), self.dim), dtype=np.float32)
            for bucket in length_buckets(lengths):
                (vectors[bucket],) = self._session.run(None, self._padded([encoded[i] for i in bucket]))
        return pool_windows(vectors, owners, len(texts))

    def _padded(self, token_ids: Sequence[Sequence[int]]) -> dict[str, np.ndarray]:
        """The model's inputs for texts of ``token_ids``, padded on the right to the longest."""
        width = max(len(ids) for ids in token_ids)
        ids = np.full((len(token_ids), width), self.tokenizer.pad_token_id or 0, dtype=np.int64)
        mask = np.zeros((len(token_ids), width), dtype=np.int64)
        for row, text_ids in enumerate(token_ids):
            ids[row, : len(text_ids)] = text_ids
            mask[row, : len(text_ids)] = 1
        inputs = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return {name: inputs[name] for name in self._inputs}

    def _agreement(self) -> float:
        ours = self.embed_batch(PROBES)
        theirs = self.reference.embed_batch(PROBES)
        return float(np.min(np.sum(ours * theirs, axis=1)))


def length_buckets(lengths: Sequence[int], slack: float = 1.25) -> list[list[int]]:
    """Indexes grouped by token count, each group's longest at most ``slack`` times its shortest.

    A batch is padded to its longest text, and on CPU every padded token costs as much as a
    real one (attention more): a micro-batch of questions of 10 to 80 tokens padded together
    costs more than the questions one by one. Groups of like lengths keep the batch's gain.
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    buckets: list[list[int]] = []
    for index in order:
        if buckets and lengths[index] <= slack * lengths[buckets[-1][0]]:
            buckets[-1].append(index)
        else:
            buckets.append([index])
    return buckets


def export(reference: SentenceTransformerEmbedder, cache_dir: Path) -> Path:
    """The exported model file for ``reference``, written on first use (atomically)."""
    import sentence_transformers
    import torch

    fingerprint = hashlib.sha256(
        json.dumps([reference.name, reference.dim, torch.__version__, sentence_transformers.__version__]).encode()
    ).hexdigest()[:16]
    target = cache_dir / f"{fingerprint}.onnx"
    if target.exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    model = _Normalized(reference.model).eval()
    sample = reference.tokenizer(["a sample", "another sample text"], padding=True, return_tensors="pt")
    tmp = target.with_suffix(".tmp")
    axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS}
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                model,
                tuple(sample[name] for name in INPUTS),
                str(tmp),
                input_names=list(INPUTS),
                output_names=["embedding"],
                dynamic_axes={**axes, "embedding": {0: "batch"}},
                opset_version=17,
                dynamo=False,
            )
    except Exception as exc:  # any exporter failure means: keep torch
        tmp.unlink(missing_ok=True)
        raise OnnxUnavailableError(f"exporting {reference.name} to ONNX failed: {exc}") from exc
    tmp.replace(target)
    log.info("exported %s to %s", reference.name, target)
    return target


def _module_base() -> Any:
    import torch

    return torch.nn.Module


class _Normalized(_module_base()):  # type: ignore[misc]
    """The sentence-transformers pipeline (transformer, pooling, ...) plus L2 normalization."""

    def __init__(self, pipeline: Any) -> None:
        super().__init__()
        self.pipeline = pipeline

    def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
        import torch

        features = {"input_ids": input_ids, "attention_mask": attention_mask, "token_type_ids": token_type_ids}
        return torch.nn.functional.normalize(self.pipeline(features)["sentence_embedding"], dim=-1)


def best_query_embedder(
    reference: SentenceTransformerEmbedder, cache_dir: Path, backend: str = "auto"
) -> SentenceTransformerEmbedder | OnnxEmbedder:
    """ONNX on CPU when it is available and faithful (``auto``), else the reference model."""
    if backend == "torch" or (backend == "auto" and reference.device != "cpu"):
        log.info("query embedding: torch on %s", reference.device)
        return reference
    try:
        embedder = OnnxEmbedder(reference, cache_dir)
    except OnnxUnavailableError as exc:
        if backend == "onnx":
            raise
        log.warning("query embedding: torch (%s)", exc)
        return reference
    log.info("query embedding: ONNX Runtime on CPU (cosine to torch %.5f)", embedder.cosine)
    return embedder
