"""Shared fixtures: one real embedding model per test run, stores on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from memory_service.runtime import Runtime, build_runtime
from memory_service.settings import Settings
from retrieval.embedder import SentenceTransformerEmbedder

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def shared_data_dir() -> Path:
    """The benchmark samples: ``MEMORY_SHARED_DATA`` or ``../shared/data`` beside the checkout."""
    configured = os.environ.get("MEMORY_SHARED_DATA")
    return Path(configured) if configured else Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(device="cpu")


@contextmanager
def new_postgres_database() -> Iterator[str]:
    """The URL of a database made for the block on the test PostgreSQL server, dropped after it."""
    admin_url = os.environ.get("MEMORY_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    name = f"memtest_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no server"
        admin.dispose()
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no PostgreSQL at {admin_url}: {exc}")
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database on the test PostgreSQL server, shared by the run and dropped at its end."""
    with new_postgres_database() as url:
        yield url


@pytest.fixture
def own_postgres_url() -> Iterator[str]:
    """A database of the test's own, for tests whose rows would change what others see (stored API
    keys turn authentication on for every client of the database)."""
    with new_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for a fresh data dir, on each store backend."""
    database_url = None
    if request.param == "postgres":
        database_url = request.getfixturevalue("postgres_url")
    return Settings(data_dir=tmp_path / "data", database_url=database_url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def own_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for a fresh data dir and, on PostgreSQL, a database no other test shares."""
    database_url = request.getfixturevalue("own_postgres_url") if request.param == "postgres" else None
    return Settings(data_dir=tmp_path / "data", database_url=database_url)


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def runtime(settings: Settings, embedder: SentenceTransformerEmbedder) -> Iterator[Runtime]:
    rt = build_runtime(settings, embedder=embedder)
    yield rt
    rt.close()


@pytest.fixture
def user_id() -> str:
    """A user id no other test uses, so tests sharing a PostgreSQL database stay apart."""
    return f"user-{uuid.uuid4().hex[:12]}"
