"""Yield, mix and speed of the rule-based fact extractor on real benchmark turns.

Runs :class:`agents.extraction.RuleBasedExtractor` over the user turns of the LongMemEval dev
samples (each distinct haystack session once, as one batch, dated with its session date) and
over every turn of the LoCoMo sample (both speakers are people; facts are about the speaker),
then prints turns processed, facts per 100 turns, facts per kind, throughput, and random
sample statements so a reader can judge precision.

    python -m bench.extraction_yield [--samples 20] [--seed 7] [--sources]
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from agents.extraction import CandidateFact, EpisodeText, RuleBasedExtractor
from memory_service.evaluation.datasets import load_locomo, load_longmemeval

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

Batch = list[EpisodeText]


def longmemeval_batches(path: Path) -> Iterator[Batch]:
    """User turns of each distinct haystack session, one batch per session."""
    seen: set[str] = set()
    for question in load_longmemeval(path):
        for session in question.sessions:
            if session.session_id in seen:
                continue
            seen.add(session.session_id)
            yield [
                EpisodeText(f"{session.session_id}_{index}", "user", turn.content, session.date, session.session_id)
                for index, turn in enumerate(session.turns, start=1)
                if turn.role == "user" and turn.content.strip()
            ]


def locomo_batches(path: Path) -> Iterator[Batch]:
    """Every turn of each LoCoMo session; the role is the speaker's name."""
    for conversation in load_locomo(path).conversations:
        for session in conversation.sessions:
            yield [
                EpisodeText(turn.dia_id, turn.speaker, turn.raw_text, session.date, session.session_id)
                for turn in session.turns
            ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA, help="the shared benchmark data folder")
    parser.add_argument("--samples", type=int, default=20, help="random statements to print")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sources", action="store_true", help="print each sample's source turn too")
    parser.add_argument("--kind", help="sample only facts of this kind (fact, preference, event, plan, profile)")
    args = parser.parse_args()

    sources = {
        "longmemeval_s_dev": longmemeval_batches(args.data / "longmemeval" / "longmemeval_s_dev.json"),
        "longmemeval_oracle_dev": longmemeval_batches(args.data / "longmemeval" / "longmemeval_oracle_dev.json"),
        "locomo_dev": locomo_batches(args.data / "locomo" / "locomo_dev.json"),
    }
    extractor = RuleBasedExtractor()
    texts: dict[str, str] = {}
    all_facts: list[CandidateFact] = []
    total_turns, total_seconds = 0, 0.0
    print(f"{'file':<24}{'turns':>7}{'facts':>7}{'per 100':>9}{'turns/s':>10}")
    for name, batches in sources.items():
        turns, facts, seconds = 0, 0, 0.0
        for batch in batches:
            texts.update((episode.id, episode.content) for episode in batch)
            started = time.perf_counter()
            result = extractor.extract(batch)
            seconds += time.perf_counter() - started
            turns += len(batch)
            facts += len(result.facts)
            all_facts.extend(result.facts)
        total_turns, total_seconds = total_turns + turns, total_seconds + seconds
        print(f"{name:<24}{turns:>7}{facts:>7}{100 * facts / max(turns, 1):>9.1f}{turns / max(seconds, 1e-9):>10.0f}")
    print(
        f"{'all':<24}{total_turns:>7}{len(all_facts):>7}{100 * len(all_facts) / max(total_turns, 1):>9.1f}"
        f"{total_turns / max(total_seconds, 1e-9):>10.0f}"
    )

    kinds = Counter(fact.kind for fact in all_facts)
    families = Counter(fact.attribute.split(":", 1)[0] for fact in all_facts)
    print("\nfacts per kind: " + ", ".join(f"{kind} {count}" for kind, count in kinds.most_common()))
    print(f"negated: {sum(fact.negated for fact in all_facts)}")
    print("top attribute families: " + ", ".join(f"{family} {count}" for family, count in families.most_common(15)))

    print(f"\n{args.samples} random {args.kind or ''} facts (seed {args.seed}):".replace("  ", " "))
    pool = [fact for fact in all_facts if args.kind in (None, fact.kind)]
    for fact in random.Random(args.seed).sample(pool, min(args.samples, len(pool))):
        when = fact.valid_at.date().isoformat() if fact.valid_at else "-"
        flag = " NEGATED" if fact.negated else ""
        print(f"- {fact.statement}  [{fact.kind} {fact.attribute} {when} c={fact.confidence}{flag}]")
        if args.sources:
            print(f"    <- {' '.join(texts[fact.source_episode_ids[0]].split())[:300]}")


if __name__ == "__main__":
    main()
