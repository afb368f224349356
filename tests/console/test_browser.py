"""The console in a real browser: Debian's headless chromium driven by Playwright over a live server.

Any console error, uncaught page error or request to another host fails the test. Screenshots of
each page go to test-artifacts/console/. Skipped where chromium is missing, except in CI.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from memory_service.runtime import Runtime
from tests.console.conftest import NAMESPACE, USER, Keys, remember

CHROMIUM = os.environ.get("MEMORY_TEST_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"

if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)) and not os.environ.get("CI"):
    pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium); CI runs these", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture
def problems() -> list[str]:
    return []


@pytest.fixture
def page(live_url: str, problems: list[str]) -> Iterator[Page]:
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


def test_an_admin_manages_a_users_memory_searches_and_keys(
    page: Page, problems: list[str], console_runtime: Runtime, keys: Keys
) -> None:
    remember(console_runtime)
    sign_in(page, keys.reader)
    expect(page.locator("#error")).to_contain_text("lacks the 'admin' scope")
    shot(page, "sign-in-refused")
    # The refusal itself is a 403 page, which the browser logs; nothing else may be.
    assert problems == ["console error: Failed to load resource: the server responded with a status of 403 (Forbidden)"]
    problems.clear()
    sign_in(page, keys.admin)
    expect(page.locator("h1")).to_have_text("Overview")
    expect(page.locator("#counts")).to_contain_text(NAMESPACE)
    shot(page, "overview")

    page.click("text=Users")
    page.fill("#user-search", "an")
    page.click("form.toolbar button[type=submit]")
    shot(page, "users")
    page.click(f"#users >> text={USER}")
    expect(page.locator("#memories tbody tr")).not_to_have_count(0)
    shot(page, "user")

    first = page.locator("#memories tbody tr").first
    memory_id = first.get_attribute("data-memory")
    first.locator("a").click()
    page.fill("textarea[name=text]", "works at Google as an engineer")
    page.click("#save")
    expect(page.locator("#notice")).to_contain_text("saved as a new version")
    expect(page.locator("#history")).to_contain_text("works at Google as an engineer")
    expect(page.locator("#history tbody tr").first.locator(".actor")).to_have_text("admin")
    shot(page, "memory")

    page.goto(f"/admin/users/{USER}")
    rows = page.locator("#memories tbody tr")
    chosen = [rows.nth(i).get_attribute("data-memory") for i in range(2)]
    for memory in chosen:
        page.check(f"input[value='{memory}']")
    page.click("#bulk-invalidate")
    expect(page.locator("#notice")).to_contain_text("2 memories invalidated")
    for memory in chosen:
        assert console_runtime.semantic.get(NAMESPACE, str(memory)).invalid_at is not None
    audit = console_runtime.audit.list(namespace=NAMESPACE, action="memory.invalidate").items
    assert {e.target for e in audit} == set(chosen) and memory_id

    page.goto(f"/admin/search?user_id={USER}&q=where+does+the+user+live")
    page.click("#run-search")
    expect(page.locator("#fused tbody tr")).not_to_have_count(0)
    expect(page.locator("#fused .contribution").first).to_contain_text("/ (10 + ")
    expect(page.locator("#explanation h2")).to_contain_text("ms")
    shot(page, "search")

    page.goto("/admin/keys")
    page.check("#create-key input[value=admin]")
    page.click("#create")
    secret = page.locator("#secret").inner_text()
    assert secret.startswith("msk_")
    created = page.locator("#created-key strong").inner_text()
    shot(page, "keys")
    page.locator(f"tr[data-key='{created}'] button").click()
    expect(page.locator(f"tr[data-key='{created}'] .status")).to_have_text("revoked")
    page.goto("/admin/audit?action=key.revoke")
    expect(page.locator("#audit")).to_contain_text(created)
    shot(page, "audit")


def _shown(page: Page, word: str) -> bool:
    return bool(
        page.evaluate(
            """word => [...document.querySelectorAll('#graph-svg line')]
                .some(l => l.textContent.includes(word) && !l.classList.contains('hidden'))""",
            word,
        )
    )


def test_the_graph_moves_through_time(page: Page, console_runtime: Runtime, keys: Keys) -> None:
    remember(console_runtime)
    sign_in(page, keys.admin)
    page.goto(f"/admin/users/{USER}/graph")
    page.wait_for_selector("#graph[data-ready='1']")
    assert _shown(page, "Lisbon") and not _shown(page, "Porto")
    page.fill("#as-of", "2024-06-01T00:00:00Z")
    page.dispatch_event("#as-of", "change")
    expect(page.locator("#graph")).to_have_attribute("data-as-of", re.compile("^2024-06-01"))
    assert _shown(page, "Porto") and not _shown(page, "Lisbon")
    page.fill("#time-slider", "1000")
    expect(page.locator("#graph")).to_have_attribute("data-as-of", "")
    assert _shown(page, "Lisbon")
    page.locator("#graph-svg line:not(.hidden)").first.click(force=True)
    expect(page.locator("#relation-facts")).to_contain_text("True from")
    expect(page.locator("#relation-sources a").first).to_have_text(re.compile(r"ep_\d+"))
    shot(page, "graph")
