"""Recall of evidence the assistant said, per recipe, over a LongMemEval evaluation run.

LongMemEval scores retrieval on what the user said and leaves single-session-assistant
questions (their evidence is an assistant turn) out. A search default that lets an assistant's
turns keep only a share of their score must not hide those answers, so this reads a run's
ranked turns and scores them against the assistant-side evidence of the dataset file.

    python -m bench.assistant_evidence RUN_FOLDER DATASET.json
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

DEPTHS = (5, 10)


def assistant_evidence(dataset: Path) -> dict[str, set[str]]:
    """Per single-session-assistant question, the benchmark ids of its evidence turns."""
    gold: dict[str, set[str]] = {}
    for question in json.loads(dataset.read_text()):
        if question["question_type"] != "single-session-assistant":
            continue
        sessions = zip(question["haystack_session_ids"], question["haystack_sessions"], strict=True)
        gold[question["question_id"]] = {
            f"{session_id}_{position}"
            for session_id, turns in sessions
            for position, turn in enumerate(turns, 1)
            if turn.get("has_answer")
        }
    return gold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="an evaluation run folder (results.jsonl)")
    parser.add_argument("dataset", type=Path, help="the LongMemEval file the run evaluated")
    args = parser.parse_args()
    gold = assistant_evidence(args.dataset)
    recall: dict[str, dict[int, list[float]]] = {}
    for line in (args.run / "results.jsonl").read_text().splitlines():
        record = json.loads(line)
        evidence = gold.get(record.get("question_id", ""))
        if not evidence or "recipes" not in record:
            continue
        for name, result in record["recipes"].items():
            ranked = result["ranked"]["turn"]
            for depth in DEPTHS:
                found = len(evidence & set(ranked[:depth])) / len(evidence)
                recall.setdefault(name, {}).setdefault(depth, []).append(found)
    if not recall:
        raise SystemExit("no single-session-assistant question with evidence in this run")
    count = len(next(iter(recall.values()))[DEPTHS[0]])
    print(f"{count} single-session-assistant questions (evidence on the assistant's side)")
    print("| recipe | " + " | ".join(f"recall@{d}" for d in DEPTHS) + " |")
    print("|---|" + "---:|" * len(DEPTHS))
    for name, by_depth in recall.items():
        print(f"| {name} | " + " | ".join(f"{statistics.mean(by_depth[d]):.3f}" for d in DEPTHS) + " |")


if __name__ == "__main__":
    main()
