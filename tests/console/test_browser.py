"""The console in a real browser: Debian's headless chromium driven by Playwright over a live server.

Any console error, uncaught page error or request to another host fails the test. Screenshots of
each page go to test-artifacts/console/. Skipped where chromium is missing, except in CI.
"""

from __future__ import annotations

import json
import re
import time

import pytest

from memory_service.runtime import Runtime
from tests.console.conftest import ARTIFACTS, NAMESPACE, USER, Keys, remember, shot, sign_in, skip_without_chromium

skip_without_chromium()

from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.browser]


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


def test_a_memory_viewed_in_the_console_keeps_its_access_count(
    page: Page, console_runtime: Runtime, keys: Keys
) -> None:
    remember(console_runtime)
    before = console_runtime.semantic.list_memories(NAMESPACE, USER).items[0]
    sign_in(page, keys.admin)
    for _ in range(2):
        page.goto(f"/admin/users/{USER}/memories/{before.id}")
        expect(page.locator("#memory-text")).to_have_text(before.text)
    expect(page.locator("dl.facts")).to_contain_text(f"{before.accesses} accesses")
    after = console_runtime.semantic.list_memories(NAMESPACE, USER).items[0]
    assert (after.id, after.accesses, after.last_accessed_at) == (before.id, before.accesses, before.last_accessed_at)


def _view_box(page: Page) -> list[float]:
    return [float(n) for n in str(page.get_attribute("#graph-svg", "viewBox")).split()]


def _wait_for_view(page: Page, condition: str, home: list[float]) -> None:
    """Until the drawing's viewBox ``v`` (as painted) meets ``condition``, ``home`` being the one compared."""
    script = f"home => {{ const v = document.getElementById('graph-svg').viewBox.baseVal; return {condition}; }}"
    page.wait_for_function(script, arg=home, timeout=10_000)


FRAME_TIMES = """async () => {
    // Zoom in and out 40 times, each step waiting for the frame that shows it: what a wheel costs.
    const svg = document.getElementById("graph-svg");
    const box = svg.getBoundingClientRect();
    const at = { clientX: box.x + box.width / 2, clientY: box.y + box.height / 2, bubbles: true, cancelable: true };
    const times = [];
    for (let i = 0; i < 40; i++) {
        const started = performance.now();
        svg.dispatchEvent(new WheelEvent("wheel", { ...at, deltaY: i < 20 ? -120 : 120 }));
        await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
        times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return { median: Math.round(times[20] * 10) / 10, worst: Math.round(times[39] * 10) / 10 };
}"""


def test_the_graph_pans_and_zooms_with_a_thousand_relations(page: Page, console_runtime: Runtime, keys: Keys) -> None:
    from bench.console_pages import fill

    fill(console_runtime.db, 0, 1000, namespace=NAMESPACE, user_id="crowd")
    sign_in(page, keys.admin)
    started = time.perf_counter()
    page.goto("/admin/users/crowd/graph")
    page.wait_for_selector("#graph[data-ready='1']", timeout=60_000)
    ready_s = time.perf_counter() - started
    expect(page.locator("#graph-status")).to_contain_text("of 1000 relations")
    home = _view_box(page)

    box = page.locator("#graph-svg").bounding_box()
    assert box is not None
    middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(*middle)
    page.mouse.wheel(0, -600)
    _wait_for_view(page, "v.width < home[2] / 2 && v.height < home[3] / 2", home)  # closer: a smaller part
    zoomed = _view_box(page)

    page.mouse.move(*middle)
    page.mouse.down()
    page.mouse.move(middle[0] + 200, middle[1] + 100, steps=8)
    page.mouse.up()
    _wait_for_view(page, "v.x < home[0] && v.y < home[1]", zoomed)  # the drawing follows the pointer
    panned = _view_box(page)
    assert panned[2:] == zoomed[2:]  # a drag moves, it does not zoom
    expect(page.locator("#relation-facts")).to_have_count(0)  # and the click that ends it selects nothing
    shot(page, "graph-zoomed")

    page.click("#zoom-reset")
    expect(page.locator("#graph")).to_have_attribute("data-zoom", "1.000")
    _wait_for_view(page, "Math.abs(v.x - home[0]) + Math.abs(v.width - home[2]) < 0.01 * home[2]", home)
    page.focus("#graph-svg")  # the keyboard does the same
    page.keyboard.press("+")
    expect(page.locator("#graph")).to_have_attribute("data-zoom", "1.250")
    page.keyboard.press("0")
    expect(page.locator("#graph")).to_have_attribute("data-zoom", "1.000")

    frames = page.evaluate(FRAME_TIMES)
    figures = {"relations": 1000, "entities": 500, "ready_s": round(ready_s, 2), "frame_ms": frames}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "graph-pan-zoom.json").write_text(json.dumps(figures, indent=2) + "\n")
    assert frames["median"] < 250, figures  # a wheel step shows within a few frames, even on 2 shared cores
