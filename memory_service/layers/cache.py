"""One cache for the per-partition state that every memory layer keeps loaded.

Each layer derives per-partition state from the store (the episodic FAISS and BM25 indexes, the
semantic indexes, the temporal graph) and keeps it in memory between requests. They share this
cache so that one bound, ``max_loaded_partitions``, holds for all of them together, and so that
idle state unloads in every layer alike.

**The bound counts partitions, not layer entries.** A partition (one user of one namespace) is
loaded while any layer holds an entry for it; past the bound, the least recently used partition
(the one whose latest use in any layer is the oldest) unloads whole, every layer's entry at once.
Why partitions:

- the setting is named and described as partitions, the unit of sharding, and it is sized as
  "how many users stay warm";
- one search reads all its layers of one user together: counting entries, a bound smaller than
  the layers a search touches would evict that search's own entries and reload them every time;
- memory stays bounded all the same: at most ``max_loaded_partitions`` partitions, each with one
  entry per layer, where three caches bounded on their own held three times as many partitions.

Idle unloading is per entry: a layer's entry unused for ``max_idle_s`` goes even while another
layer of the partition is busy, so memory follows use.

**Revisions.** Every value carries ``revision``, the store revision it reflects. A layer asks for
an entry with the store's current revision and gets it only if its layer's freshness rule accepts
it; a stale one the layer reloads or catches up itself (``peek`` hands it the stale value when
parts of it can be kept). Replicas sharing a store so catch up on use.

**Threads.** One lock guards the bookkeeping, never held while an unload hook runs (the episodic
one writes files). Locks that serialize one partition's loads and writes stay in the layers.

Pure: no I/O, no store; the clock is injectable.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, cast

log = logging.getLogger(__name__)

PartitionKey = int
"""A user's primary key: the name every layer gives the partition, so the cache counts it once."""


class Revisioned(Protocol):
    """A cached value: ``revision`` is the store revision it reflects (the layer's own counter)."""

    revision: int


V = TypeVar("V", bound=Revisioned)

Fresh = Callable[[int, int], bool]
"""(revision an entry reflects, the store's revision) -> whether the entry may be used as is."""


def at_least(held: int, store: int) -> bool:
    """Fresh when it has seen every write the caller saw: a concurrent write may run ahead."""
    return held >= store


def exactly(held: int, store: int) -> bool:
    """Fresh only at the very revision the caller read."""
    return held == store


@dataclass
class _Entry:
    value: Any
    last_used: float
    """Clock reading (monotonic seconds) of the entry's latest use."""


@dataclass(frozen=True)
class _Layer:
    unload: Callable[[PartitionKey, Any], None] | None
    fresh: Fresh


