"""Forgetting a user leaves nothing of what they said anywhere the service writes.

Every byte of the data directory (the SQLite file, its write-ahead log, the index files) and
every table of the store are searched for a phrase only that user said, after
``DELETE /v1/users/{id}``'s service call. SQLite keeps deleted rows in free pages unless told
to overwrite them, and a write-ahead log keeps old pages until a checkpoint: both must be
handled for the phrase to be gone.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect, text

from memory_service.domain import NewMessage, SearchQuery
from memory_service.runtime import Runtime, build_runtime
from memory_service.settings import Settings
from retrieval.embedder import SentenceTransformerEmbedder

NS = "default"
SECRET = "Zanzibarian marmalade recipe"
SAID = [
    f"My grandmother's {SECRET} is the thing I treasure most.",
    f"I live in Porto and I keep the {SECRET} in a locked drawer.",
]


def remember(runtime: Runtime, user_id: str, *, by_hand: bool = True) -> None:
    """The conversation extracted, and (``by_hand``) a memory added through the API."""
    for n, said in enumerate(SAID):
        message = NewMessage("user", said, datetime(2024, 3, 1 + n, tzinfo=UTC))
        runtime.episodic.add_messages(NS, f"{user_id}-s{n}", user_id, [message], infer=True)
    deadline = time.monotonic() + 60
    while not runtime.semantic.extraction_status(NS, user_id).idle:
        assert time.monotonic() < deadline, "extraction did not finish"
        time.sleep(0.05)
    if by_hand:
        runtime.semantic.add(NS, user_id, f"User owns a {SECRET}.")
    for layers in (("episodic",), ("semantic",), ("graph",)):
        runtime.search.search(NS, SearchQuery("marmalade recipe", user_id, layers=layers))  # load every index


def rows_holding(runtime: Runtime, phrase: str) -> list[str]:
    """``table.column`` of every text value in the store that holds ``phrase``."""
    found = []
    with runtime.db.read() as db:
        for table in inspect(db.get_bind()).get_table_names():
            for column in inspect(db.get_bind()).get_columns(table):
                kind = str(column["type"]).upper()
                if not any(word in kind for word in ("CHAR", "TEXT", "JSON", "CLOB")):
                    continue
                name = column["name"]
                query = text(f'SELECT 1 FROM "{table}" WHERE CAST("{name}" AS TEXT) LIKE :phrase LIMIT 1')
                if db.execute(query, {"phrase": f"%{phrase}%"}).first():
                    found.append(f"{table}.{name}")
    return found


def files_holding(folder: Path, phrase: str) -> list[str]:
    needle = phrase.encode()
    return [str(p.relative_to(folder)) for p in sorted(folder.rglob("*")) if p.is_file() and needle in p.read_bytes()]


def test_forgetting_a_user_leaves_no_trace_in_the_store(runtime: Runtime, user_id: str) -> None:
    remember(runtime, user_id)
    assert rows_holding(runtime, SECRET)  # the check finds it while it is there
    runtime.users.delete_user(NS, user_id)
    assert rows_holding(runtime, SECRET) == []
    assert rows_holding(runtime, user_id) == []


def test_forgetting_a_user_leaves_no_trace_in_the_data_directory(
    sqlite_settings: Settings, embedder: SentenceTransformerEmbedder, user_id: str
) -> None:
    runtime = build_runtime(sqlite_settings, embedder=embedder)
    try:
        folder = sqlite_settings.data_dir
        remember(runtime, user_id)
        assert files_holding(folder, SECRET), "the phrase should be on disk before it is forgotten"
        runtime.users.delete_user(NS, user_id)
        assert files_holding(folder, SECRET) == []
        assert runtime.search.search(NS, SearchQuery("marmalade", "someone-else")) == []  # still serving
    finally:
        runtime.close()


def test_forgetting_the_conversations_that_said_it_leaves_no_trace_either(
    sqlite_settings: Settings, embedder: SentenceTransformerEmbedder, user_id: str
) -> None:
    runtime = build_runtime(sqlite_settings, embedder=embedder)
    try:
        remember(runtime, user_id, by_hand=False)  # what was learned from the conversations only
        for n in range(len(SAID)):
            runtime.forgetting.delete_session(NS, f"{user_id}-s{n}")
        assert rows_holding(runtime, SECRET) == []
        assert files_holding(sqlite_settings.data_dir, SECRET) == []
    finally:
        runtime.close()
