"""Vector index backends on embedding-shaped data: latency, build time, and IVF recall@10.

Real vectors: LongMemEval_S dev turns embedded with the packaged model. To reach partition
sizes past what the sample holds, each real vector is joined by neighbours drawn around it
(moved as far as its nearest real neighbour typically is), which keeps the clustered shape
of real embeddings. Queries are the benchmark's real questions, so they come from another
distribution than the stored turns, as in production. Exact FAISS is the baseline for both
latency and recall, measured in the same run. The service's own FAISS backends are then
measured at each index precision (``MEMORY_INDEX_PRECISION``): bytes per vector of the file
they save, and recall@10 against exact fp32.

    python -m bench.vector_index [--sizes 10000 50000 100000] [--real 2000] [--queries 200]
"""

from __future__ import annotations

import argparse
import math
import statistics
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

from memory_service.evaluation.datasets import load_longmemeval
from retrieval.embedder import SentenceTransformerEmbedder
from retrieval.torch_index import TorchIndex
from retrieval.vector_index import FaissFlatIndex, FaissIVFIndex, Precision, VectorIndex

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "longmemeval" / "longmemeval_s_dev.json"


def grow(real: np.ndarray, size: int, seed: int = 0) -> np.ndarray:
    """``size`` unit vectors: the real ones, then neighbours scattered around random real ones."""
    rng = np.random.default_rng(seed)
    similarity = np.sort(real @ real.T, axis=1)[:, -2]
    spread = math.sqrt(1 / float(np.median(similarity)) ** 2 - 1)
    extra = size - len(real)
    anchors = real[rng.integers(0, len(real), extra)]
    noise = rng.normal(size=anchors.shape)
    noise *= spread / np.linalg.norm(noise, axis=1, keepdims=True)
    rows = np.concatenate([real, anchors + noise])[:size]
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def latencies(index: VectorIndex, queries: np.ndarray, k: int = 10) -> tuple[list[list[int]], float]:
    """Top-k ids per query and the median single-query latency in ms."""
    found, times = [], []
    for query in queries:
        started = time.perf_counter()
        hits = index.search(query, k)
        times.append((time.perf_counter() - started) * 1000)
        found.append([i for i, _ in hits])
    return found, statistics.median(times)


