"""A conversation forgotten while its extraction is under way leaves nothing that task drew from it.

The worker reads a task's episodes, then spends its time extracting (a model call, in
production) before it writes. A forgetting that lands in between must not be undone by the
task's writes: the task finds its episodes gone, under the same user lock the forgetting took,
and what it drew from them never stands in any layer, table, index or file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from agents.extraction import EpisodeText
from agents.statements import StatementBatch, StatementExtractor
from memory_service.domain import NewMessage, SearchQuery
from memory_service.runtime import Runtime
from tests.layers.test_forgetting_leaves_no_trace import files_holding, rows_holding

NS = "default"
SECRET = "Zanzibarian marmalade"
FORGOTTEN = f"I live in Porto and I work at {SECRET} Limited."
KEPT = "I have a dog named Biscuit."


class ForgetsWhileReading:
    """The real extractor, with a forgetting arriving while it reads the batch."""

    def __init__(self, inner: StatementExtractor, meanwhile: Callable[[], object]) -> None:
        self.inner = inner
        self.meanwhile = meanwhile

    def extract(self, episodes: Sequence[EpisodeText]) -> StatementBatch:
        batch = self.inner.extract(episodes)
        self.meanwhile()
        return batch


def test_a_session_forgotten_mid_extraction_leaves_nothing_of_it(runtime: Runtime, user_id: str) -> None:
    runtime.extraction.close()  # this test drives the worker itself
    at = datetime(2024, 3, 1, tzinfo=UTC)
    runtime.episodic.add_messages(NS, "gone", user_id, [NewMessage("user", FORGOTTEN, at)], infer=True)
    runtime.episodic.add_messages(NS, "kept", user_id, [NewMessage("user", KEPT, at)], infer=True)
    forgotten = []
    runtime.extraction.extractor = ForgetsWhileReading(
        runtime.extraction.extractor,
        lambda: forgotten.append(runtime.forgetting.delete_session(NS, "gone")) if not forgotten else None,
    )

    assert runtime.extraction.drain() >= 1
    assert forgotten and forgotten[0].episode_ids

    for layers in (("semantic",), ("graph",), ("episodic",)):
        hits = runtime.search.search(NS, SearchQuery("where do I live and work?", user_id, layers=layers, top_k=20))
        assert not [h.text for h in hits if "Porto" in h.text or SECRET in h.text], layers
    assert rows_holding(runtime, SECRET) == []
    # (Other tests' users live in Porto too: this user's own memories and relations are read.)
    past_and_present = runtime.semantic.list_memories(NS, user_id, include_invalid=True).items
    assert not [m.text for m in past_and_present if "Porto" in m.text]
    relations = runtime.graph.edges(NS, user_id, include_past=True).items
    assert not [r.fact for r in relations if "Porto" in r.fact]
    assert files_holding(runtime.settings.data_dir, SECRET) == []
    assert runtime.semantic.extraction_status(NS, user_id).idle
    # What the other conversation said was learned as usual.
    dog = runtime.search.search(NS, SearchQuery("what is my dog called?", user_id, layers=("semantic",)))
    assert any("Biscuit" in h.text for h in dog)
