"""Inserts that a concurrent insert of the same unique key cannot make fail.

Two first writes for a new user (or namespace, or session) may arrive together on replicas or
threads sharing PostgreSQL; a plain "select, then insert if missing" lets both insert and the
second fails on the unique constraint. ``INSERT ... ON CONFLICT DO NOTHING`` waits for the other
transaction instead and then does nothing, so a select after it finds whichever row won.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from memory_service.store.tables import Base


def insert_if_absent(db: Session, table: type[Base], rows: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` of ``table``, leaving alone any whose unique key is already taken (column
    defaults apply as in any insert)."""
    insert = postgresql_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    if isinstance(rows, Mapping):
        db.execute(insert(table).values(dict(rows)).on_conflict_do_nothing())
    elif rows:
        db.execute(insert(table).on_conflict_do_nothing(), [dict(row) for row in rows])
