"""Choose a search default by cross-validation over an evaluation run that compared recipes.

A run of ``memory-service eval`` with several ``--recipe`` options scores every recipe on the
same questions. This script splits the questions into folds (stratified by question type or
category, deterministic), and for each fold picks the recipe with the best mean on the other
folds (held-in) and reports that choice's mean on the fold itself (held-out). Each question is
held out exactly once, so the held-out mean estimates what choosing by this procedure gets on
questions it never saw. It also prints, for every recipe, its mean and its paired difference
from the baseline recipe with two standard errors: a difference inside that band is noise.

    python -m bench.cross_validate RUN_FOLDER [--metric turn.recall_all@10] [--folds 5] [--baseline hybrid]
        [--leave-out "category 5"]

LongMemEval metrics are ``<ranking>.<metric>`` (rankings ``session``, ``turn``,
``turn_to_session``); LoCoMo metrics are the evidence ``recall@k`` names.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Scored:
    """One question's metric under every recipe, and the stratum its fold is drawn within."""

    key: str
    stratum: str
    by_recipe: Mapping[str, float]


def longmemeval_rows(records: Sequence[Mapping[str, Any]], metric: str) -> Iterator[Scored]:
    ranking, name = metric.split(".", 1)
    for record in records:
        if record.get("abstention") or not record.get("gold", {}).get("turn" if ranking != "session" else "session"):
            continue  # no evidence to find: the benchmark leaves these out of retrieval metrics
        values = {
            recipe: float(found[ranking][name])
            for recipe, found in record["recipes"].items()
            if ranking in found and found[ranking].get(name) is not None
        }
        if values:
            yield Scored(str(record["question_id"]), str(record["question_type"]), values)


def locomo_rows(records: Sequence[Mapping[str, Any]], metric: str) -> Iterator[Scored]:
    for record in records:
        for question in record["questions"]:
            if not question.get("evidence"):
                continue
            values = {
                recipe: float(found["scores"][metric])
                for recipe, found in question["recipes"].items()
                if found["scores"].get(metric) is not None
            }
            if values:
                key = f"{record['unit']}:{question['index']}"
                yield Scored(key, f"category {question['category']}", values)


def leave_out(rows: Iterable[Scored], strata: Collection[str]) -> list[Scored]:
    """The rows whose question type is not one of ``strata``."""
    return [row for row in rows if row.stratum not in strata]


def assign_folds(rows: Sequence[Scored], folds: int) -> list[list[Scored]]:
    """Round-robin within each stratum, strata and keys sorted: every fold gets its share of each type."""
    out: list[list[Scored]] = [[] for _ in range(folds)]
    position = 0
    for stratum in sorted({row.stratum for row in rows}):
        for row in sorted((r for r in rows if r.stratum == stratum), key=lambda r: r.key):
            out[position % folds].append(row)
            position += 1
    return out


def mean(rows: Sequence[Scored], recipe: str) -> float:
    return statistics.fmean(row.by_recipe[recipe] for row in rows) if rows else math.nan


def cross_validate(rows: Sequence[Scored], recipes: Sequence[str], folds: int) -> list[dict[str, Any]]:
    """Per fold: the recipe the other folds choose, its held-in and held-out means."""
    split = [part for part in assign_folds(rows, folds) if part]  # fewer questions than folds: fewer folds
    outcome = []
    for index, held_out in enumerate(split):
        held_in = [row for other, part in enumerate(split) if other != index for row in part]
        chosen = max(recipes, key=lambda recipe: (mean(held_in, recipe), -recipes.index(recipe)))
        outcome.append(
            {
                "fold": index,
                "questions": len(held_out),
                "chosen": chosen,
                "held_in": mean(held_in, chosen),
                "held_out": mean(held_out, chosen),
                "keys": [row.key for row in held_out],
            }
        )
    return outcome


