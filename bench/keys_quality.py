"""Which keys find the evidence: turns alone, turns and rounds, rounds joined by extracted facts.

Five configurations over the same data, by the benchmarks' own metric rules:

- ``turns`` (``hybrid_turns``): every user and assistant turn is a key;
- ``turns + rounds``: each user turn with its replies is a key too; a matching round credits
  its user turn, and its replies not at all (``hybrid_user_rounds``), at 0.75 weight (the
  default, ``hybrid``) or alike (``hybrid_rounds_all``);
- ``default + facts``: ``hybrid`` over a store ingested with ``infer`` (the offline
  extractor unless ``MEMORY_LLM_MODEL`` is set) and ``MEMORY_FACT_KEYS=1``: each round's key
  is joined by the facts extracted from its turns (LongMemEval's "value + facts" keys).

Prints LongMemEval_S dev turn- and session-level recall_all@5/@10 and ndcg_any@10, and LoCoMo
evidence recall@5/@10/@30 (categories 1-4; the evaluation extracts facts on LongMemEval runs
only, so LoCoMo has no facts row). Stores are kept under ``--store`` so a rerun finds
every vector in the embedding cache.

    python -m bench.keys_quality [--store data/bench-retrieval-quality] [--limit N]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from memory_service.evaluation.client import ClientConfig
from memory_service.evaluation.options import make_options
from memory_service.evaluation.runner import RunRequest, run_evaluation

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
LONGMEMEVAL = SHARED / "longmemeval" / "longmemeval_s_dev.json"
LOCOMO = SHARED / "locomo" / "locomo_dev.json"
LME_METRICS = ("recall_all@5", "recall_all@10", "ndcg_any@10")
LOCOMO_METRICS = ("recall@5", "recall@10", "recall@30")
TURNS, ROUNDS = "hybrid_turns", "hybrid"
VARIANTS = (
    ("turns", TURNS),
    ("turns + rounds crediting the user turn", "hybrid_user_rounds"),
    ("turns + rounds, replies at 0.75 weight (default)", ROUNDS),
    ("turns + rounds crediting every turn", "hybrid_rounds_all"),
)


def run(benchmark: str, data: Path, store: Path, recipes: Sequence[str], *, infer: bool, limit: int | None) -> Any:
    granularity = "both" if benchmark == "longmemeval" else "turn"
    options = make_options(
        benchmark, recipes=list(recipes), granularity=granularity, limit=limit, keep=True, infer=infer
    )
    with tempfile.TemporaryDirectory() as out:
        return run_evaluation(RunRequest(data, Path(out), options, ClientConfig(data_dir=store))).metrics["recipes"]


def lme_row(name: str, metrics: dict[str, Any]) -> str:
    cells = [f"{metrics[level][m]:.3f}" for level in ("turn", "session") for m in LME_METRICS]
    return f"| {name} | {' | '.join(cells)} |"


def locomo_row(name: str, metrics: dict[str, Any]) -> str:
    overall = metrics["overall"]
    return f"| {name} | {' | '.join(f'{overall[m]:.3f}' for m in LOCOMO_METRICS)} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=Path("data/bench-retrieval-quality"))
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--skip-facts", action="store_true", help="only turns and rounds (no extraction)")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

    lme = ["| keys | " + " | ".join(f"{lv} {m}" for lv in ("turn", "session") for m in LME_METRICS) + " |"]
    lme.append("|---" * (1 + 2 * len(LME_METRICS)) + "|")
    locomo = ["| keys | " + " | ".join(LOCOMO_METRICS) + " |", "|---" * (1 + len(LOCOMO_METRICS)) + "|"]

    os.environ["MEMORY_FACT_KEYS"] = "0"
    recipes = [recipe for _, recipe in VARIANTS]
    plain = run("longmemeval", LONGMEMEVAL, args.store, recipes, infer=False, limit=args.limit)
    lme += [lme_row(name, plain[recipe]) for name, recipe in VARIANTS]
    plain = run("locomo", LOCOMO, args.store, recipes, infer=False, limit=args.limit)
    locomo += [locomo_row(name, plain[recipe]) for name, recipe in VARIANTS]
    print("\n".join(lme + locomo), flush=True)
    if not args.skip_facts:
        os.environ["MEMORY_FACT_KEYS"] = "1"
        facts = run("longmemeval", LONGMEMEVAL, args.store, [ROUNDS], infer=True, limit=args.limit)
        lme.append(lme_row("default + facts in round keys", facts[ROUNDS]))
        print(lme[-1], flush=True)
    print("LongMemEval_S dev:")
    print("\n".join(lme))
    print("LoCoMo (categories 1-4, evidence recall):")
    print("\n".join(locomo))


if __name__ == "__main__":
    main()
