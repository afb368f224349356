"""Search at scale over REST: one partition of 100k memories, latency, concurrency and memory.

The memories are real LongMemEval turns, alternately the user's and the assistant's
(numbered so that each text is distinct); their vectors are the real turns' embeddings
joined by neighbours drawn around them (see ``bench.vector_index.grow``) and are put in the
store's embedding cache first, so ingest measures the service (SQL, BM25, FAISS) rather than
hours of CPU embedding. Queries are the benchmark's real questions, embedded per request by
the configured query runtime, as in production. Baselines in the same run: the same searches
without round keys, numpy brute force over the same vectors (dense only), and the same
concurrent load with micro-batching turned off.

    python -m bench.search_scale [--memories 100000] [--queries 200] [--clients 32] [--seconds 10]
                                 [--precision fp32|fp16]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np

from bench._server import serving, serving_process
from bench.vector_index import DATA, grow
from memory_service.domain import NewMessage
from memory_service.evaluation.datasets import load_longmemeval
from memory_service.runtime import build_runtime
from memory_service.settings import Settings
from memory_service.store import vectors as vector_store

USER = "bench"


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], share: float) -> float:
    return float(np.percentile(values, share * 100))


def timed_searches(client: httpx.Client, queries: list[str], recipe: str | None = None) -> list[float]:
    """Milliseconds per search, one at a time."""
    latencies = []
    for query in queries:
        started = time.perf_counter()
        body = {"query": query, "user_id": USER, "top_k": 10, "recipe": recipe}
        client.post("/v1/search", json=body).raise_for_status()
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def resident_mib(client: httpx.Client) -> float:
    """The server's resident memory, from its metrics."""
    for line in client.get("/metrics").text.splitlines():
        if line.startswith("process_resident_memory_bytes "):
            return float(line.split()[1]) / 2**20
    return float("nan")


def warm_up(client: httpx.Client) -> None:
    """The first search, which loads (or builds) the partition's indexes: minutes at 1M memories."""
    client.post("/v1/search", json={"query": "warm up", "user_id": USER}, timeout=3600).raise_for_status()


def concurrent_qps(client: httpx.Client, queries: list[str], clients: int, seconds: float) -> float:
    done = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def run(offset: int) -> None:
        nonlocal done
        mine, i = 0, offset
        while time.perf_counter() < deadline:
            body = {"query": queries[i % len(queries)], "user_id": USER, "top_k": 10}
            client.post("/v1/search", json=body).raise_for_status()
            mine, i = mine + 1, i + clients
        with lock:
            done += mine

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--memories", type=int, default=100_000)
    parser.add_argument("--real", type=int, default=1000, help="real turns embedded to shape the vectors")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--precision",
        choices=["fp32", "fp16"],
        default="fp32",
        help="the service's index precision (MEMORY_INDEX_PRECISION)",
    )
    args = parser.parse_args()

    questions = load_longmemeval(args.data)
    turns = list(dict.fromkeys(t.content for q in questions for s in q.sessions for t in s.turns if t.content.strip()))
    asked = [q.question for q in questions]
    queries = [asked[i % len(asked)] + ("" if i < len(asked) else f" ({i})") for i in range(args.queries)]

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), index_precision=args.precision)
        runtime = build_runtime(settings)
        query_runtime = type(runtime.search.queries.embedder).__name__
        real = runtime.embedder.embed_batch(turns[: args.real])
        vectors = grow(real, args.memories)
        texts = [f"{turns[i % len(real)]} [{i}]" for i in range(args.memories)]
        with runtime.db.write() as db:
            for start in range(0, len(texts), 5000):
                chunk = range(start, min(start + 5000, len(texts)))
                vector_store.store_vectors(
                    db, runtime.embedder.name, {vector_store.content_hash(texts[i]): vectors[i] for i in chunk}
                )
        rss_before = rss_mib()
        began = datetime(2023, 1, 1, tzinfo=UTC)
        started = time.perf_counter()
        for start in range(0, len(texts), 1000):
            # Conversations: a user turn, then the reply (one round key per pair).
            batch = [
                NewMessage("user" if n % 2 == 0 else "assistant", text, began + timedelta(minutes=start + n))
                for n, text in enumerate(texts[start : start + 1000])
            ]
            runtime.episodic.add_messages("default", f"s{start // 1000}", USER, batch)
        ingest_s = time.perf_counter() - started

        with serving(runtime) as client:
            started = time.perf_counter()
            warm_up(client)
            cold_s = time.perf_counter() - started
            latencies = timed_searches(client, queries)
            turn_only = timed_searches(client, queries, recipe="hybrid_turns")
            rss_after = rss_mib()

        query_vectors = runtime.search.queries.embedder.embed_batch(queries)
        brute = []
        for vector in query_vectors:
            started = time.perf_counter()
            scores = vectors @ vector
            np.argpartition(-scores, 10)[:10]
            brute.append((time.perf_counter() - started) * 1000)
        backend = runtime.indexes.loaded.items()[0][1].dense.backend
        runtime.close()
        del runtime, vectors  # the servers below load their own copy of the partition
        gc.collect()
        index_bytes = sum(f.stat().st_size for f in settings.index_dir.rglob("*") if f.is_file())
        with serving_process(Path(folder), index_precision=args.precision) as client:
            warm_up(client)
            own_process = timed_searches(client, queries)
            own_process_turns = timed_searches(client, queries, recipe="hybrid_turns")
            server_rss = resident_mib(client)
            # Throughput against a server of its own: client threads do not share its interpreter lock.
            single_qps = concurrent_qps(client, queries, 1, args.seconds)
            batched_qps = concurrent_qps(client, queries, args.clients, args.seconds)
        with serving_process(Path(folder), index_precision=args.precision, query_batch_size="1") as client:
            warm_up(client)
            unbatched_qps = concurrent_qps(client, queries, args.clients, args.seconds)

    print(f"{args.memories} memories in one partition; query embedding on {query_runtime}; 2-core CPU")
    print(f"ingest through the service (vectors cached): {args.memories / ingest_s:,.0f} memories/s")
    print(f"first search (index built from the store, {backend} {args.precision}): {cold_s:.1f} s")
    print(f"baseline: numpy brute force, dense only, no HTTP: p50 {statistics.median(brute):.1f} ms")
    for where, default, without_rounds in (
        ("server in its own process", own_process, own_process_turns),
        ("server in the benchmark's process", latencies, turn_only),
    ):
        print(
            f"search over REST, {where}: p50 {statistics.median(default):.1f} ms, p99 {percentile(default, 0.99):.1f} "
            f"ms; without round keys (hybrid_turns): p50 {statistics.median(without_rounds):.1f} ms, "
            f"p99 {percentile(without_rounds, 0.99):.1f} ms"
        )
    print(
        f"throughput, server in its own process: 1 client {single_qps:.1f} q/s; {args.clients} clients "
        f"{batched_qps:.1f} q/s with micro-batching, {unbatched_qps:.1f} q/s without "
        f"(MEMORY_QUERY_BATCH_SIZE=1; {batched_qps / unbatched_qps:.2f}x)"
    )
    print(
        f"memory: RSS {rss_before:,.0f} MiB before ingest, {rss_after:,.0f} MiB with the index loaded; "
        f"the server in its own process, partition loaded: {server_rss:,.0f} MiB; "
        f"index on disk {index_bytes / args.memories:,.0f} bytes per memory"
    )


if __name__ == "__main__":
    main()
