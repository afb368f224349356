"""The console without a browser: sign-in, cookie flags, CSRF on every POST, pages answering."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from memory_service.runtime import Runtime
from tests.console.conftest import NAMESPACE, USER, Keys, remember

pytestmark = pytest.mark.slow


def client(app: FastAPI, base: str = "http://memory.test") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base)


def csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no CSRF token"
    return found.group(1)


async def sign_in(http: httpx.AsyncClient, key: str) -> httpx.Response:
    form = await http.get("/admin/sign-in")
    return await http.post("/admin/sign-in", data={"key": key, "csrf_token": csrf(form.text), "next": "/admin"})


async def test_sign_in_sets_a_strict_http_only_session_cookie(console_app: FastAPI, keys: Keys) -> None:
    async with client(console_app) as http:
        assert (await http.get("/admin/users")).status_code == 401  # the sign-in form
        answer = await sign_in(http, keys.admin)
        assert answer.status_code == 303 and answer.headers["location"] == "/admin"
        cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("console_session="))
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
        page = await http.get("/admin/users")
        assert page.status_code == 200 and "default-src 'self'" in page.headers["content-security-policy"]
    async with client(console_app, "https://memory.test") as https:
        answer = await sign_in(https, keys.admin)
        cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("console_session="))
        assert "Secure" in cookie and "HttpOnly" in cookie


async def test_a_key_without_admin_or_unknown_is_refused(console_app: FastAPI, keys: Keys) -> None:
    async with client(console_app) as http:
        refused = await sign_in(http, keys.reader)
        assert refused.status_code == 403 and "lacks the &#39;admin&#39; scope" in refused.text
        assert "console_session" not in refused.cookies
        unknown = await sign_in(http, "msk_not-a-key")
        assert unknown.status_code == 401 and (await http.get("/admin")).status_code == 401


async def test_every_post_needs_the_csrf_token(console_runtime: Runtime, console_app: FastAPI, keys: Keys) -> None:
    memory = console_runtime.semantic.add(NAMESPACE, USER, "likes tea")
    async with client(console_app) as http:
        form = await http.get("/admin/sign-in")
        no_token = await http.post("/admin/sign-in", data={"key": keys.admin})
        assert no_token.status_code == 403 and "security token" in no_token.text
        forged = await http.post("/admin/sign-in", data={"key": keys.admin, "csrf_token": "forged"})
        assert forged.status_code == 403
        assert (await sign_in(http, keys.admin)).status_code == 303
        path = f"/admin/users/{USER}/memories/{memory.id}/delete"
        assert (await http.post(path)).status_code == 403
        assert (await http.post(path, data={"csrf_token": csrf(form.text) + "x"})).status_code == 403
        assert console_runtime.semantic.list_memories(NAMESPACE, USER).items  # nothing was deleted
        page = await http.get(f"/admin/users/{USER}/memories/{memory.id}")
        assert (await http.post(path, data={"csrf_token": csrf(page.text)})).status_code == 303
        assert not console_runtime.semantic.list_memories(NAMESPACE, USER).items
        events = console_runtime.audit.list(namespace=NAMESPACE, action="memory.delete").items
        assert [(e.target, e.actor) for e in events] == [(memory.id, "key_1")]


async def test_a_revoked_key_signs_its_sessions_out(console_runtime: Runtime, console_app: FastAPI, keys: Keys) -> None:
    async with client(console_app) as http:
        await sign_in(http, keys.admin)
        assert (await http.get("/admin/keys")).status_code == 200
        console_runtime.auth.keys.revoke("key_1", actor="cli")
        answer = await http.get("/admin/keys")
        assert answer.status_code == 401 and "revoked" in answer.text


async def test_an_open_server_says_so_and_needs_no_sign_in(console_runtime: Runtime, console_app: FastAPI) -> None:
    remember(console_runtime, "default")
    async with client(console_app) as http:
        for path in ["", "/users", f"/users/{USER}", f"/users/{USER}/graph", "/search", "/keys", "/audit"]:
            page = await http.get("/admin" + path)
            assert page.status_code == 200, (path, page.text)
            assert "This server is open" in page.text
        search = await http.get(
            "/admin/search", params={"user_id": USER, "q": "where does the user live?", "recipe": "hybrid"}
        )
        assert "Fused ranking" in search.text and "1.0 / (10 + 1)" in search.text
        data = (await http.get(f"/admin/users/{USER}/graph.json")).json()
        assert data["entities"] and data["edges"] and data["sources"]
        missing = await http.get("/admin/users/nobody")
        assert missing.status_code == 404 and "user &#39;nobody&#39; not found" in missing.text


async def test_long_lists_page(console_runtime: Runtime, console_app: FastAPI) -> None:
    for n in range(55):
        console_runtime.semantic.add("default", USER, f"note number {n}")
    async with client(console_app) as http:
        first = await http.get(f"/admin/users/{USER}")
        found = re.search(r'class="next" href="([^"]+)"', first.text)
        assert first.status_code == 200 and found, "no next page link"
        second = await http.get(found.group(1).replace("&amp;", "&"))
        assert second.status_code == 200 and "note number 54" in second.text and "note number 54" not in first.text


def test_the_evaluation_page_says_how_to_offer_datasets_and_refuses_paths(
    console_runtime: Runtime, console_app: FastAPI, tiny_longmemeval: str
) -> None:
    folder = console_runtime.settings.datasets_dir
    (folder / tiny_longmemeval).rename(folder.parent / "elsewhere.json")
    with TestClient(console_app) as http:  # with the lifespan: the job manager runs
        empty = http.get("/admin/eval")
        assert empty.status_code == 200 and 'id="no-datasets"' in empty.text
        assert f"No dataset files (<code>*.json</code>) in <code>{folder}</code>" in empty.text
        assert "MEMORY_EVAL_DATASETS_DIR" in empty.text and 'id="submit-job"' not in empty.text
        (folder.parent / "elsewhere.json").rename(folder / tiny_longmemeval)
        page = http.get("/admin/eval")
        assert f"<option>{tiny_longmemeval}</option>" in page.text
        form = {"benchmark": "longmemeval", "dataset": tiny_longmemeval, "limit": "1"}
        assert http.post("/admin/eval", data=form).status_code == 403  # no CSRF token
        for dataset in ["../elsewhere.json", str(folder / tiny_longmemeval), ""]:
            refused = http.post("/admin/eval", data={**form, "dataset": dataset, "csrf_token": csrf(page.text)})
            assert refused.status_code == 422 and "pick one of the files in the server" in refused.text, dataset
        assert http.get("/v1/eval/jobs").json()["items"] == []
        missing = http.get("/admin/eval/evaljob_9")
        assert missing.status_code == 404 and "evaluation job &#39;evaljob_9&#39; not found" in missing.text
        assert http.get("/admin/eval/evaljob_9/progress.json").status_code == 404
        one = http.get("/admin/eval/compare", params={"job": "evaljob_1"})
        assert one.status_code == 422 and "tick exactly two finished jobs" in one.text


async def test_forgetting_a_conversation_asks_for_its_id_and_is_audited(
    console_runtime: Runtime, console_app: FastAPI, keys: Keys
) -> None:
    remember(console_runtime)
    session = f"{USER}-s0"
    async with client(console_app) as http:
        await sign_in(http, keys.admin)
        page = await http.get(f"/admin/users/{USER}/sessions/{session}")
        assert page.status_code == 200 and 'id="forget-session"' in page.text
        path = f"/admin/users/{USER}/sessions/{session}/forget"
        assert (await http.post(path, data={"confirm": session})).status_code == 403  # no CSRF token
        wrong = await http.post(path, data={"confirm": "s0", "csrf_token": csrf(page.text)})
        assert wrong.status_code == 422 and "type the session id" in wrong.text
        assert console_runtime.episodic.get_session(NAMESPACE, session).message_count == 1  # nothing went
        before = console_runtime.semantic.list_memories(NAMESPACE, USER, include_invalid=True).items
        assert any("Porto" in m.text for m in before)
        done = await http.post(path, data={"confirm": session, "csrf_token": csrf(page.text)})
        assert done.status_code == 303
        assert (await http.get(f"/admin/users/{USER}/sessions/{session}")).status_code == 404
    events = console_runtime.audit.list(namespace=NAMESPACE, action="session.forget").items
    assert [(e.target, e.actor, e.details["episodes"]) for e in events] == [(session, "key_1", 1)]
    left = console_runtime.semantic.list_memories(NAMESPACE, USER, include_invalid=True).items
    assert left and not any("Porto" in m.text for m in left)  # learned only from the forgotten conversation
