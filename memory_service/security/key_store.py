"""The store of managed API keys: make, list, revoke, and check a presented key.

Only the keyed hash of a key is kept (see ``security.keys``); a key is found by its hash, so
checking one costs one indexed read. Every change is written to the audit log in the same
transaction. ``last_used_at`` moves at most once a minute per key, so a busy key costs one
write a minute rather than one per request.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from memory_service.domain import Page
from memory_service.errors import AuthenticationError, ConflictError, InvalidInputError, NotFoundError
from memory_service.pagination import PageRequest
from memory_service.schemas.common import Identifier
from memory_service.security import audit
from memory_service.security.domain import ApiKey, CreatedKey, key_public_id, parse_key_id
from memory_service.security.expiry import check_future
from memory_service.security.keys import display_prefix, generate_key, hash_key, looks_like_key
from memory_service.security.scopes import DEFAULT_SCOPES, Scope, ordered
from memory_service.store.database import Database
from memory_service.store.tables import ApiKeyRow, utcnow

log = logging.getLogger(__name__)

LAST_USED_RESOLUTION = timedelta(minutes=1)
"""How stale ``last_used_at`` may be: enough to spot unused keys, at one write a minute per key."""
HOW_TO_SEND = "send 'Authorization: Bearer <key>' with a key from `memory-service keys create`"
_NAMESPACE = TypeAdapter(Identifier)


class KeyStore:
    """Managed keys in the SQL store, hashed under ``server_secret``."""

    def __init__(self, db: Database, server_secret: bytes, clock: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._secret = server_secret
        self._clock = clock
        self._any = False
        self._touched: dict[int, datetime] = {}
        self._guard = threading.Lock()

    def create(
        self,
        namespace: str,
        scopes: Iterable[Scope] = DEFAULT_SCOPES,
        *,
        actor: str,
        expires_at: datetime | None = None,
    ) -> CreatedKey:
        """A new key of ``namespace``; its secret is in the result and nowhere else."""
        try:
            _NAMESPACE.validate_python(namespace)
        except ValidationError as exc:
            raise InvalidInputError(
                f"invalid namespace {namespace!r}: 1-128 letters, digits or . _ : @ -, starting with a letter or digit"
            ) from exc
        kept = ordered(scopes)
        if not kept:
            raise InvalidInputError("a key needs at least one scope: read, write, admin")
        now = self._clock()
        if expires_at is not None:
            check_future(expires_at, now)
        secret = generate_key()
        with self._db.write() as session:
            row = ApiKeyRow(
                key_hash=hash_key(secret, self._secret),
                prefix=display_prefix(secret),
                namespace=namespace,
                scopes=list(kept),
                created_at=now,
                created_by=actor,
                expires_at=expires_at,
            )
            session.add(row)
            session.flush()
            details = {"prefix": row.prefix, "scopes": list(kept), "expires_at": _iso(expires_at)}
            audit.record(
                session, actor, audit.KEY_CREATED, target=key_public_id(row.id), namespace=namespace, details=details
            )
            key = _key(row)
        self._any = True
        return CreatedKey(key, secret)

    def get(self, key_id: str, *, namespace: str | None = None) -> ApiKey:
        """The key ``key_id``; 404 when there is none, or it belongs to another namespace than ``namespace``."""
        with self._db.read() as session:
            return _key(self._find(session, key_id, namespace))

    def list(self, *, namespace: str | None = None, limit: int = 100, cursor: str | None = None) -> Page[ApiKey]:
        """Keys oldest first, revoked and expired ones included; ``namespace`` None lists every namespace."""
        request = PageRequest.of(limit, cursor)
        query = select(ApiKeyRow)
        if namespace is not None:
            query = query.where(ApiKeyRow.namespace == namespace)
        if request.after is not None:
            query = query.where(ApiKeyRow.id > request.after)
        with self._db.read() as session:
            keys = [_key(row) for row in session.scalars(query.order_by(ApiKeyRow.id).limit(request.fetch))]
        return request.page(keys, key=lambda key: key.pk)

    def revoke(self, key_id: str, *, actor: str, namespace: str | None = None) -> ApiKey:
        """Refuse the key from now on; 404 as in ``get``, 409 when it is already revoked."""
        with self._db.write() as session:
            row = self._find(session, key_id, namespace, lock=True)
            if row.revoked_at is not None:
                raise ConflictError(
                    f"API key {key_id} was already revoked at {_iso(row.revoked_at)}", details={"key_id": key_id}
                )
            row.revoked_at = self._clock()
            audit.record(
                session,
                actor,
                audit.KEY_REVOKED,
                target=key_id,
                namespace=row.namespace,
                details={"prefix": row.prefix},
            )
            key = _key(row)
        with self._guard:
            self._touched.pop(key.pk, None)
        return key

    def authenticate(self, token: str) -> ApiKey:
        """The key behind ``token``; 401 when it is unknown, expired or revoked."""
        if not looks_like_key(token):
            raise AuthenticationError(f"unknown API key: {HOW_TO_SEND}")
        digest = hash_key(token, self._secret)
        with self._db.read() as session:
            row = session.scalars(select(ApiKeyRow).where(ApiKeyRow.key_hash == digest)).first()
            key = _key(row) if row is not None else None
        if key is None:
            raise AuthenticationError(f"unknown API key: {HOW_TO_SEND}")
        now = self._clock()
        if key.revoked_at is not None:
            raise AuthenticationError(
                f"API key {key.prefix}... ({key.id}) was revoked at {_iso(key.revoked_at)}; ask an admin for a new key",
                details={"key_id": key.id, "status": "revoked"},
            )
        if key.expires_at is not None and key.expires_at <= now:
            raise AuthenticationError(
                f"API key {key.prefix}... ({key.id}) expired at {_iso(key.expires_at)}; ask an admin for a new key",
                details={"key_id": key.id, "status": "expired"},
            )
        self._touch(key, now)
        return key

    def any_exist(self) -> bool:
        """Whether any key was ever stored, revoked ones included: once one was, keys are always required."""
        if self._any:
            return True
        with self._db.read() as session:
            found = session.scalar(select(ApiKeyRow.id).limit(1)) is not None
        self._any = found
        return found

    def _find(self, session: Session, key_id: str, namespace: str | None, *, lock: bool = False) -> ApiKeyRow:
        pk = parse_key_id(key_id)
        row = session.get(ApiKeyRow, pk, with_for_update=lock) if pk is not None else None
        if row is None or (namespace is not None and row.namespace != namespace):
            raise NotFoundError(f"API key {key_id!r} not found", details={"key_id": key_id})
        return row

    def _touch(self, key: ApiKey, now: datetime) -> None:
        """Record a use, unless this key's use was recorded less than a minute ago (here or by another replica)."""
        cutoff = now - LAST_USED_RESOLUTION
        with self._guard:
            if (key.last_used_at is not None and key.last_used_at > cutoff) or self._touched.get(
                key.pk, cutoff
            ) > cutoff:
                return
            self._touched[key.pk] = now
        try:
            with self._db.write() as session:
                session.execute(
                    update(ApiKeyRow)
                    .where(ApiKeyRow.id == key.pk)
                    .where(or_(ApiKeyRow.last_used_at.is_(None), ApiKeyRow.last_used_at <= cutoff))
                    .values(last_used_at=now)
                )
        except SQLAlchemyError:  # a missed "last used" must not fail the request it describes
            log.warning("could not record the use of API key %s", key.id, exc_info=True)


def _key(row: ApiKeyRow) -> ApiKey:
    return ApiKey(
        pk=row.id,
        prefix=row.prefix,
        namespace=row.namespace,
        scopes=tuple(ordered(row.scopes)),  # type: ignore[arg-type]  # only scopes are ever written
        created_at=row.created_at,
        created_by=row.created_by,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z") if moment is not None else None
