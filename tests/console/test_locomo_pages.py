"""Every console page on a real conversation: the LoCoMo dev sample stored with ``infer`` in a fresh service.

Two people talk over 19 sessions; both speak for themselves (the speaker's name is each turn's
subject), so the semantic layer and the graph fill up the way a deployment's would. Each page
must answer 200 with what it is for, over the real app (no browser: the browser tests cover
the pages' scripts on a smaller store, and the evaluation page, which needs the app's lifespan, has
tests of its own).
"""

from __future__ import annotations

import re
import time
from datetime import timedelta
from urllib.parse import quote

import pytest
from fastapi import FastAPI

from memory_service.domain import NewMessage
from memory_service.evaluation.datasets import load_locomo
from memory_service.runtime import Runtime
from tests.conftest import shared_data_dir
from tests.console.conftest import NAMESPACE, Keys
from tests.console.test_http import client, sign_in

pytestmark = pytest.mark.slow
USER = "conv-26"


def store_conversation(runtime: Runtime) -> int:
    """The LoCoMo dev conversation, a session per call, extracted; returns how many turns."""
    conversation = load_locomo(shared_data_dir() / "locomo" / "locomo_dev.json").conversations[0]
    turns = 0
    for session in conversation.sessions:
        said = [
            NewMessage(
                "user" if turn.speaker == conversation.speakers[0] else "assistant",
                turn.text,
                occurred_at=session.date + timedelta(seconds=n),
                metadata={"speaker": turn.speaker},
            )
            for n, turn in enumerate(session.turns)
            if turn.text.strip()
        ]
        runtime.episodic.add_messages(NAMESPACE, session.session_id, USER, said, infer=True)
        turns += len(said)
    deadline = time.monotonic() + 600
    while not runtime.semantic.extraction_status(NAMESPACE, USER).idle:
        assert time.monotonic() < deadline, "extraction did not finish"
        time.sleep(0.2)
    return turns


async def test_every_page_answers_on_the_locomo_conversation(
    console_runtime: Runtime, console_app: FastAPI, keys: Keys
) -> None:
    turns = store_conversation(console_runtime)
    memories = console_runtime.semantic.list_memories(NAMESPACE, USER, limit=500).items
    edges = console_runtime.graph.edges(NAMESPACE, USER, include_past=True).items
    assert turns > 400 and len(memories) > 20 and len(edges) > 10
    async with client(console_app) as http:
        assert (await sign_in(http, keys.admin)).status_code == 303

        async def page(path: str, *expected: str) -> str:
            answer = await http.get(path)
            assert answer.status_code == 200, (path, answer.text[:300])
            for text in expected:
                assert text in answer.text, (path, text)
            return answer.text

        await page("/admin", "Memory per namespace", f"<td>{turns}</td>")  # every turn counted
        await page("/admin/users", USER)
        user = await page(f"/admin/users/{USER}", "Caroline", "Melanie")
        memory_id = memories[0].id
        await page(f"/admin/users/{USER}/memories/{memory_id}", memories[0].text.split(".")[0][:30])
        session = re.search(rf'/admin/users/{USER}/sessions/([^"?]+)"', user)
        assert session, "the user page links its sessions"
        await page(f"/admin/users/{USER}/sessions/{session.group(1)}")
        await page(f"/admin/users/{USER}/graph")
        graph = await http.get(f"/admin/users/{USER}/graph.json")
        assert graph.status_code == 200 and len(graph.json()["edges"]) >= len([e for e in edges if not e.invalid_at])
        query = quote("What did Caroline research?")
        await page(f"/admin/search?user_id={USER}&q={query}", "episodic")
        await page("/admin/keys", "msk_")
        await page("/admin/audit")
