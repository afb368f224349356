"""Ingest and search speed of the embedded default, over REST, on real benchmark text.

Ingests the user and assistant turns of LongMemEval_S dev haystacks through the HTTP API
(a real uvicorn server on loopback) and measures turns/s, next to the raw batched throughput
of the embedding model on the same texts in the same run (the ceiling for ingest). Then runs
search queries over REST and reports p50 / p99 latency, query embedding included.

    python -m bench.ingest_search [--turns 2000] [--batch 100] [--queries 200]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench._server import serving
from memory_service.evaluation.datasets import load_longmemeval
from memory_service.runtime import build_runtime
from memory_service.settings import Settings
from retrieval.embedder import SentenceTransformerEmbedder

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "longmemeval" / "longmemeval_s_dev.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--turns", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=100, help="messages per POST")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    questions = load_longmemeval(args.data)
    sessions = [(s.session_id, s.date, s.turns) for q in questions for s in q.sessions]
    seen: set[str] = set()
    unique_sessions = [s for s in sessions if not (s[0] in seen or seen.add(s[0]))]
    batches: list[tuple[str, list[dict[str, str]]]] = []
    total = 0
    for session_id, date, turns in unique_sessions:
        messages = [
            {"role": t.role, "content": t.content, "occurred_at": date.isoformat()} for t in turns if t.content.strip()
        ]
        for start in range(0, len(messages), args.batch):
            batches.append((session_id, messages[start : start + args.batch]))
        total += len(messages)
        if total >= args.turns:
            break
    texts = [m["content"] for _, batch in batches for m in batch]
    queries = [q.question for q in questions]

    embedder = SentenceTransformerEmbedder(device="cpu")
    embedder.embed_batch(texts[:64])  # warm-up
    start = time.perf_counter()
    embedder.embed_batch(texts)
    raw_rate = len(texts) / (time.perf_counter() - start)
    # The same model on the same texts, one call per request's batch: what the service can reach.
    start = time.perf_counter()
    for _, batch in batches:
        embedder.embed_batch([m["content"] for m in batch])
    per_request_rate = len(texts) / (time.perf_counter() - start)

    with tempfile.TemporaryDirectory() as data_dir:
        runtime = build_runtime(Settings(data_dir=Path(data_dir)), embedder=embedder)
        with serving(runtime) as client:
            start = time.perf_counter()
            for session_id, batch in batches:
                client.post(f"/v1/sessions/{session_id}/messages", json={"user_id": "bench", "messages": batch})
            ingest_s = time.perf_counter() - start
            latencies = []
            for i in range(args.queries):
                query = queries[i % len(queries)] + ("" if i < len(queries) else f" ({i})")
                t0 = time.perf_counter()
                response = client.post("/v1/search", json={"query": query, "user_id": "bench", "top_k": 10})
                latencies.append((time.perf_counter() - t0) * 1000)
                response.raise_for_status()
        runtime.close()

    ingest_rate = len(texts) / ingest_s
    latencies.sort()
    print(f"texts: {len(texts)} turns of LongMemEval_S dev, {len(batches)} POSTs of up to {args.batch}")
    print(f"raw model throughput (batch {embedder.batch_size}): {raw_rate:8.1f} texts/s")
    print(f"raw model, one call per request:     {per_request_rate:8.1f} texts/s")
    print(
        f"ingest over REST:                    {ingest_rate:8.1f} turns/s  ({ingest_rate / raw_rate:.2f}x raw, "
        f"{ingest_rate / per_request_rate:.2f}x the model on the same request batches)"
    )
    print(
        f"search over REST ({len(texts)} memories, {args.queries} queries): "
        f"p50 {statistics.median(latencies):.1f} ms, p99 {latencies[int(0.99 * (len(latencies) - 1))]:.1f} ms"
    )


if __name__ == "__main__":
    main()
