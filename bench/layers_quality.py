"""Does extraction help retrieval? LongMemEval_S dev with the semantic and graph layers, one run each.

Every run ingests with ``infer`` (facts and graph relations are extracted by the offline
extractors before the questions are asked) and searches turns through a different set of
layers; a fact or relation hit counts as the turns it was drawn from. Prints turn-level
recall_all@5/@10 and ndcg_any@10 overall and for the temporal-reasoning and knowledge-update
questions, the kinds the semantic and graph layers are meant for.

    python -m bench.layers_quality [--store data/bench-retrieval-quality] [--limit N]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import Any

from memory_service.evaluation.client import ClientConfig
from memory_service.evaluation.options import make_options
from memory_service.evaluation.runner import RunRequest, run_evaluation

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "longmemeval" / "longmemeval_s_dev.json"
LAYER_SETS = (("episodic",), ("episodic", "semantic"), ("episodic", "graph"), ("episodic", "semantic", "graph"))
METRICS = ("recall_all@5", "recall_all@10", "ndcg_any@10")
TYPES = ("temporal-reasoning", "knowledge-update")


def row(name: str, metrics: dict[str, Any]) -> str:
    cells = [f"{metrics['turn'][m]:.3f}" for m in METRICS]
    for kind in TYPES:
        by_type = metrics["by_type"].get(kind, {}).get("turn")
        cells.append(f"{by_type['ndcg_any@10']:.3f}" if by_type else "-")
    return f"| {name} | {' | '.join(cells)} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--recipe", default="hybrid")
    parser.add_argument("--store", type=Path, default=Path("data/bench-retrieval-quality"))
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

    lines = [
        "| layers | turn recall_all@5 | turn recall_all@10 | turn ndcg_any@10 | "
        + " | ".join(f"{kind} ndcg@10" for kind in TYPES)
        + " |",
        "|---" * (4 + len(TYPES)) + "|",
    ]
    for layers in LAYER_SETS:
        options = make_options(
            "longmemeval",
            recipes=[args.recipe],
            granularity="turn",
            limit=args.limit,
            keep=True,
            infer=True,
            layers=layers,
        )
        with tempfile.TemporaryDirectory() as out:
            outcome = run_evaluation(RunRequest(args.data, Path(out), options, ClientConfig(data_dir=args.store)))
        lines.append(row(" + ".join(layers), outcome.metrics))
        print(lines[-1], flush=True)
    print(f"LongMemEval_S dev, recipe {args.recipe}, offline extractors:")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
