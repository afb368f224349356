from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from memory_service.settings import Settings
from memory_service.store.database import Database
from memory_service.store.migrate import current_revision, upgrade
from memory_service.store.tables import Base


def test_migrations_build_exactly_the_mapped_schema(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    upgrade(db.engine)
    upgrade(db.engine)  # idempotent: a second start changes nothing
    assert current_revision(db.engine) == "0006"
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    db.dispose()
    assert diff == []


def test_sqlite_runs_in_wal_mode(sqlite_settings: Settings) -> None:
    db = Database(sqlite_settings.resolved_database_url)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    db.dispose()
