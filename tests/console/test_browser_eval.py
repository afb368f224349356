"""The evaluation pages in a real browser: a job submitted from the keyboard over a dataset in the
server's folder, followed to its end, its metrics and charts, and two runs compared.

The jobs are real: the server's job manager runs them on the offline model over two LongMemEval
questions, which takes seconds.
"""

from __future__ import annotations

import re

import pytest

from memory_service.runtime import Runtime
from tests.console.conftest import Keys, shot, sign_in, skip_without_chromium

skip_without_chromium()

from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.browser]
JOB_S = 180_000
"""Milliseconds a two-question job may take on two shared cores (it takes about 15 s alone)."""


def _tab_to(page: Page, target: str, most: int = 40) -> None:
    """Press Tab until ``target`` has the focus: the form is reachable without a mouse."""
    for _ in range(most):
        if page.evaluate("sel => document.activeElement === document.querySelector(sel)", target):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} is not reachable with Tab")


def test_an_evaluation_job_runs_from_the_console_and_two_runs_compare(
    page: Page, problems: list[str], console_runtime: Runtime, keys: Keys, tiny_longmemeval: str
) -> None:
    sign_in(page, keys.admin)
    page.click("header nav >> text=Evaluation")
    expect(page.locator("h1")).to_have_text("Evaluation jobs")
    expect(page.locator("#no-jobs")).to_be_visible()
    expect(page.locator("#dataset option")).to_have_text([tiny_longmemeval])

    # The whole form from the keyboard: into the limit, type it, on to the button, Enter.
    page.focus("#benchmark")
    _tab_to(page, "#limit")
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    _tab_to(page, "#submit")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/eval/evaljob_1$"))
    expect(page.locator("#notice")).to_contain_text("evaljob_1 queued: longmemeval on tiny.json")
    expect(page.locator("#job-options")).to_contain_text('"limit": 2')
    shot(page, "eval-job-running")

    # The page follows the job and reloads once it ends.
    expect(page.locator("#job-status")).to_have_text("succeeded", timeout=JOB_S)
    expect(page.locator("#results")).to_be_visible()
    expect(page.locator("#job-progress")).to_have_text("2 / 2")
    session = page.locator("#table-retrieval-session")
    expect(session.locator("thead")).to_contain_text("@5")
    expect(session.locator("tbody tr")).to_have_count(3)  # hybrid × recall_any, recall_all, ndcg_any
    expect(session.locator("tbody tr").first).to_contain_text(re.compile(r"hybrid\s*recall_any\s*1\.000"))
    expect(page.locator("#results dl.facts")).to_contain_text("1 abstention")
    expect(page.locator("time").first).to_have_text(re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC"))
    charts = page.locator("#charts img")
    expect(charts).to_have_count(2)
    assert page.evaluate("() => [...document.querySelectorAll('#charts img')].every(i => i.naturalWidth > 100)")
    shot(page, "eval-job")

    # A second run of the same questions with another recipe, followed from the list page.
    page.goto("/admin/eval")
    page.uncheck("input[name=recipes][value=hybrid]")
    page.check("input[name=recipes][value=bm25]")
    page.fill("#limit", "2")
    page.click("#submit")
    expect(page).to_have_url(re.compile(r"/admin/eval/evaljob_2$"))
    page.goto("/admin/eval")
    expect(page.locator("tr[data-job=evaljob_2] [data-field=status]")).to_have_text("succeeded", timeout=JOB_S)
    expect(page.locator("tr[data-job=evaljob_2] [data-field=count]")).to_have_text("2 / 2")
    page.reload()
    expect(page.locator("#jobs tbody tr")).to_have_count(2)
    expect(page.locator("#jobs tbody tr").first).to_have_attribute("data-job", "evaljob_2")  # newest first
    shot(page, "eval-jobs")

    page.check("input[name=job][value=evaljob_1]")
    page.check("input[name=job][value=evaljob_2]")
    page.click("#compare")
    expect(page.locator("h1")).to_have_text("evaljob_1 and evaljob_2")
    sessions = page.locator("[data-compared=retrieval-session] table")
    expect(sessions).to_have_count(3)  # A, B and B − A side by side
    expect(sessions.nth(0).locator("caption")).to_have_text("A: evaljob_1")
    expect(sessions.nth(1).locator("caption")).to_have_text("B: evaljob_2")
    expect(sessions.nth(2).locator("caption")).to_have_text("B − A")
    # One recipe a run: the rows line up recipe against recipe.
    expect(sessions.nth(2).locator("tbody tr")).to_have_count(3)
    expect(sessions.nth(2).locator("tbody tr").first).to_contain_text("bm25 − hybrid")
    expect(page.locator("[data-compared=by-type-hybrid] table")).to_have_count(3)
    expect(page.locator("[data-compared=timing] table").nth(2).locator("caption")).to_contain_text("lower is better")
    shot(page, "eval-compare")

    # Refusals show the API's own message above the kept form.
    page.goto("/admin/eval")
    page.select_option("#benchmark", "locomo")
    page.select_option("select[name=granularity]", "session")
    page.click("#submit")
    expect(page.locator("#submit-error")).to_contain_text("422 · invalid_input: LoCoMo is scored on turns")
    expect(page.locator("#benchmark")).to_have_value("locomo")
    shot(page, "eval-refused")
    # The refusal is a 422 page, which the browser logs; nothing else may be.
    assert problems == [
        "console error: Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    ]
    problems.clear()
