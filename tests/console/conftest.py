"""A store with one user's conversation extracted, the app over it, admin and non-admin keys, a tiny
evaluation dataset, and a real headless chromium that fails the test on any console error, page
error or request to another host.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI

from memory_service.api.app import create_app
from memory_service.domain import NewMessage
from memory_service.runtime import Runtime, build_runtime
from memory_service.settings import Settings
from retrieval.embedder import SentenceTransformerEmbedder
from tests.conftest import shared_data_dir
from tests.serving import serve_in_thread

if TYPE_CHECKING:
    from playwright.sync_api import Page

NAMESPACE = "team"
USER = "ana"
SAID = [
    ("2024-03-01T10:00:00+00:00", "I moved to Porto."),
    ("2024-03-02T10:00:00+00:00", "I am vegetarian and I work at Siemens as a nurse."),
    (
        "2025-01-10T10:00:00+00:00",
        "Big news: I just moved to Lisbon last week, and I quit Siemens, now I work at Google.",
    ),
]


@dataclass(frozen=True)
class Keys:
    admin: str
    reader: str


def remember(runtime: Runtime, namespace: str = NAMESPACE, user_id: str = USER) -> None:
    """The conversation, one session a turn, with semantic and graph extraction waited for."""
    for n, (at, text) in enumerate(SAID):
        message = NewMessage("user", text, occurred_at=datetime.fromisoformat(at))
        runtime.episodic.add_messages(namespace, f"{user_id}-s{n}", user_id, [message], infer=True)
    deadline = time.monotonic() + 60
    while not runtime.semantic.extraction_status(namespace, user_id).idle:
        assert time.monotonic() < deadline, "extraction did not finish"
        time.sleep(0.05)


@pytest.fixture
def console_runtime(tmp_path: Path, embedder: SentenceTransformerEmbedder) -> Iterator[Runtime]:
    settings = Settings(data_dir=tmp_path / "data", eval_datasets_dir=tmp_path / "datasets")
    runtime = build_runtime(settings, embedder=embedder)
    yield runtime
    runtime.close()


@pytest.fixture
def keys(console_runtime: Runtime) -> Keys:
    store = console_runtime.auth.keys
    admin = store.create(NAMESPACE, ["read", "write", "admin"], actor="cli")
    reader = store.create(NAMESPACE, ["read"], actor="cli")
    return Keys(admin.secret, reader.secret)


@pytest.fixture
def console_app(console_runtime: Runtime) -> FastAPI:
    return create_app(runtime=console_runtime)


@pytest.fixture
def live_url(console_app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn from a background thread on a free loopback port."""
    with serve_in_thread(console_app) as url:
        yield url


TINY_DATASET = "lme/tiny.json"
"""The first two questions of LongMemEval_oracle's dev sample (one of them an abstention question):
a job over them ends in seconds with the offline model."""


@pytest.fixture
def tiny_longmemeval(console_runtime: Runtime) -> str:
    """Writes the tiny dataset into the server's datasets folder; its name there."""
    source = shared_data_dir() / "longmemeval" / "longmemeval_oracle_dev.json"
    if not source.exists():
        pytest.skip(f"benchmark sample {source} not found (set MEMORY_SHARED_DATA)")
    target = console_runtime.settings.datasets_dir / TINY_DATASET
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(json.loads(source.read_text())[:2]))
    return TINY_DATASET


# -- the browser --------------------------------------------------------------------------------

CHROMIUM = os.environ.get("MEMORY_TEST_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"


def skip_without_chromium() -> None:
    """Skip the calling test module where chromium is missing, except in CI."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)) and not os.environ.get("CI"):
        pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium); CI runs these", allow_module_level=True)


@pytest.fixture
def problems() -> list[str]:
    return []


@pytest.fixture
def page(live_url: str, problems: list[str]) -> Iterator[Page]:
    from playwright.sync_api import sync_playwright

    host = urlsplit(live_url).netloc
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        tab = browser.new_page(base_url=live_url, viewport={"width": 1400, "height": 1000})
        tab.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        tab.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        tab.on(
            "request",
            lambda r: (
                problems.append(f"request to {r.url}")
                if urlsplit(r.url).scheme in ("http", "https") and urlsplit(r.url).netloc != host
                else None
            ),
        )
        tab.on("dialog", lambda dialog: dialog.accept())
        yield tab
        browser.close()
    assert problems == []


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, key: str) -> None:
    page.goto("/admin/sign-in")
    page.fill("#key", key)
    page.click("#sign-in")
