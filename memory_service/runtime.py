"""Builds the service's parts from one ``Settings``, once per process (app lifespan, CLI, local client).

Every part is made here and handed to the parts that use it; none looks another up. What runs
beside the service (the evaluation harness) builds itself on top of a runtime; nothing here
imports it.
"""

from __future__ import annotations

import gc
import logging
import threading
from dataclasses import dataclass

from agents.consolidation import build_memory_manager
from agents.statements import build_statement_extractor
from memory_service.errors import UnavailableError
from memory_service.extraction.worker import ExtractionWorker
from memory_service.forgetting import ForgettingService
from memory_service.layers.cache import PartitionCache
from memory_service.layers.embeddings import EmbeddingCache
from memory_service.layers.episodic.index import IndexManager
from memory_service.layers.episodic.search import EpisodicSearcher
from memory_service.layers.episodic.service import EpisodicService
from memory_service.layers.semantic.consolidation import Consolidator
from memory_service.layers.semantic.profile import ProfileReader
from memory_service.layers.semantic.repository import StoredFacts
from memory_service.layers.semantic.search import SemanticSearcher
from memory_service.layers.semantic.service import SemanticService
from memory_service.layers.temporal.search import GraphSearcher
from memory_service.layers.temporal.service import GraphService
from memory_service.layers.unloading import IdleUnloader
from memory_service.reindex import EmbeddingModelMismatchError, check_model
from memory_service.search import SearchService
from memory_service.security.audit import AuditLog
from memory_service.security.authenticator import Authenticator
from memory_service.security.key_store import KeyStore
from memory_service.security.rate_limit import RateLimiter
from memory_service.security.secret import server_secret
from memory_service.settings import Settings
from memory_service.store.database import Database
from memory_service.store.migrate import upgrade
from memory_service.users import UserService
from retrieval.batching import EmbeddingBatcher
from retrieval.disk_cache import DiskCachedEmbedder
from retrieval.embedder import Embedder, SentenceTransformerEmbedder
from retrieval.onnx_embedder import best_query_embedder

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Everything a process serves with; closed once at shutdown."""

    settings: Settings
    db: Database
    embedder: Embedder
    indexes: IndexManager
    episodic: EpisodicService
    semantic: SemanticService
    profiles: ProfileReader
    graph: GraphService
    search: SearchService
    users: UserService
    forgetting: ForgettingService
    extraction: ExtractionWorker
    auth: Authenticator
    audit: AuditLog
    rate_limiter: RateLimiter | None = None
    unloader: IdleUnloader | None = None

    partitions: PartitionCache | None = None
    """Every layer's loaded per-user state (what the index metrics count)."""

    def close(self) -> None:
        """Stop the background work (the extraction worker after its current task, within
        ``shutdown_timeout_s``), save the indexes, close the store."""
        bound = self.settings.shutdown_timeout_s
        if self.extraction.close(timeout=bound):
            log.info("extraction worker stopped")
        else:
            log.warning("extraction worker still busy after %ds; its task is redone after its lease or restart", bound)
        if self.unloader is not None:
            self.unloader.close()
        self.search.close()
        self.episodic.cache.close()  # the write batcher, once nothing writes any more
        saved = self.indexes.save_all()
        log.info("saved %d index(es) at shutdown", saved)
        if isinstance(self.embedder, DiskCachedEmbedder):
            self.embedder.close()  # its vector file's connection
        self.db.dispose()


def freeze_long_lived_objects() -> None:
    """Keep the cyclic collector off what was loaded at start.

    The model and the libraries are some 650,000 objects that live as long as the process; a
    full collection walks every one of them, and a partition's first load allocates enough to
    trigger one: it took 600-950 ms with them tracked, ~100 ms frozen (bench.replica_first_search).
    Collected first, so that only live objects are frozen.
    """
    gc.collect()
    gc.freeze()


def build_runtime(settings: Settings, embedder: Embedder | None = None) -> Runtime:
    """Open the store (migrating it to the latest schema), load the model, wire the layers."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url)
    upgrade(db.engine)
    query_embedder: Embedder | None = None
    if embedder is None:
        loaded = SentenceTransformerEmbedder(
            settings.embedding_model, device=settings.device, batch_size=settings.embedding_batch_size
        )
        query_embedder = best_query_embedder(loaded, settings.data_dir / "models", settings.query_backend)
        embedder = loaded
    if settings.embedding_cache_dir is not None:
        embedder = DiskCachedEmbedder(embedder, settings.embedding_cache_dir.expanduser())
    try:
        check_model(db, embedder.name)
        secret = server_secret(settings)
    except (EmbeddingModelMismatchError, UnavailableError):
        db.dispose()
        raise
    auth = Authenticator(KeyStore(db, secret), settings.api_keys, require_keys=settings.require_keys)
    # Writes share forward passes (bench.load): many concurrent adds ran the model side by side.
    writes = EmbeddingBatcher(embedder, max_batch=settings.embedding_batch_size, name="write-batcher")
    cache = EmbeddingCache(db, embedder, writes)
    partitions = PartitionCache(settings.max_loaded_partitions)  # one bound for every layer's loaded state
    facts = StoredFacts() if settings.fact_keys else None
    indexes = IndexManager(
        db,
        embedder,
        cache,
        settings.index_dir,
        device=str(getattr(embedder, "device", "cpu")),
        ivf_threshold=settings.ivf_threshold,
        partitions=partitions,
        facts=facts,
        precision=settings.index_precision,
    )
    # A write that queues extraction sets this; the worker, waiting on it, starts at once instead of
    # at its next poll.
    queued = threading.Event()
    episodic = EpisodicService(
        db,
        embedder,
        cache,
        indexes,
        max_message_chars=settings.max_message_chars,
        max_messages_per_request=settings.max_messages_per_request,
        on_enqueued=queued.set,
    )
    semantic = SemanticService(db, embedder, cache, partitions=partitions)
    graph = GraphService(db, embedder, partitions=partitions)
    semantic_search = SemanticSearcher(db, semantic.indexes)
    search = SearchService(
        db,
        query_embedder or embedder,
        [EpisodicSearcher(db, indexes, facts), semantic_search, GraphSearcher(graph, embedder)],
        query_batch_size=settings.query_batch_size,
        on_retrieved=semantic_search.record_retrievals,
    )
    consolidator = Consolidator(db, embedder, cache, build_memory_manager(settings.llm_model))
    extraction = ExtractionWorker(
        db, consolidator, build_statement_extractor(settings.llm_model), graph=graph, wake=queued
    )
    # A SQLite file is served by this process alone: whatever it finds running at start was abandoned.
    extraction.start(reclaim_all_running=db.dialect == "sqlite")
    return Runtime(
        settings=settings,
        db=db,
        embedder=embedder,
        indexes=indexes,
        episodic=episodic,
        semantic=semantic,
        profiles=ProfileReader(db, semantic.indexes),
        graph=graph,
        search=search,
        users=UserService(db, indexes, semantic.indexes, graph),
        forgetting=ForgettingService(db, indexes, semantic.indexes, graph),
        extraction=extraction,
        auth=auth,
        rate_limiter=RateLimiter(settings.rate_limit, settings.rate_limit_storage) if settings.rate_limit else None,
        audit=AuditLog(db),
        partitions=partitions,
        unloader=IdleUnloader(partitions, settings.unload_idle_after_s) if settings.unload_idle_after_s else None,
    )
