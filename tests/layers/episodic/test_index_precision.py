"""The service with fp16 indexes: same answers as fp32, and a change of precision rebuilds the saved index."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path

import pytest

from memory_service.domain import NewMessage, SearchQuery
from memory_service.runtime import Runtime, build_runtime
from memory_service.settings import Settings
from retrieval.embedder import SentenceTransformerEmbedder
from tests.layers.episodic.test_service import CONVERSATION as BASE_CONVERSATION
from tests.layers.episodic.test_service import NS, T0

CONVERSATION = [
    *BASE_CONVERSATION,
    NewMessage("user", "My favourite dish is mushroom risotto with parmesan.", T0 + timedelta(days=41)),
]
NOTES = [NewMessage("user", f"Note {i}: remember errand number {i} for the week.", T0) for i in range(40)]
QUESTIONS = {
    "What is the name of my dog?": CONVERSATION[0].content,
    "Who is visiting from Portugal?": CONVERSATION[2].content,
    "Which race am I preparing for?": CONVERSATION[3].content,
    "What food do I like best?": CONVERSATION[4].content,
}


def top_hits(runtime: Runtime, user: str) -> dict[str, str]:
    return {q: runtime.search.search(NS, SearchQuery(q, user, top_k=3))[0].text for q in QUESTIONS}


def manifest(settings: Settings) -> dict[str, object]:
    (path,) = settings.index_dir.rglob("manifest.json")
    return json.loads(path.read_text())


def test_fp16_indexes_answer_like_fp32_ones_past_the_ivf_threshold(
    settings: Settings, embedder: SentenceTransformerEmbedder, user_id: str
) -> None:
    """Turn and round-key indexes both grow to IVF here, so every FAISS index the service builds is fp16."""
    answers = {}
    for precision in ("fp32", "fp16"):
        runtime = build_runtime(
            settings.model_copy(
                update={"index_precision": precision, "ivf_threshold": 30, "data_dir": settings.data_dir / precision}
            ),
            embedder=embedder,
        )
        user = f"{user_id}-{precision}"
        runtime.episodic.add_messages(NS, f"{user}-s", user, CONVERSATION)
        runtime.search.search(NS, SearchQuery("dog", user))  # loads the index: the notes below grow it
        runtime.episodic.add_messages(NS, f"{user}-notes", user, NOTES)
        answers[precision] = top_hits(runtime, user)
        ((_, index),) = runtime.indexes.loaded.items()
        assert index.dense.backend == index.rounds.dense.backend == "faiss-ivf"
        assert index.dense.precision == index.rounds.dense.precision == precision
        runtime.close()
    assert answers["fp16"] == answers["fp32"] == QUESTIONS


def test_changing_the_precision_rebuilds_the_saved_index(
    settings: Settings, embedder: SentenceTransformerEmbedder, user_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="memory_service.layers.episodic.index")
    runtime = build_runtime(settings, embedder=embedder)
    runtime.episodic.add_messages(NS, f"{user_id}-s", user_id, CONVERSATION)
    assert top_hits(runtime, user_id) == QUESTIONS
    runtime.close()
    assert manifest(settings)["precision"] == "fp32"

    half = settings.model_copy(update={"index_precision": "fp16"})
    caplog.clear()
    again = build_runtime(half, embedder=embedder)
    assert top_hits(again, user_id) == QUESTIONS
    assert "rebuilding the dense index" in caplog.text
    again.close()
    assert manifest(half)["precision"] == "fp16"

    caplog.clear()
    third = build_runtime(half, embedder=embedder)
    assert top_hits(third, user_id) == QUESTIONS
    assert "rebuilding" not in caplog.text  # the saved fp16 index is the right one now
    third.close()


def test_a_manifest_without_precision_is_read_as_fp32(
    sqlite_settings: Settings, embedder: SentenceTransformerEmbedder, user_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = build_runtime(sqlite_settings, embedder=embedder)
    runtime.episodic.add_messages(NS, f"{user_id}-s", user_id, CONVERSATION)
    runtime.search.search(NS, SearchQuery("dog", user_id))
    runtime.close()
    (path,) = sqlite_settings.index_dir.rglob("manifest.json")
    written = json.loads(path.read_text())
    del written["precision"]
    Path(path).write_text(json.dumps(written))
    caplog.set_level(logging.INFO, logger="memory_service.layers.episodic.index")
    again = build_runtime(sqlite_settings, embedder=embedder)
    assert top_hits(again, user_id) == QUESTIONS
    assert "rebuilding" not in caplog.text
    again.close()
