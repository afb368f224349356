"""Key resolution, the one check behind the REST routes and the MCP endpoint."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

from memory_service.api.auth import EVERY_SCOPE, OPEN_GRANT, bearer_token, keys_required, resolve_key
from memory_service.runtime import Runtime
from memory_service.settings import Settings


def runtime_with(tmp_path: Path, keys: dict[str, str]) -> Runtime:
    """Only the settings are read: a stand-in for the runtime, without a model or a store."""
    return cast(Runtime, SimpleNamespace(settings=Settings(data_dir=tmp_path, api_keys=keys)))


def test_a_key_resolves_to_its_namespace_with_read_and_write(tmp_path: Path) -> None:
    runtime = runtime_with(tmp_path, {"key-a": "tenant-a", "key-b": "tenant-b"})
    assert keys_required(runtime)
    grant = resolve_key(runtime, "key-b")
    assert grant is not None and grant.namespace == "tenant-b" and grant.scopes == EVERY_SCOPE
    assert grant.allows("write") and grant.allows("read")
    assert resolve_key(runtime, " key-a ") == resolve_key(runtime, "key-a")
    assert resolve_key(runtime, "key-c") is None and resolve_key(runtime, "key-") is None


def test_an_open_server_requires_no_key_and_knows_none(tmp_path: Path) -> None:
    runtime = runtime_with(tmp_path, {})
    assert not keys_required(runtime)
    assert resolve_key(runtime, "anything") is None
    assert OPEN_GRANT.namespace == "default" and OPEN_GRANT.scopes == EVERY_SCOPE


@pytest.mark.parametrize(
    ("header", "token"),
    [("Bearer abc", "abc"), ("bearer  abc ", "abc"), ("Basic abc", None), ("Bearer ", None), ("", None), (None, None)],
)
def test_the_bearer_token_of_a_header(header: str | None, token: str | None) -> None:
    assert bearer_token(header) == token
