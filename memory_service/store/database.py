"""Engine and transactions for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from memory_service.errors import UnavailableError


class Database:
    """One engine and its session factory.

    SQLite allows one writer at a time; writers inside this process queue on a lock instead of
    failing with "database is locked" when a deferred transaction tries to upgrade.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(
                url, connect_args={"check_same_thread": False, "timeout": 30}, pool_pre_ping=True
            )
            event.listen(self.engine, "connect", _sqlite_pragmas)
            self._write_lock: Any = threading.Lock()
        else:
            self.engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
            self._write_lock = nullcontext()
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that commits whole on success and rolls back whole on any error."""
        with self._write_lock, self._sessions() as session, session.begin():
            yield session

    def ping(self) -> None:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            raise UnavailableError("the database is not reachable", details=str(exc)) from exc

    def scrub(self) -> bool:
        """After forgetting: leave no copy of deleted rows in the files of an embedded store.

        SQLite overwrites deleted content with zeros (``secure_delete``, set on every connection)
        but keeps earlier page versions in its write-ahead log until a checkpoint; this writes the
        log into the main file and truncates it. False when a reader held the log open and some
        of it stayed (the next scrub or SQLite's own checkpoints finish it). On PostgreSQL dead
        rows are unreadable through SQL and are reclaimed by (auto)vacuum: nothing to do here.
        """
        if self.dialect != "sqlite":
            return True
        with self._write_lock, self.engine.connect() as conn:
            busy, _, _ = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        return not busy

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Deleted rows are overwritten, not left in free pages: forgetting a user must leave no copy.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()
