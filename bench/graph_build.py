"""Offline graph building on the LoCoMo sample and LongMemEval user turns: speed and a sample to judge.

Extracts with the rule-based graph extractor, resolves and stores into one temporal graph per
conversation (LoCoMo) or per question's haystack (LongMemEval), and prints episodes per second,
entity / relation / merge / invalidation counts, predicate counts and a random sample of
relations so a reader can judge precision.

    python -m bench.graph_build [--sample 25] [--seed 7] [--embed]
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from agents.extraction.models import EpisodeText
from agents.graph_extraction import RuleGraphExtractor
from graph.ingest import Embed, GraphChanges, apply_extraction
from graph.temporal_graph import TemporalGraph
from memory_service.evaluation.datasets import load_locomo, load_longmemeval

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def build(episodes: list[EpisodeText], embed: Embed | None) -> tuple[TemporalGraph, GraphChanges, float]:
    """One graph from the episodes, one extraction per episode as the service would run it."""
    graph, total = TemporalGraph(), GraphChanges()
    extractor = RuleGraphExtractor()
    started = time.perf_counter()
    for episode in episodes:
        found = extractor.extract([episode])
        changes = apply_extraction(graph, found.entities, found.relations, embed=embed)
        total.entities_created += changes.entities_created
        total.entities_merged += changes.entities_merged
        total.relations_added += changes.relations_added
        total.relations_reinforced += changes.relations_reinforced
        total.relations_invalidated += changes.relations_invalidated
    return graph, total, time.perf_counter() - started


def describe(graph: TemporalGraph, changes: GraphChanges) -> str:
    return (
        f"entities {len(graph.entities)} (merged mentions {changes.entities_merged}), "
        f"relations {len(graph.relations)} (current {len(graph.current_relations())}, "
        f"reinforced {changes.relations_reinforced}, invalidated {changes.relations_invalidated})"
    )


def show(graphs: list[TemporalGraph], sample: int, rng: random.Random) -> None:
    pairs = [(g, r) for g in graphs for r in sorted(g.relations.values(), key=lambda r: r.id)]
    for graph, r in rng.sample(pairs, min(sample, len(pairs))):
        state = "current" if r.is_current else f"until {r.invalid_at:%Y-%m-%d}"
        when = f"{r.valid_at:%Y-%m-%d}" if r.valid_at else "?"
        print(
            f"  {graph.entity(r.source_id).name} -{r.predicate}-> {graph.entity(r.target_id).name}"
            f"  [{when}, {state}]  {r.fact!r}"
        )


def locomo(sample: int, rng: random.Random, embed: Embed | None) -> None:
    dataset = load_locomo(DATA / "locomo" / "locomo_dev.json")
    for conversation in dataset.conversations:
        episodes = [
            EpisodeText(turn.dia_id, turn.speaker, turn.text, session.date + timedelta(minutes=i), session.session_id)
            for session in conversation.sessions
            for i, turn in enumerate(session.turns)
        ]
        graph, changes, seconds = build(episodes, embed)
        print(
            f"LoCoMo {conversation.sample_id}: {len(episodes)} episodes in {seconds:.2f}s "
            f"({len(episodes) / seconds:.0f} episodes/s)"
        )
        print(f"  {describe(graph, changes)}")
        predicates = Counter(r.predicate for r in graph.relations.values())
        print(f"  predicates: {dict(predicates.most_common())}")
        people = sorted(e.name for e in graph.entities.values() if e.type == "person")
        print(f"  people: {people}")
        print(f"  sample of {sample} relations:")
        show([graph], sample, rng)


def longmemeval(sample: int, rng: random.Random, embed: Embed | None) -> None:
    questions = load_longmemeval(DATA / "longmemeval" / "longmemeval_s_dev.json")
    episodes_total, seconds_total, graphs = 0, 0.0, []
    predicates: Counter[str] = Counter()
    for question in questions:
        episodes = [
            EpisodeText(f"{s.session_id}_{i}", "user", turn.content, s.date + timedelta(minutes=i), s.session_id)
            for s in question.sessions
            for i, turn in enumerate(s.turns, start=1)
            if turn.role == "user"
        ]
        graph, changes, seconds = build(episodes, embed)
        episodes_total += len(episodes)
        seconds_total += seconds
        predicates.update(r.predicate for r in graph.relations.values())
        graphs.append((graph, changes))
    entities = sum(len(g.entities) for g, _ in graphs)
    relations = sum(len(g.relations) for g, _ in graphs)
    merged = sum(c.entities_merged for _, c in graphs)
    invalidated = sum(c.relations_invalidated for _, c in graphs)
    print(
        f"LongMemEval_S dev user turns: {len(questions)} haystacks, {episodes_total} episodes in "
        f"{seconds_total:.2f}s ({episodes_total / seconds_total:.0f} episodes/s)"
    )
    print(f"  entities {entities}, relations {relations}, merged mentions {merged}, invalidated {invalidated}")
    print(f"  predicates: {dict(predicates.most_common())}")
    print(f"  sample of {sample} relations (all haystacks):")
    show([g for g, _ in graphs], sample, rng)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=25, help="relations printed per dataset")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--embed", action="store_true", help="resolve names with the packaged embedding model too")
    args = parser.parse_args()
    embed: Embed | None = None
    if args.embed:
        from retrieval.embedder import SentenceTransformerEmbedder

        embed = SentenceTransformerEmbedder(device="cpu").embed_batch
    rng = random.Random(args.seed)
    locomo(args.sample, rng, embed)
    print()
    longmemeval(args.sample, rng, embed)


if __name__ == "__main__":
    main()
