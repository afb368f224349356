"""Time a LongMemEval run and extrapolate it to the full 500-question LongMemEval_S.

Runs the evaluation exactly as ``memory-service eval longmemeval`` does (in process on a fresh
embedded store, or against ``--url``) on the first ``--limit`` questions of the LongMemEval_S
development sample, then prints seconds per question for ingest and for searching, and the
wall time 500 questions would take at that rate.

    python -m bench.eval_longmemeval [--limit 4] [--recipe hybrid ...] [--ingest all|user] [--workers 1] [--url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from memory_service.evaluation.client import ClientConfig
from memory_service.evaluation.options import make_options
from memory_service.evaluation.runner import RunRequest, embedded_store, run_evaluation

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "longmemeval" / "longmemeval_s_dev.json"
FULL_RUN = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--limit", type=int, default=4, help="questions to time")
    parser.add_argument("--recipe", action="append", help="search recipe; repeat to time several [hybrid]")
    parser.add_argument("--granularity", default="both", choices=("session", "turn", "both"))
    parser.add_argument("--ingest", default="all", choices=("all", "user"), help="all turns, or user turns only")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--url", help="time a running server instead of the embedded service")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

    options = make_options(
        "longmemeval", recipes=args.recipe, granularity=args.granularity, limit=args.limit, ingest=args.ingest
    )
    with tempfile.TemporaryDirectory() as out:
        request = embedded_store(
            RunRequest(args.data, Path(out), options, ClientConfig(url=args.url), workers=args.workers)
        )
        started = time.perf_counter()
        outcome = run_evaluation(request)
        wall = time.perf_counter() - started
        records = [json.loads(line) for line in (Path(out) / "results.jsonl").read_text().splitlines()]

    done = [record for record in records if not record.get("error")]
    questions = len(done)
    turns = sum(record["ingest"]["turns"] for record in done)
    ingest = [record["ingest"]["seconds"] for record in done]
    searches = [ms for record in done for recipe in record["recipes"].values() for ms in recipe["latency_ms"].values()]
    per_question = [record["seconds"] for record in done]
    searches_per_question = len(searches) / questions if questions else 0
    recipes = ", ".join(options.recipes)
    print(f"data: {args.data.name}, {questions} questions, recipes {recipes}, {args.workers} worker(s)")
    ingest_s = statistics.fmean(ingest)
    rate = turns / sum(ingest)
    print(f"ingest: {ingest_s:7.2f} s/question  ({turns / questions:.0f} turns each, {rate:.1f} turns/s)")
    query_s = statistics.fmean(searches) * searches_per_question / 1000
    p50 = statistics.median(searches)
    print(f"query:  {query_s:7.2f} s/question  ({searches_per_question:.0f} searches each, p50 {p50:.1f} ms)")
    print(f"work:   {statistics.fmean(per_question):7.2f} s/question  (ingest + searches + scoring + delete)")
    print(f"wall:   {wall / questions:7.2f} s/question  ({wall:.1f} s in all, model load included)")
    estimate = wall / questions * FULL_RUN
    print(f"LongMemEval_S, {FULL_RUN} questions: ~{estimate / 3600:.2f} h ({estimate / 60:.0f} min) at this rate")
    if outcome.failed:
        print(f"{outcome.failed} question(s) failed; see the errors in results.jsonl")


if __name__ == "__main__":
    main()
