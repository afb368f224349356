"""Alembic environment: runs on the engine handed in by ``memory_service.store.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, create_engine

from memory_service.store.tables import Base

config = context.config


def _engine() -> Engine:
    engine = config.attributes.get("engine")
    if engine is not None:
        return engine
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no engine given: run migrations with `memory-service db upgrade`")
    return create_engine(url)


def run_migrations_online() -> None:
    with _engine().connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
