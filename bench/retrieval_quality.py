"""Retrieval quality on LongMemEval_S dev: the product's recipe against two baselines, one run.

Runs the evaluation exactly as ``memory-service eval longmemeval`` does, with three recipes
searched over the same ingested partitions: the product's default (``hybrid``), BM25 alone
(``bm25``) and dense-only MiniLM over user turns (``dense_user_turns``). Prints recall_all@5,
recall_all@10 and ndcg_any@10 at session and turn granularity, by the benchmark's rules, and
whether the product beats both baselines at each.

The embedded store is kept in ``--store`` (questions' partitions too), so a second run finds
every text's vector in the embedding cache and takes seconds instead of minutes: measure a
retrieval change before and after on the same store.

    python -m bench.retrieval_quality [--recipe hybrid] [--store data/bench-retrieval-quality]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from memory_service.evaluation.client import ClientConfig
from memory_service.evaluation.options import make_options
from memory_service.evaluation.runner import RunRequest, run_evaluation

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "longmemeval" / "longmemeval_s_dev.json"
BASELINES = ("bm25", "dense_user_turns")
METRICS = ("recall_all@5", "recall_all@10", "ndcg_any@10")
LEVELS = ("session", "turn")


def table(results: dict[str, Any], product: str) -> list[str]:
    header = " | ".join(f"{level} {metric}" for level in LEVELS for metric in METRICS)
    lines = [f"| recipe | {header} |", "|---" * (1 + len(LEVELS) * len(METRICS)) + "|"]
    for name in (product, *BASELINES):
        cells = [f"{results[name][level][metric]:.3f}" for level in LEVELS for metric in METRICS]
        lines.append(f"| {name} | {' | '.join(cells)} |")
    return lines


def verdict(results: dict[str, Any], product: str) -> list[str]:
    lines = []
    for level in LEVELS:
        for metric in METRICS:
            ours = results[product][level][metric]
            best = max(results[b][level][metric] for b in BASELINES)
            word = "beats" if ours > best else ("ties" if ours == best else "LOSES TO")
            lines.append(f"{level} {metric}: {product} {ours:.3f} {word} the best baseline {best:.3f}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--recipe", default="hybrid", help="the product recipe to measure")
    parser.add_argument("--store", type=Path, default=Path("data/bench-retrieval-quality"))
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

    options = make_options(
        "longmemeval", recipes=[args.recipe, *BASELINES], granularity="both", limit=args.limit, keep=True
    )
    with tempfile.TemporaryDirectory() as out:
        request = RunRequest(args.data, Path(out), options, ClientConfig(data_dir=args.store))
        started = time.perf_counter()
        outcome = run_evaluation(request)
        wall = time.perf_counter() - started
    results = outcome.metrics["recipes"]
    print(f"LongMemEval_S dev: {outcome.metrics['questions_scored']} questions scored; {wall:.0f} s")
    print("\n".join(table(results, args.recipe)))
    print("\n".join(verdict(results, args.recipe)))


if __name__ == "__main__":
    main()
