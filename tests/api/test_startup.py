"""A served app keeps the cyclic collector off what it loaded at start, and hands it back at shutdown."""

from __future__ import annotations

import gc

import pytest
from fastapi.testclient import TestClient

from memory_service.api import app as app_module
from memory_service.runtime import build_runtime
from memory_service.settings import Settings
from retrieval.embedder import SentenceTransformerEmbedder


def test_what_the_app_loaded_at_start_is_frozen_until_shutdown(
    sqlite_settings: Settings, embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "build_runtime", lambda settings: build_runtime(settings, embedder=embedder))
    gc.unfreeze()
    with TestClient(app_module.create_app(sqlite_settings)) as client:
        assert client.get("/healthz").status_code == 200
        # The model's modules and tensors, the app's routes: far more than a handful of objects.
        assert gc.get_freeze_count() > 10_000
    assert gc.get_freeze_count() == 0


def test_an_app_serving_a_given_runtime_leaves_the_collector_alone(
    sqlite_settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    runtime = build_runtime(sqlite_settings, embedder=embedder)
    gc.unfreeze()
    try:
        with TestClient(app_module.create_app(runtime=runtime)) as client:
            assert client.get("/healthz").status_code == 200
            assert gc.get_freeze_count() == 0
    finally:
        runtime.close()
