"""Query embedding under concurrency: one forward pass per query vs the micro-batching queue.

Clients (threads) each embed real LongMemEval questions back to back for a fixed time. The
baseline calls the model once per query (serialized, as one model instance must be); the
batcher merges the queries that arrive while the model is busy. Prints queries/s and p50/p99
latency per client count, and the batcher's ratio to the baseline, measured in one process.

    python -m bench.query_batching [--clients 1 4 16] [--seconds 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from memory_service.evaluation.datasets import load_longmemeval
from retrieval.batching import EmbeddingBatcher
from retrieval.embedder import Embedder, SentenceTransformerEmbedder
from retrieval.onnx_embedder import OnnxEmbedder

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "longmemeval" / "longmemeval_s_dev.json"


def drive(
    embed: Callable[[str], np.ndarray], questions: list[str], clients: int, seconds: float
) -> tuple[float, list[float]]:
    """(queries per second, latencies in ms) of ``clients`` threads calling ``embed`` for ``seconds``."""
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(offset: int) -> None:
        mine: list[float] = []
        i = offset
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            embed(questions[i % len(questions)])
            mine.append((time.perf_counter() - started) * 1000)
            i += clients
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / (time.perf_counter() - began), latencies


def p99(values: list[float]) -> float:
    return float(np.percentile(values, 99))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--runtime", choices=("torch", "onnx"), default="torch", help="query embedding runtime")
    args = parser.parse_args()

    questions = [q.question for q in load_longmemeval(args.data)] * 8
    reference = SentenceTransformerEmbedder(device=args.device)
    embedder: Embedder = reference
    if args.runtime == "onnx":
        with tempfile.TemporaryDirectory() as folder:
            embedder = OnnxEmbedder(reference, Path(folder))
    embedder.embed_batch(questions[:8])  # warm up
    batcher = EmbeddingBatcher(embedder)
    print(f"model {embedder.name} on {reference.device} ({args.runtime}), {args.seconds:.0f} s per run")
    print(
        f"{'clients':>7} | {'baseline q/s':>12} {'p50 ms':>7} {'p99 ms':>7} | {'batched q/s':>11} {'p50 ms':>7} "
        f"{'p99 ms':>7} {'mean batch':>10} | ratio"
    )
    for clients in args.clients:
        base_qps, base_lat = drive(lambda t: embedder.embed_batch([t])[0], questions, clients, args.seconds)
        batcher.batches = batcher.texts = 0
        qps, lat = drive(batcher.embed, questions, clients, args.seconds)
        print(
            f"{clients:>7} | {base_qps:>12.1f} {statistics.median(base_lat):>7.1f} {p99(base_lat):>7.1f} | "
            f"{qps:>11.1f} {statistics.median(lat):>7.1f} {p99(lat):>7.1f} {batcher.mean_batch:>10.1f} | "
            f"{qps / base_qps:.2f}x"
        )
    batcher.close()


if __name__ == "__main__":
    main()