def recall(truth: list[list[int]], found: list[list[int]]) -> float:
    return float(np.mean([len(set(t) & set(f)) / len(t) for t, f in zip(truth, found, strict=True)]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    parser.add_argument("--real", type=int, default=2000, help="real turns to embed")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    questions = load_longmemeval(args.data)
    turns = list(dict.fromkeys(t.content for q in questions for s in q.sessions for t in s.turns if t.content.strip()))
    embedder = SentenceTransformerEmbedder(device="cpu")
    started = time.perf_counter()
    real = embedder.embed_batch(turns[: args.real])
    asked = embedder.embed_batch([q.question for q in questions] * math.ceil(args.queries / len(questions)))
    queries = asked[: args.queries]
    print(f"embedded {len(real)} real turns and {len(queries)} questions in {time.perf_counter() - started:.0f} s")
    print(
        f"{'vectors':>8} | {'flat p50 ms':>11} | {'torch p50 ms':>12} | {'ivf build s':>11} {'nlist':>6} {'nprobe':>6} "
        f"{'p50 ms':>7} {'speed-up':>8} {'recall@10':>9}"
    )
    compressed: list[tuple[int, list[tuple[str, int, float, float]]]] = []
    by_precision: list[tuple[int, list[tuple[str, Precision, str, float, float, float]]]] = []
    for size in args.sizes:
        vectors = grow(real, size)
        ids = list(range(size))
        flat = FaissFlatIndex(embedder.dim)
        flat.add(ids, vectors)
        truth, flat_ms = latencies(flat, queries)
        torch_index = TorchIndex(embedder.dim)
        torch_index.add(ids, vectors)
        _, torch_ms = latencies(torch_index, queries)
        started = time.perf_counter()
        ivf = FaissIVFIndex.build(ids, vectors)
        build_s = time.perf_counter() - started
        found, ivf_ms = latencies(ivf, queries)
        print(
            f"{size:>8} | {flat_ms:>11.2f} | {torch_ms:>12.2f} | {build_s:>11.1f} {ivf.nlist:>6} {ivf.nprobe:>6} "
            f"{ivf_ms:>7.2f} {flat_ms / ivf_ms:>7.1f}x {recall(truth, found):>9.3f}"
        )
        compressed.append((size, compression(vectors, queries, truth, ivf.nlist, ivf.nprobe)))
        by_precision.append((size, precisions(ids, vectors, queries, truth, flat, ivf)))
    print("\ncompressed codes (same queries, recall@10 against exact fp32):")
    print(f"{'vectors':>8} | {'codec':<22} | {'bytes/vector':>12} | {'p50 ms':>7} | {'recall@10':>9}")
    for size, rows in compressed:
        for codec, per_vector, p50, kept in rows:
            print(f"{size:>8} | {codec:<22} | {per_vector:>12} | {p50:>7.2f} | {kept:>9.3f}")
    print("\nthe service's backends by index precision (same queries, recall@10 against exact fp32):")
    print(
        f"{'vectors':>8} | {'backend':<10} | {'precision':<9} | {'nprobe':>6} | {'file bytes/vector':>17} | "
        f"{'p50 ms':>7} | {'recall@10':>9}"
    )
    for size, measured in by_precision:
        for backend, precision, nprobe, file_bytes, p50, kept in measured:
            print(
                f"{size:>8} | {backend:<10} | {precision:<9} | {nprobe:>6} | {file_bytes:>17.1f} | "
                f"{p50:>7.2f} | {kept:>9.3f}"
            )


def precisions(
    ids: list[int],
    vectors: np.ndarray,
    queries: np.ndarray,
    truth: list[list[int]],
    flat: FaissFlatIndex,
    ivf: FaissIVFIndex,
) -> list[tuple[str, Precision, str, float, float, float]]:
    """The service's exact and IVF backends at fp32 (those given) and fp16 (built here, the IVF one
    calibrated as the service calibrates it): what each saves per vector, its latency and recall."""
    half_flat = FaissFlatIndex(vectors.shape[1], precision="fp16")
    half_flat.add(ids, vectors)
    half_ivf = FaissIVFIndex.build(ids, vectors, precision="fp16")
    rows: list[tuple[str, Precision, str, float, float, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        for index in (flat, half_flat, ivf, half_ivf):
            found, p50 = latencies(index, queries)
            path = Path(folder) / "dense.faiss"
            index.save(path)
            nprobe = str(index.nprobe) if isinstance(index, FaissIVFIndex) else "-"
            per_vector = path.stat().st_size / len(ids)
            rows.append((index.backend, index.precision, nprobe, per_vector, p50, recall(truth, found)))
    return rows


def compression(
    vectors: np.ndarray, queries: np.ndarray, truth: list[list[int]], nlist: int, nprobe: int
) -> list[tuple[str, int, float, float]]:
    """Memory against recall: fp32 flat, fp16 flat, and IVF with product quantization (48 bytes)."""
    dim = vectors.shape[1]
    rows = []
    codecs = {
        "flat fp32": faiss.IndexFlatIP(dim),
        "flat fp16 (SQfp16)": faiss.IndexScalarQuantizer(
            dim, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
        ),
        "IVF-PQ 48x8 bits": faiss.IndexIVFPQ(faiss.IndexFlatIP(dim), dim, nlist, 48, 8, faiss.METRIC_INNER_PRODUCT),
    }
    for codec, index in codecs.items():
        if not index.is_trained:
            index.train(vectors)
        index.add(vectors)
        if isinstance(index, faiss.IndexIVFPQ):
            index.nprobe = nprobe
        found, times = [], []
        for query in queries:
            started = time.perf_counter()
            _, ids = index.search(query.reshape(1, -1), 10)
            times.append((time.perf_counter() - started) * 1000)
            found.append(ids[0].tolist())
        per_vector = index.sa_code_size() if hasattr(index, "sa_code_size") else dim * 4
        rows.append((codec, int(per_vector), statistics.median(times), recall(truth, found)))
    return rows


if __name__ == "__main__":
    main()
