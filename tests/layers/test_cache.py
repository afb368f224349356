"""The partition cache on its own: one LRU order and one bound over every layer, revisions, idling."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from memory_service.layers.cache import CacheLayer, PartitionCache, PartitionKey, exactly

A, B, C = 1, 2, 3


@dataclass
class State:
    revision: int = 0
    dirty: bool = False


class Clock:
    """Monotonic seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Layers:
    """The three layers on one cache, each recording what its unload hook was handed."""

    def __init__(self, max_loaded: int) -> None:
        self.clock = Clock()
        self.cache = PartitionCache(max_loaded, clock=self.clock)
        self.unloaded: list[tuple[str, PartitionKey]] = []
        self.episodic: CacheLayer[State] = self.cache.layer("episodic", unload=self._hook("episodic"))
        self.semantic: CacheLayer[State] = self.cache.layer("semantic", unload=self._hook("semantic"), fresh=exactly)
        self.graph: CacheLayer[State] = self.cache.layer("graph", unload=self._hook("graph"), fresh=exactly)

    def _hook(self, name: str) -> Callable[[PartitionKey, State], None]:
        return lambda key, _: self.unloaded.append((name, key))


def test_least_recently_used_order_spans_the_layers() -> None:
    layers = Layers(max_loaded=2)
    layers.episodic.put(A, State())
    layers.semantic.put(B, State())
    assert layers.episodic.get(A) is not None  # A used after B: B is now the least recently used
    layers.graph.put(C, State())
    assert layers.cache.loaded() == {A: ("episodic",), C: ("graph",)}
    assert layers.unloaded == [("semantic", B)]


def test_the_bound_counts_partitions_of_all_layers_together() -> None:
    layers = Layers(max_loaded=2)
    layers.episodic.put(A, State())
    layers.semantic.put(B, State())
    layers.graph.put(C, State())  # three layers, three partitions: one too many
    assert layers.cache.loaded() == {B: ("semantic",), C: ("graph",)}
    assert layers.unloaded == [("episodic", A)]


def test_a_partition_counts_once_however_many_layers_hold_it_and_unloads_whole() -> None:
    layers = Layers(max_loaded=2)
    for layer in (layers.episodic, layers.semantic, layers.graph):
        layer.put(A, State())
    layers.episodic.put(B, State())
    assert layers.cache.loaded_partitions() == 2 and not layers.unloaded
    layers.semantic.put(C, State())
    assert layers.cache.loaded() == {B: ("episodic",), C: ("semantic",)}
    assert sorted(layers.unloaded) == [("episodic", A), ("graph", A), ("semantic", A)]
    assert len(layers.episodic) == len(layers.semantic) == 1 and len(layers.graph) == 0


def test_idle_unloading_applies_to_every_layer_entry_by_entry() -> None:
    layers = Layers(max_loaded=10)
    layers.episodic.put(A, State())
    layers.graph.put(A, State())
    layers.semantic.put(B, State())
    layers.graph.put(C, State())
    layers.clock.now = 100.0
    assert layers.episodic.get(A) is not None  # A's episodic entry is busy, its graph is not
    assert layers.cache.unload_idle(60) == 3
    assert sorted(layers.unloaded) == [("graph", A), ("graph", C), ("semantic", B)]
    assert layers.cache.loaded() == {A: ("episodic",)}
    layers.clock.now = 160.0
    assert layers.cache.unload_idle(60) == 1 and layers.cache.loaded() == {}


def test_an_entry_is_used_only_at_a_revision_its_layer_accepts() -> None:
    layers = Layers(max_loaded=10)
    layers.episodic.put(A, State(revision=3))
    layers.semantic.put(A, State(revision=3))
    assert layers.episodic.get(A, 3) is not None
    assert layers.episodic.get(A, 2) is not None  # a write that ran ahead of the caller's read
    assert layers.semantic.get(A, 2) is None  # this layer wants the very revision it read
    assert layers.episodic.get(A, 4) is None  # stale: the layer catches it up ...
    stale = layers.episodic.peek(A)
    assert stale is not None and stale.revision == 3  # ... and may reuse what it has
    assert layers.episodic.put(A, State(revision=4)).revision == 4
    assert layers.episodic.get(A, 4) is not None


def test_an_older_snapshot_never_replaces_a_newer_entry() -> None:
    layers = Layers(max_loaded=10)
    newer = layers.graph.put(A, State(revision=5))
    assert layers.graph.put(A, State(revision=4)) is newer
    assert layers.graph.peek(A) is newer


def test_a_dirty_entry_is_handed_to_its_hook_when_the_bound_unloads_it() -> None:
    clock = Clock()
    cache = PartitionCache(1, clock=clock)
    saved: list[State] = []
    episodic: CacheLayer[State] = cache.layer("episodic", unload=lambda _, state: saved.append(state))
    changed = episodic.put(A, State(revision=1))
    changed.dirty = True
    episodic.put(B, State(revision=1))
    assert saved == [changed] and episodic.get(A) is None


def test_a_dropped_entry_skips_its_hook() -> None:
    layers = Layers(max_loaded=10)
    layers.episodic.put(A, State())
    assert layers.episodic.pop(A) is not None and layers.episodic.pop(A) is None
    assert layers.cache.loaded() == {} and not layers.unloaded


def test_every_hook_runs_when_one_fails() -> None:
    cache = PartitionCache(1)
    dropped: list[PartitionKey] = []

    def fail(key: PartitionKey, _: State) -> None:
        raise OSError("disk full")

    episodic: CacheLayer[State] = cache.layer("episodic", unload=fail)
    semantic: CacheLayer[State] = cache.layer("semantic", unload=lambda key, _: dropped.append(key))
    episodic.put(A, State())
    semantic.put(A, State())
    with pytest.raises(OSError, match="disk full"):
        semantic.put(B, State())
    assert dropped == [A] and cache.loaded() == {B: ("semantic",)}


def test_each_layer_registers_once_and_the_bound_is_positive() -> None:
    cache = PartitionCache(1)
    cache.layer("graph")
    with pytest.raises(ValueError, match="already uses this cache"):
        cache.layer("graph")
    with pytest.raises(ValueError, match="at least 1"):
        PartitionCache(0)


def test_concurrent_layers_keep_the_bound() -> None:
    layers = Layers(max_loaded=4)
    lock = threading.Lock()
    errors: list[Exception] = []

    def work(layer: CacheLayer[State], offset: int) -> None:
        try:
            for n in range(300):
                key = (n * 7 + offset) % 12
                if layer.get(key) is None:
                    layer.put(key, State())
        except Exception as exc:  # reported by the test, not lost in the thread
            with lock:
                errors.append(exc)

    threads = [
        threading.Thread(target=work, args=(layer, offset))
        for offset, layer in enumerate((layers.episodic, layers.semantic, layers.graph) * 2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert layers.cache.loaded_partitions() <= 4
    loaded_entries = sum(len(layer) for layer in (layers.episodic, layers.semantic, layers.graph))
    assert loaded_entries == sum(len(names) for names in layers.cache.loaded().values())
