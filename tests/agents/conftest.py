"""Agent tests never reach a network: any socket connection to the outside fails loudly."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make a real model call impossible: tests use litellm's mock_response only."""
    original = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise AssertionError(f"agent tests must not open network connections (tried {address!r})")
        return original(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield
