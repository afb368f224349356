"""Two first writes for one new namespace, user or session, in transactions open at the same time
on PostgreSQL: the second waits for the first and shares its row instead of failing on the
unique constraint."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from memory_service.layers.episodic import repository as repo
from memory_service.store import partitions
from memory_service.store.database import Database
from memory_service.store.migrate import upgrade

pytestmark = pytest.mark.postgres


@pytest.fixture
def db(own_postgres_url: str) -> Iterator[Database]:
    database = Database(own_postgres_url)
    upgrade(database.engine)
    yield database
    database.dispose()


def race(db: Database, make: Callable[[Session], int]) -> tuple[int, int]:
    """``make`` in a transaction left uncommitted while a second one runs ``make`` too; both ids."""

    def second() -> int:
        with db.write() as session:
            return make(session)

    with ThreadPoolExecutor(1) as pool:
        with db.write() as session:
            first = make(session)
            future = pool.submit(second)
            waiting_on_the_first(db)
        return first, future.result(timeout=10)


def waiting_on_the_first(db: Database) -> None:
    """Return once another session of this database waits on a lock (the second insert on the
    first transaction's uncommitted row)."""
    blocked = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + 10
    with db.engine.connect() as conn:
        while not conn.scalar(blocked):
            assert time.monotonic() < deadline, "the second transaction never waited on the first"
            time.sleep(0.01)


def test_a_namespace_made_by_two_writers_at_once_is_one(db: Database) -> None:
    first, second = race(db, lambda session: partitions.get_or_create_namespace(session, "team-a"))
    assert first == second


def test_a_user_made_by_two_writers_at_once_is_one(db: Database) -> None:
    with db.write() as session:
        namespace = partitions.get_or_create_namespace(session, "default")
    first, second = race(db, lambda session: partitions.get_or_create_user(session, namespace, "ana").id)
    assert first == second


def test_a_session_made_by_two_writers_at_once_is_one_and_keeps_its_owner(db: Database) -> None:
    with db.write() as session:
        namespace = partitions.get_or_create_namespace(session, "default")
        ana = partitions.get_or_create_user(session, namespace, "ana").id
        bruno = partitions.get_or_create_user(session, namespace, "bruno").id
    owners = iter([ana, bruno])

    def make(session: Session) -> int:
        owner = next(owners)
        row = repo.create_session(session, namespace, owner, "trip", None)
        return row.user_id

    assert race(db, make) == (ana, ana)  # bruno's write finds ana's session: the service answers 409
