"""Whole-session keys fused with a run's session ranking, over a LongMemEval evaluation run.

Session search ranks sessions by their best turns. A session can also be searched as one
document: BM25 over its user turns' text, or the unit mean of their vectors (the benchmark's
own session corpus). This fuses such a ranking into a run's session ranking by reciprocal rank
at several weights and prints session recall_all@5 by question type, to see whether a session
key would pay before the index holds one. Vectors come from the embedding cache of the run.

    python -m bench.session_keys RUN_FOLDER DATASET.json --cache-dir runs/cache [--recipe hybrid]
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.config import recipe
from retrieval.disk_cache import DiskCachedEmbedder
from retrieval.embedder import Embedder, SentenceTransformerEmbedder
from retrieval.fusion import reciprocal_rank_fusion
from retrieval.lexical import BM25Index

WEIGHTS = (0.0, 0.25, 0.5, 1.0)
DEPTH = 50


def fused_sessions(own: Sequence[str], extra: Sequence[str], weight: float, k: int) -> list[str]:
    """The run's session ranking fused with ``extra`` at ``weight`` (the run's own at 1), best first."""
    return [session for session, _ in reciprocal_rank_fusion([own, extra], [1.0, weight], k)]


def user_texts(question: Mapping[str, Any]) -> list[str]:
    return [" ".join(t["content"] for t in turns if t["role"] == "user") for turns in question["haystack_sessions"]]


def lexical_sessions(question: Mapping[str, Any]) -> list[str]:
    ids = question["haystack_session_ids"]
    index = BM25Index()
    index.add(list(range(len(ids))), user_texts(question))
    return [ids[i] for i, _ in index.search(question["question"], DEPTH)]


def dense_sessions(question: Mapping[str, Any], embedder: Embedder) -> list[str]:
    keys = []
    for turns in question["haystack_sessions"]:
        texts = [t["content"] for t in turns if t["role"] == "user" and t["content"].strip()]
        mean = embedder.embed_batch(texts).mean(axis=0) if texts else np.zeros(embedder.dim, dtype=np.float32)
        keys.append(mean / (np.linalg.norm(mean) or 1.0))
    similarity = np.stack(keys) @ embedder.embed_batch([question["question"]])[0]
    return [question["haystack_session_ids"][i] for i in np.argsort(-similarity)[:DEPTH]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="an evaluation run folder (results.jsonl)")
    parser.add_argument("dataset", type=Path, help="the LongMemEval file the run evaluated")
    parser.add_argument("--cache-dir", type=Path, required=True, help="the run's embedding cache")
    parser.add_argument("--recipe", default="hybrid")
    args = parser.parse_args()
    questions = {q["question_id"]: q for q in json.loads(args.dataset.read_text())}
    embedder = DiskCachedEmbedder(SentenceTransformerEmbedder(device="cpu"), args.cache_dir)
    records = [json.loads(line) for line in (args.run / "results.jsonl").read_text().splitlines()]
    scored = [r for r in records if not r["abstention"] and r["gold"]["session"] and args.recipe in r["recipes"]]
    rrf_k = recipe(args.recipe).rrf_k  # the fusion constant the run's sessions were ranked with
    keys = {"bm25": lexical_sessions, "dense": lambda q: dense_sessions(q, embedder)}
    print("| session key | weight | session recall_all@5 | by type |")
    print("|---|---:|---:|---|")
    for name, rank_sessions in keys.items():
        extra = {r["question_id"]: rank_sessions(questions[r["question_id"]]) for r in scored}
        for weight in WEIGHTS:
            by_type: dict[str, list[float]] = defaultdict(list)
            for record in scored:
                question = questions[record["question_id"]]
                own = record["recipes"][args.recipe]["ranked"]["session"]
                top = fused_sessions(own, extra[record["question_id"]], weight, rrf_k)[:5]
                found = float(all(s in top for s in question["answer_session_ids"]))
                by_type[record["question_type"]].append(found)
            overall = statistics.mean(v for values in by_type.values() for v in values)
            types = ", ".join(f"{t} {statistics.mean(v):.3f}" for t, v in sorted(by_type.items()))
            print(f"| {name} | {weight} | {overall:.3f} | {types} |")
    embedder.close()


if __name__ == "__main__":
    main()
