"""Key material, scopes and expiry: pure functions, tested without a store."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from memory_service.errors import InvalidInputError, PermissionDeniedError
from memory_service.security.expiry import parse_expiry
from memory_service.security.keys import bearer_token, display_prefix, generate_key, hash_key, looks_like_key
from memory_service.security.principal import Principal
from memory_service.security.scopes import parse_scopes

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_new_keys_are_typed_long_and_never_repeat() -> None:
    keys = {generate_key() for _ in range(200)}
    assert len(keys) == 200
    for key in keys:
        assert key.startswith("msk_") and len(key) == 4 + 43 and looks_like_key(key)
        assert display_prefix(key) == key[:12] and display_prefix(key) != key


def test_the_stored_hash_is_keyed_by_the_server_secret() -> None:
    key = generate_key()
    digest = hash_key(key, b"secret-one")
    assert digest == hmac.new(b"secret-one", key.encode(), hashlib.sha256).hexdigest()
    assert digest != hashlib.sha256(key.encode()).hexdigest()  # not a bare hash anyone could recompute
    assert hash_key(key, b"secret-two") != digest and hash_key(key, b"secret-one") == digest
    assert len(digest) == 64 and key not in digest


@pytest.mark.parametrize(
    "token",
    ["", "msk_", "msk_short", "sk-" + "a" * 43, "msk_" + "a" * 42, "msk_" + "a" * 44, "msk_" + "a" * 42 + "!"],
)
def test_tokens_of_another_shape_are_not_keys(token: str) -> None:
    assert not looks_like_key(token)


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc", "abc"),
        ("bearer  abc ", "abc"),
        ("Basic abc", None),
        ("Bearer", None),
        ("Bearer   ", None),
        ("", None),
        (None, None),
        ("abc", None),
    ],
)
def test_bearer_token(header: str | None, token: str | None) -> None:
    assert bearer_token(header) == token


def test_scopes_parse_from_text_or_lists() -> None:
    assert parse_scopes("read,write") == {"read", "write"}
    assert parse_scopes(" Admin , read ") == {"admin", "read"}
    assert parse_scopes(["write"]) == {"write"}
    with pytest.raises(InvalidInputError, match="unknown scope"):
        parse_scopes("read,root")
    with pytest.raises(InvalidInputError, match="at least one"):
        parse_scopes(" , ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30d", NOW + timedelta(days=30)),
        ("12h", NOW + timedelta(hours=12)),
        ("2w", NOW + timedelta(weeks=2)),
        ("90m", NOW + timedelta(minutes=90)),
        ("2027-01-01T00:00:00Z", datetime(2027, 1, 1, tzinfo=UTC)),
        ("2027-01-01T02:00:00+02:00", datetime(2027, 1, 1, tzinfo=UTC)),
    ],
)
def test_expiry_is_an_instant_or_a_span_from_now(text: str, expected: datetime) -> None:
    assert parse_expiry(text, NOW) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2027-01-01T00:00:00", "no timezone"),
        ("2020-01-01T00:00:00Z", "not in the future"),
        ("0d", "not in the future"),
        ("soon", "cannot read"),
        ("30y", "cannot read"),
    ],
)
def test_bad_expiries_are_refused(text: str, problem: str) -> None:
    with pytest.raises(InvalidInputError, match=problem):
        parse_expiry(text, NOW)


def test_a_principal_holds_only_its_scopes_and_its_namespace() -> None:
    reader = Principal("team-a", frozenset({"read"}), "key_1")
    reader.require("read")
    with pytest.raises(PermissionDeniedError, match="lacks the 'write' scope"):
        reader.require("write")
    reader.check_manages("team-a")
    with pytest.raises(PermissionDeniedError, match="only that namespace"):
        reader.check_manages("team-b")
    assert reader.actor == "key_1" and reader.managed_namespace() == "team-a"

    operator = Principal.bootstrap("team-a")
    for scope in ("read", "write", "admin"):
        operator.require(scope)  # type: ignore[arg-type]
    operator.check_manages("team-b")
    assert operator.actor == "bootstrap:team-a" and operator.managed_namespace() is None
    assert Principal.open().actor == "open" and Principal.open().namespace == "default"
