"""Schema upgrades through Alembic: the only way the schema is made.

On PostgreSQL the upgrade runs under a session-level advisory lock, so replicas that start at
once on an empty database take turns: the first creates the schema, the others wait, then find
it at head and change nothing. SQLite files are served by one process and need no lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

import migrations

MIGRATION_LOCK_ID = 0x6D656D5F6D696772
"""The advisory lock key of schema upgrades ("mem_migr" as a 64-bit integer); unique to this service."""


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).resolve().parent))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    with migration_lock(engine):
        command.upgrade(alembic_config(engine), revision)


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """Hold PostgreSQL's advisory lock for schema changes while the block runs; nothing elsewhere.

    The lock lives on a connection of its own in autocommit mode, so it covers every transaction
    Alembic opens and is released when the block ends, or when the process dies.
    """
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_ID})
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_ID})


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
