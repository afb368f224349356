"""The SIGKILL scenario: a server killed mid-write loses nothing it acknowledged, stores nothing twice.

Writer threads post messages (every third with ``infer: true``) to a real ``memory-service serve``
process; once enough writes are acknowledged the process gets SIGKILL, with writes still in
flight. A new process on the same store must then hold every acknowledged write exactly once,
find each by search, and hold each unanswered write at most once (it may or may not have landed).
Each store backend runs it from its own test file, so that each file stays short (a server takes
about 15 s to start on two cores, and the scenario starts two).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from tests.operations.service import running, start_service
from tests.operations.writers import Ledger, found_by_search, session_contents, write_until

WRITERS = 4
USERS = ("ana", "bruno")
ACKNOWLEDGED_BEFORE_KILL = 30


def every_acknowledged_write_survives_sigkill(data_dir: Path, database_url: str | None) -> None:
    """Write, SIGKILL, restart on the same store, and check every write; prints the counts."""
    first = start_service(data_dir, database_url)
    ledger, stop = Ledger(), threading.Event()
    sessions = {writer: f"s-{writer}" for writer in range(WRITERS)}
    with running(first):
        threads = [
            threading.Thread(
                target=write_until, args=(first.url, writer, USERS[writer % 2], sessions[writer], ledger, stop)
            )
            for writer in range(WRITERS)
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while ledger.count() < ACKNOWLEDGED_BEFORE_KILL and not ledger.errors:
            assert time.monotonic() < deadline, "the writers were too slow"
            time.sleep(0.01)
        first.kill()  # writers are mid-request: some writes are cut off without an answer
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert first.process.returncode == -9
    assert ledger.errors == []

    second = start_service(data_dir, database_url)
    with running(second), httpx.Client(base_url=second.url, timeout=60) as client:
        stored = [item for session in sessions.values() for item in session_contents(client, session)]
        copies = Counter(content for _, content in stored)
        ids = {content: episode_id for episode_id, content in stored}
        lost = [write for write in ledger.acknowledged if copies[write.content] == 0]
        print(
            f"\n{database_url and 'postgres' or 'sqlite'}: {len(ledger.acknowledged)} acknowledged writes "
            f"({sum(w.infer for w in ledger.acknowledged)} with infer), {len(ledger.unanswered)} unanswered, "
            f"{len(lost)} lost, {sum(copies[w.content] for w in ledger.unanswered)} unanswered landed"
        )
        assert lost == []
        assert all(copies[write.content] == 1 for write in ledger.acknowledged)
        assert all(ids[write.content] == write.ids[0] for write in ledger.acknowledged)
        assert all(copies[write.content] <= 1 for write in ledger.unanswered)
        assert len(stored) == len(copies)  # nothing stored twice, acknowledged or not
        unfound = [write.content for write in ledger.acknowledged if not found_by_search(client, write)]
        assert unfound == []
        # Each infer write's extraction task was queued with it and survives the kill. On SQLite the
        # new process owns the store and resumes the tasks the dead one held at once; on PostgreSQL
        # those wait out their lease, as another replica might still be working on them.
        infer_writes = Counter(write.user_id for write in ledger.acknowledged if write.infer)
        deadline = time.monotonic() + 60
        for user, expected in infer_writes.items():
            while True:
                status = client.get(f"/v1/users/{user}/extraction").json()
                assert status["failed"] == 0
                assert status["pending"] + status["running"] + status["done"] >= expected, status
                if database_url is not None or status["idle"]:
                    break
                assert time.monotonic() < deadline, f"extraction did not resume: {status}"
                time.sleep(0.1)
