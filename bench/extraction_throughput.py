"""Extraction through the service: episodes per second from ``infer=true`` writes to consolidated facts.

The LoCoMo sample conversation is written session by session with ``infer=true`` into an
embedded store; the clock runs from the first write until the durable queue is idle, so it
covers storing, queueing, graph ingest, fact extraction, consolidation (related memories
found by dense + BM25 search, ADD/UPDATE/DELETE/NOOP) and the semantic index. Two runs:

- offline: the rule-based statement reader and memory manager (no LLM configured);
- mocked LLM: the LLM statement reader through litellm with ``mock_response`` (no network),
  one call per batch answering one statement per episode, so the figure is the service's own
  cost around the model (a real model adds its latency per batch).

    python -m bench.extraction_throughput [--sessions N]
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from agents import llm
from agents.statements import LLMStatementExtractor
from memory_service.domain import NewMessage
from memory_service.evaluation.datasets import load_locomo
from memory_service.runtime import Runtime, build_runtime
from memory_service.settings import Settings
from memory_service.store.tables import MemoryRow

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "locomo" / "locomo_dev.json"
USER = "bench-extraction"
EPISODE_ID = re.compile(r"\[id=([^\]]+)\] [^ ]+ [^:]+: (.*)")


def mocked_complete(model: str, messages: list[dict[str, str]], **options: Any) -> llm.Completion:
    """litellm with ``mock_response``: one statement per episode of the prompt, citing it."""
    facts = [
        {
            "subject": "user",
            "attribute": f"said:{n}",
            "statement": f"User said: {text[:120]}",
            "kind": "fact",
            "source_ids": [episode_id],
        }
        for n, (episode_id, text) in enumerate(EPISODE_ID.findall(messages[-1]["content"]))
    ]
    return llm.complete(model, messages, mock_response=json.dumps({"statements": facts}), **options)


def run(folder: Path, sessions: list[list[NewMessage]], prepare: Callable[[Runtime], None]) -> tuple[float, float, int]:
    """(episodes/s of the whole pass, episodes/s of extraction alone, memories stored).

    The background worker is stopped and the queue drained here once every session is stored,
    so extraction is timed on its own: the writes' embedding would otherwise share the CPU.
    """
    runtime = build_runtime(Settings(data_dir=folder))
    try:
        prepare(runtime)
        runtime.extraction.close()
        episodes = sum(len(s) for s in sessions)
        started = time.perf_counter()
        for index, messages in enumerate(sessions):
            runtime.episodic.add_messages("default", f"conv-{index}", USER, messages, infer=True)
        stored = time.perf_counter()
        while runtime.extraction.run_once():
            pass
        done = time.perf_counter()
        assert runtime.semantic.extraction_status("default", USER).idle
        with runtime.db.read() as db:
            memories = db.scalar(select(func.count()).select_from(MemoryRow)) or 0
        return episodes / (done - started), episodes / (done - stored), memories
    finally:
        runtime.close()


def _offline(runtime: Runtime) -> None:
    """The runtime as built without an LLM: rule-based extraction and consolidation."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--sessions", type=int, default=None, help="only the first N sessions")
    args = parser.parse_args()

    conversation = load_locomo(args.data).conversations[0]
    sessions = [
        [
            NewMessage(
                "user" if turn.speaker == conversation.speakers[0] else "assistant",
                turn.text,
                session.date + timedelta(seconds=position),
            )
            for position, turn in enumerate(session.turns)
            if turn.text.strip()
        ]
        for session in conversation.sessions[: args.sessions]
    ]
    episodes = sum(len(s) for s in sessions)

    def use_mocked_llm(runtime: Runtime) -> None:
        runtime.extraction.extractor = LLMStatementExtractor("gpt-4o-mini", complete=mocked_complete)

    print(f"LoCoMo {conversation.sample_id}: {len(sessions)} sessions, {episodes} episodes, written with infer=true")
    for name, prepare in (("offline rules", _offline), ("mocked LLM (litellm mock_response)", use_mocked_llm)):
        with tempfile.TemporaryDirectory() as folder:
            whole, extraction, memories = run(Path(folder), sessions, prepare)
        print(
            f"{name}: extraction {extraction:,.0f} episodes/s; with the writes' own embedding "
            f"{whole:,.0f} episodes/s ({memories} memories)"
        )


if __name__ == "__main__":
    main()
