"""Session-granularity search against turn search at the same depth, through the in-process SDK.

Stores the haystacks of the first LongMemEval_S dev questions (about 500 turns each, one
partition per question, as an evaluation does), then asks every dev question of each partition
at turn and at session granularity, interleaved so both see the same machine load, and prints
p50 / p95 latency and the session/turn ratio. Set ``MEMORY_EMBEDDING_CACHE_DIR`` to make the
ingest of a second run cheap.

    python -m bench.session_search [--questions 2] [--top-k 10 50]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from memory_service.evaluation.datasets import load_longmemeval
from memory_service.sdk.local import LocalMemoryClient
from memory_service.settings import Settings

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "longmemeval" / "longmemeval_s_dev.json"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--questions", type=int, default=2, help="haystacks to store, one partition each")
    parser.add_argument("--top-k", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--rounds", type=int, default=3, help="times each query is asked")
    args = parser.parse_args()
    questions = load_longmemeval(args.data)
    queries = [q.question for q in questions]
    with tempfile.TemporaryDirectory() as folder:
        client = LocalMemoryClient.open(Settings(data_dir=Path(folder)))
        try:
            started = time.perf_counter()
            turns = 0
            for n, question in enumerate(questions[: args.questions]):
                for session in question.sessions:
                    said = [
                        {"role": t.role, "content": t.content, "occurred_at": session.date}
                        for t in session.turns
                        if t.content.strip()
                    ]
                    turns += len(said)
                    client.add_messages(session.session_id, f"q{n}", said)
            print(f"stored {turns} turns in {args.questions} partitions in {time.perf_counter() - started:.1f} s")
            for k in args.top_k:
                latency: dict[str, list[float]] = {"turn": [], "session": []}
                for _ in range(args.rounds):
                    for n in range(args.questions):
                        for query in queries:
                            for granularity in ("turn", "session"):
                                t0 = time.perf_counter()
                                client.search(query, f"q{n}", top_k=k, granularity=granularity, reinforce=False)  # type: ignore[arg-type]
                                latency[granularity].append((time.perf_counter() - t0) * 1000)
                turn, session = latency["turn"], latency["session"]
                ratio = statistics.median(session) / statistics.median(turn)
                print(
                    f"top_k {k}: turn p50 {statistics.median(turn):.1f} ms p95 {percentile(turn, 0.95):.1f} ms; "
                    f"session p50 {statistics.median(session):.1f} ms p95 {percentile(session, 0.95):.1f} ms; "
                    f"session/turn p50 {ratio:.2f}x ({len(turn)} searches each)"
                )
        finally:
            client.close()


if __name__ == "__main__":
    main()