class PartitionCache:
    """Loaded per-partition state of all layers: LRU over partitions, one bound, idle unload.

    ``max_loaded_partitions`` counts partitions with any layer loaded (see the module's doc for
    why). ``clock`` reads monotonic seconds; tests pass a fake one.
    """

    def __init__(self, max_loaded_partitions: int = 1024, *, clock: Callable[[], float] = time.monotonic) -> None:
        if max_loaded_partitions < 1:
            raise ValueError(f"max_loaded_partitions must be at least 1, got {max_loaded_partitions}")
        self.max_loaded_partitions = max_loaded_partitions
        self.clock = clock
        self._partitions: OrderedDict[PartitionKey, dict[str, _Entry]] = OrderedDict()  # least recently used first
        self._layers: dict[str, _Layer] = {}
        self._guard = threading.Lock()

    def layer(
        self,
        name: str,
        *,
        unload: Callable[[PartitionKey, V], None] | None = None,
        fresh: Fresh = at_least,
    ) -> CacheLayer[V]:
        """Register a layer: its view of the cache.

        ``unload(key, value)`` runs when the cache takes an entry out of memory (for the bound or
        for idleness), outside the cache's lock; an entry dropped with ``CacheLayer.pop`` skips
        it. ``fresh`` is the layer's rule for using an entry at a store revision.
        """
        with self._guard:
            if name in self._layers:
                raise ValueError(f"a layer named {name!r} already uses this cache; give each layer its own name")
            self._layers[name] = _Layer(unload, fresh)
        return CacheLayer(self, name)

    # -- the whole cache ------------------------------------------------------------------

    def loaded_partitions(self) -> int:
        """Partitions with at least one layer loaded: what ``max_loaded_partitions`` bounds."""
        with self._guard:
            return len(self._partitions)

    def loaded(self) -> dict[PartitionKey, tuple[str, ...]]:
        """Each loaded partition's layers, least recently used partition first."""
        with self._guard:
            return {key: tuple(layers) for key, layers in self._partitions.items()}

    def unload_idle(self, max_idle_s: float) -> int:
        """Unload every layer's entries unused for ``max_idle_s`` seconds; returns how many.

        An entry the layer changed since loading it is saved first by the layer's hook.
        """
        cutoff = self.clock() - max_idle_s
        idle: list[tuple[str, PartitionKey, Any]] = []
        with self._guard:
            for key, layers in list(self._partitions.items()):
                for name, entry in list(layers.items()):
                    if entry.last_used <= cutoff:
                        del layers[name]
                        idle.append((name, key, entry.value))
                if not layers:
                    del self._partitions[key]
        self._unload(idle)
        return len(idle)

    # -- one layer's entries (through CacheLayer) -----------------------------------------

    def _get(self, name: str, key: PartitionKey, revision: int | None) -> Any:
        with self._guard:
            entry = self._partitions.get(key, {}).get(name)
            if entry is None:
                return None
            if revision is not None and not self._layers[name].fresh(entry.value.revision, revision):
                return None
            entry.last_used = self.clock()
            self._partitions.move_to_end(key)
            return entry.value

    def _peek(self, name: str, key: PartitionKey) -> Any:
        with self._guard:
            entry = self._partitions.get(key, {}).get(name)
            return entry.value if entry is not None else None

    def _put(self, name: str, key: PartitionKey, value: Any) -> Any:
        with self._guard:
            layers = self._partitions.setdefault(key, {})
            held = layers.get(name)
            now = self.clock()
            if held is None or held.value.revision <= value.revision:
                layers[name] = _Entry(value, now)
            else:  # a slower load of an older snapshot never replaces a newer entry
                held.last_used = now
                value = held.value
            self._partitions.move_to_end(key)
            evicted: list[tuple[str, PartitionKey, Any]] = []
            while len(self._partitions) > self.max_loaded_partitions:
                oldest, entries = self._partitions.popitem(last=False)
                evicted.extend((layer, oldest, entry.value) for layer, entry in entries.items())
        self._unload(evicted)
        return value

    def _pop(self, name: str, key: PartitionKey) -> Any:
        with self._guard:
            layers = self._partitions.get(key)
            if layers is None:
                return None
            entry = layers.pop(name, None)
            if not layers:
                del self._partitions[key]
            return entry.value if entry is not None else None

    def _values(self, name: str) -> list[tuple[PartitionKey, Any]]:
        with self._guard:
            return [(key, layers[name].value) for key, layers in self._partitions.items() if name in layers]

    def _unload(self, taken: list[tuple[str, PartitionKey, Any]]) -> None:
        """Run the hooks of entries already out of the cache; every hook runs, the first failure
        is raised after (the entry stays unloaded: it is derived data, rebuilt on its next use)."""
        failure: Exception | None = None
        for name, key, value in taken:
            hook = self._layers[name].unload
            try:
                if hook is not None:
                    hook(key, value)
            except Exception as exc:  # re-raised below, once every hook has run
                failure = failure or exc
            log.debug("unloaded the %s entry of partition %s", name, key)
        if failure is not None:
            raise failure


class CacheLayer(Generic[V]):
    """One layer's view of the shared cache: its entries, keyed by partition."""

    def __init__(self, cache: PartitionCache, name: str) -> None:
        self.cache = cache
        self.name = name

    def get(self, key: PartitionKey, revision: int | None = None) -> V | None:
        """The loaded entry, marked used; with ``revision``, only if the layer's freshness rule
        accepts it at that store revision. None: not loaded, or stale (for the layer to reload)."""
        return cast(V | None, self.cache._get(self.name, key, revision))

    def peek(self, key: PartitionKey) -> V | None:
        """The loaded entry, stale or not, without marking it used."""
        return cast(V | None, self.cache._peek(self.name, key))

    def put(self, key: PartitionKey, value: V) -> V:
        """Hold ``value`` as the partition's entry (unless the held one reflects a later revision),
        marked used; then unload the least recently used partitions past the bound. Returns the
        entry now held."""
        return cast(V, self.cache._put(self.name, key, value))

    def pop(self, key: PartitionKey) -> V | None:
        """Take the entry out without its unload hook: its data is gone, or a writer replaces it."""
        return cast(V | None, self.cache._pop(self.name, key))

    def items(self) -> list[tuple[PartitionKey, V]]:
        """This layer's entries, least recently used partition first."""
        return cast(list[tuple[PartitionKey, V]], self.cache._values(self.name))

    def __len__(self) -> int:
        return len(self.items())
