"""Schema upgrades on PostgreSQL take turns under an advisory lock: replicas starting at once all come up."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

import migrations
from memory_service.store.migrate import MIGRATION_LOCK_ID, current_revision, upgrade
from memory_service.store.tables import Base

pytestmark = pytest.mark.postgres


def head() -> str | None:
    return ScriptDirectory(str(Path(migrations.__file__).resolve().parent)).get_current_head()


REPLICA = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from sqlalchemy import create_engine
    from memory_service.store.migrate import upgrade

    url, go = sys.argv[1], Path(sys.argv[2])
    engine = create_engine(url)
    with engine.connect():
        pass  # connected and imported: only the upgrade itself is left to race
    Path(sys.argv[3]).touch()
    while not go.exists():
        time.sleep(0.001)
    upgrade(engine)
    engine.dispose()
    """
)


def test_replicas_starting_at_once_on_an_empty_database_all_come_up(own_postgres_url: str, tmp_path: Path) -> None:
    go = tmp_path / "go"
    replicas = 3
    ready = [tmp_path / f"ready-{index}" for index in range(replicas)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", REPLICA, own_postgres_url, str(go), str(flag)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for flag in ready
    ]
    deadline = time.monotonic() + 60
    while not all(flag.exists() for flag in ready):
        assert time.monotonic() < deadline, "replicas did not start"
        assert all(process.poll() is None for process in processes), [p.communicate() for p in processes]
        time.sleep(0.01)
    go.touch()  # every replica upgrades the empty database at the same moment
    outcomes = [(process.wait(timeout=120), process.communicate()[1]) for process in processes]
    assert [code for code, _ in outcomes] == [0] * replicas, [err for _, err in outcomes]

    engine = create_engine(own_postgres_url)
    try:
        assert current_revision(engine) == head()
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_an_upgrade_waits_for_the_lock(own_postgres_url: str) -> None:
    holder = create_engine(own_postgres_url, isolation_level="AUTOCOMMIT")
    engine = create_engine(own_postgres_url)
    finished = threading.Event()
    errors: list[BaseException] = []

    def start() -> None:
        try:
            upgrade(engine)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            finished.set()

    try:
        with holder.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_ID})
            thread = threading.Thread(target=start)
            thread.start()
            assert not finished.wait(1.0), "the upgrade ran while another process held the lock"
            assert current_revision(engine) is None
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_ID})
        assert finished.wait(60) and errors == []
        thread.join()
        assert current_revision(engine) == head()
        with engine.connect() as conn:  # the lock was let go: another session can take it at once
            assert conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": MIGRATION_LOCK_ID}).scalar()
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_ID})
    finally:
        holder.dispose()
        engine.dispose()