def held_out_by_stratum(
    rows: Sequence[Scored], outcome: Sequence[Mapping[str, Any]], baseline: str
) -> dict[str, tuple[int, float, float]]:
    """Per stratum (question type, category): questions, the mean of each question under the
    recipe its fold's other folds chose, and the baseline's mean on the same questions."""
    chosen_for = {key: fold["chosen"] for fold in outcome for key in fold["keys"]}
    table: dict[str, tuple[int, float, float]] = {}
    for stratum in sorted({row.stratum for row in rows}):
        members = [row for row in rows if row.stratum == stratum and row.key in chosen_for]
        if members:
            held_out = statistics.fmean(row.by_recipe[chosen_for[row.key]] for row in members)
            table[stratum] = (len(members), held_out, mean(members, baseline))
    return table


def paired_difference(rows: Sequence[Scored], recipe: str, baseline: str) -> tuple[float, float]:
    """Mean per-question difference from the baseline, and two standard errors of it."""
    differences = [row.by_recipe[recipe] - row.by_recipe[baseline] for row in rows]
    if len(differences) < 2:
        return (differences[0] if differences else math.nan), math.nan
    return statistics.fmean(differences), 2 * statistics.stdev(differences) / math.sqrt(len(differences))


def load(folder: Path) -> tuple[str, list[dict[str, Any]]]:
    manifest = json.loads((folder / "run.json").read_text())
    records = [json.loads(line) for line in (folder / "results.jsonl").read_text().splitlines() if line.strip()]
    records = [r for r in records if "error" not in r]
    return str(manifest["options"]["benchmark"]), records


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", type=Path, help="an evaluation run folder (run.json, results.jsonl)")
    parser.add_argument("--metric", help="default: turn.recall_all@10 (LongMemEval), recall@10 (LoCoMo)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--baseline", default="hybrid", help="the recipe differences are measured from")
    parser.add_argument(
        "--leave-out",
        action="append",
        default=[],
        metavar="TYPE",
        help="leave a question type out ('category 5': LoCoMo's headline over categories 1-4); repeatable",
    )
    args = parser.parse_args(argv)
    benchmark, records = load(args.run)
    metric = args.metric or ("turn.recall_all@10" if benchmark == "longmemeval" else "recall@10")
    reader = longmemeval_rows if benchmark == "longmemeval" else locomo_rows
    rows = leave_out(reader(records, metric), args.leave_out)
    recipes = sorted(set.intersection(*(set(row.by_recipe) for row in rows))) if rows else []
    if not recipes or args.baseline not in recipes:
        raise SystemExit(f"no rows with the baseline {args.baseline!r} and metric {metric!r} in {args.run}")
    rows = [row for row in rows if set(recipes) <= set(row.by_recipe)]
    left_out = f", without {', '.join(args.leave_out)}" if args.leave_out else ""
    print(
        f"{benchmark}: {len(rows)} questions{left_out}, metric {metric}, {args.folds} folds, baseline {args.baseline}"
    )
    print("| recipe | mean | difference from baseline (± 2 SE) |")
    print("|---|---:|---:|")
    for recipe in recipes:
        difference, band = paired_difference(rows, recipe, args.baseline)
        print(f"| {recipe} | {mean(rows, recipe):.3f} | {difference:+.3f} ± {band:.3f} |")
    outcome = cross_validate(rows, recipes, args.folds)
    print("\n| fold | questions | chosen on the other folds | held-in | held-out |")
    print("|---:|---:|---|---:|---:|")
    for fold in outcome:
        print(
            f"| {fold['fold']} | {fold['questions']} | {fold['chosen']} | {fold['held_in']:.3f} | "
            f"{fold['held_out']:.3f} |"
        )
    print(f"\n| type | questions | held-out (chosen per fold) | baseline {args.baseline} |")
    print("|---|---:|---:|---:|")
    for stratum, (count, held_out_mean, base) in held_out_by_stratum(rows, outcome, args.baseline).items():
        print(f"| {stratum} | {count} | {held_out_mean:.3f} | {base:.3f} |")
    total = sum(fold["questions"] for fold in outcome)
    held_out = sum(fold["held_out"] * fold["questions"] for fold in outcome) / total
    print(
        f"\nheld-out mean of the chosen recipes: {held_out:.3f}; baseline {args.baseline} on the same "
        f"questions: {mean(rows, args.baseline):.3f}"
    )


if __name__ == "__main__":
    main()
