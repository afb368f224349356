"""The key store and the audit log on a real store (SQLite and PostgreSQL): hashes only, life of a key."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select, text

from memory_service.errors import AuthenticationError, ConflictError, InvalidInputError, NotFoundError
from memory_service.security.audit import AuditLog
from memory_service.security.key_store import KeyStore
from memory_service.security.keys import hash_key
from memory_service.settings import Settings
from memory_service.store.database import Database
from memory_service.store.migrate import upgrade
from memory_service.store.tables import ApiKeyRow

SECRET = b"a-server-secret-of-enough-length-0123456789"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db(own_settings: Settings) -> Iterator[Database]:
    database = Database(own_settings.resolved_database_url)
    upgrade(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def keys(db: Database, clock: Clock) -> KeyStore:
    return KeyStore(db, SECRET, clock=clock)


def every_stored_value(db: Database, table: str) -> list[str]:
    with db.engine.connect() as conn:
        return [str(value) for row in conn.execute(text(f"SELECT * FROM {table}")) for value in row]  # noqa: S608


def test_only_a_keyed_hash_and_a_prefix_are_stored(db: Database, keys: KeyStore) -> None:
    created = keys.create("team-a", actor="cli")
    secret = created.secret
    assert created.key.namespace == "team-a" and created.key.scopes == ("read", "write")
    assert created.key.prefix == secret[:12] and created.key.created_by == "cli"

    stored = every_stored_value(db, "api_keys") + every_stored_value(db, "audit_events")
    body = secret.removeprefix("msk_")
    assert not any(secret in value or body[:20] in value or body[-20:] in value for value in stored)
    with db.read() as session:
        row = session.scalars(select(ApiKeyRow)).one()
        assert row.key_hash == hash_key(secret, SECRET) and row.prefix == secret[:12]

    assert keys.authenticate(secret).id == created.key.id
    assert KeyStore(db, b"another-server-secret-0123456789").any_exist()
    with pytest.raises(AuthenticationError, match="unknown API key"):
        KeyStore(db, b"another-server-secret-0123456789").authenticate(secret)


def test_unknown_revoked_and_expired_keys_are_refused(keys: KeyStore, clock: Clock) -> None:
    assert not keys.any_exist()
    lasting = keys.create("team-a", actor="cli")
    brief = keys.create("team-a", ["read"], actor="cli", expires_at=clock.now + timedelta(hours=1))
    assert keys.any_exist()
    for token in ("msk_" + "A" * 43, "not-a-key", lasting.secret[:-1] + "x"):
        with pytest.raises(AuthenticationError, match="unknown API key"):
            keys.authenticate(token)

    assert keys.authenticate(brief.secret).scopes == ("read",)
    clock.now += timedelta(hours=1)
    with pytest.raises(AuthenticationError, match=r"expired at 2026-06-01T13:00:00Z") as expired:
        keys.authenticate(brief.secret)
    assert expired.value.details == {"key_id": brief.key.id, "status": "expired"}

    revoked = keys.revoke(lasting.key.id, actor="key_9")
    assert revoked.status(clock.now) == "revoked"
    with pytest.raises(AuthenticationError, match="was revoked"):
        keys.authenticate(lasting.secret)
    with pytest.raises(ConflictError, match="already revoked"):
        keys.revoke(lasting.key.id, actor="key_9")
    assert keys.any_exist()  # revoked keys still count: the server never falls back to open


def test_last_use_is_written_at_most_once_a_minute(keys: KeyStore, clock: Clock) -> None:
    secret = keys.create("team-a", actor="cli").secret
    key_id = keys.list().items[0].id
    assert keys.get(key_id).last_used_at is None
    first = clock.now
    keys.authenticate(secret)
    assert keys.get(key_id).last_used_at == first
    clock.now += timedelta(seconds=59)
    keys.authenticate(secret)
    assert keys.get(key_id).last_used_at == first
    clock.now += timedelta(seconds=2)
    keys.authenticate(secret)
    assert keys.get(key_id).last_used_at == clock.now


def test_a_fresh_store_sees_a_use_another_process_recorded(db: Database, keys: KeyStore, clock: Clock) -> None:
    secret = keys.create("team-a", actor="cli").secret
    keys.authenticate(secret)
    other = KeyStore(db, SECRET, clock=clock)  # another replica: no memory of the write
    clock.now += timedelta(seconds=30)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        other.authenticate(secret)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert not any(statement.lstrip().upper().startswith("UPDATE") for statement in statements)


def test_listing_pages_and_namespaces(keys: KeyStore) -> None:
    made = [keys.create(namespace, actor="cli").key.id for namespace in ("a", "b", "a", "a")]
    first = keys.list(namespace="a", limit=2)
    assert [key.id for key in first.items] == [made[0], made[2]] and first.next_cursor
    second = keys.list(namespace="a", limit=2, cursor=first.next_cursor)
    assert [key.id for key in second.items] == [made[3]] and second.next_cursor is None
    assert [key.id for key in keys.list().items] == made
    with pytest.raises(NotFoundError):
        keys.get(made[1], namespace="a")
    with pytest.raises(NotFoundError):
        keys.revoke(made[1], actor="key_1", namespace="a")
    for missing in ("key_999", "mem_1", "key_x"):
        with pytest.raises(NotFoundError):
            keys.get(missing)


@pytest.mark.parametrize(
    ("namespace", "scopes", "problem"),
    [("__eval_jobs__", ["read"], "invalid namespace"), ("a b", ["read"], "invalid namespace"), ("a", [], "scope")],
)
def test_bad_keys_are_refused(keys: KeyStore, namespace: str, scopes: list[Any], problem: str) -> None:
    with pytest.raises(InvalidInputError, match=problem):
        keys.create(namespace, scopes, actor="cli")
    assert not keys.any_exist()


def test_a_key_born_expired_is_refused(keys: KeyStore, clock: Clock) -> None:
    with pytest.raises(InvalidInputError, match="not in the future"):
        keys.create("a", actor="cli", expires_at=clock.now)


def test_every_change_is_in_the_audit_log(db: Database, keys: KeyStore) -> None:
    made = keys.create("team-a", ["read", "admin"], actor="cli")
    other = keys.create("team-b", actor="bootstrap:ops")
    keys.revoke(made.key.id, actor=other.key.id)
    log = AuditLog(db)

    events = log.list(namespace=None).items
    assert [(e.action, e.actor, e.target, e.namespace) for e in events] == [
        ("key.revoke", other.key.id, made.key.id, "team-a"),
        ("key.create", "bootstrap:ops", other.key.id, "team-b"),
        ("key.create", "cli", made.key.id, "team-a"),
    ]
    assert events[2].details == {"prefix": made.key.prefix, "scopes": ["read", "admin"], "expires_at": None}
    assert [e.target for e in log.list(namespace="team-a").items] == [made.key.id, made.key.id]
    assert [e.action for e in log.list(namespace=None, action="key.create").items] == ["key.create"] * 2
    assert [e.target for e in log.list(namespace=None, actor="cli").items] == [made.key.id]
    page = log.list(namespace=None, limit=2)
    rest = log.list(namespace=None, limit=2, cursor=page.next_cursor)
    assert [e.pk for e in page.items + rest.items] == [e.pk for e in events] and rest.next_cursor is None
