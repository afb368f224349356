"""Prometheus metrics of what the service holds, read from the runtime when ``/metrics`` is scraped.

Gauges cost nothing between scrapes: index sizes and loaded partitions are read from the memory
caches, the extraction queue's depth from one grouped count in the store. Embedding batch sizes
are observed by the query batcher as it embeds: they show how far concurrent searches share forward
passes (sizes pinned at MEMORY_QUERY_BATCH_SIZE: the model is the bottleneck; all 1s under load:
the model keeps up and each search runs alone).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from memory_service.extraction import queue as tasks
from memory_service.runtime import Runtime

log = logging.getLogger(__name__)

BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
"""Powers of two up to the largest MEMORY_QUERY_BATCH_SIZE allowed."""


class RuntimeCollector(Collector):
    """Index sizes, loaded partitions per layer and extraction tasks by status, at scrape time.

    ``runtime`` returns the runtime being served, or None before the app's lifespan has built it
    (then only the metric names are reported, with no samples).
    """

    def __init__(self, runtime: Callable[[], Runtime | None]) -> None:
        self._runtime = runtime

    def describe(self) -> Iterator[Metric]:
        # Named without reading the runtime: registering must not touch a store not yet open.
        return iter(_families())

    def collect(self) -> Iterator[Metric]:
        vectors, partitions, cached, queue = _families()
        runtime = self._runtime()
        if runtime is None:
            return iter(())
        episodic = runtime.indexes.loaded.items()
        # Read without each index's lock: a scrape never waits behind a large write; a count off by
        # the write in progress is fine for a gauge.
        vectors.add_metric([], sum(len(index.dense) for _, index in episodic))
        partitions.add_metric(["episodic"], len(episodic))
        partitions.add_metric(["semantic"], len(runtime.semantic.indexes.loaded))
        partitions.add_metric(["graph"], len(runtime.graph.loaded))
        found: list[Metric] = [vectors, partitions]
        if runtime.partitions is not None:
            cached.add_metric([], runtime.partitions.loaded_partitions())
            found.append(cached)
        try:
            with runtime.db.read() as db:
                counts = tasks.status_counts(db)
        except SQLAlchemyError as exc:  # a scrape during a store outage still reports the rest
            log.warning("metrics: extraction queue not counted, the store did not answer: %s", exc)
        else:
            for status, count in counts.items():
                queue.add_metric([status], count)
            found.append(queue)
        return iter(found)


def _families() -> tuple[GaugeMetricFamily, GaugeMetricFamily, GaugeMetricFamily, GaugeMetricFamily]:
    return (
        GaugeMetricFamily("memory_index_vectors", "Vectors in the loaded episodic indexes (all partitions)"),
        GaugeMetricFamily(
            "memory_loaded_partitions", "Partitions whose state a layer holds in memory", labels=["layer"]
        ),
        GaugeMetricFamily(
            "memory_cached_partitions", "Partitions with any layer loaded (what MEMORY_MAX_LOADED_PARTITIONS bounds)"
        ),
        GaugeMetricFamily("memory_extraction_tasks", "Extraction tasks in the store by status", labels=["status"]),
    )


def install_runtime_metrics(registry: CollectorRegistry, runtime: Callable[[], Runtime | None]) -> Histogram:
    """Register the runtime's gauges in ``registry``; returns the embedding batch-size histogram, which
    :func:`observe_batches` connects to a runtime once it exists."""
    registry.register(RuntimeCollector(runtime))
    return Histogram(
        "memory_embedding_batch_size",
        "Texts embedded per forward pass, by path: search queries, or written texts (messages, facts)",
        labelnames=["path"],
        buckets=BATCH_BUCKETS,
        registry=registry,
    )


def observe_batches(runtime: Runtime, histogram: Histogram) -> None:
    """Record every batch the runtime's query and write batchers embed into ``histogram``."""
    runtime.search.queries.add_observer(histogram.labels(path="query").observe)
    writes = runtime.episodic.cache.batcher
    if writes is not None:
        writes.add_observer(histogram.labels(path="write").observe)
