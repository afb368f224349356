"""Signed, expiring tokens for the console's cookies: HMAC-SHA-256 under a key drawn from the server secret.

The secret that hashes API keys is never used as is: each purpose (``session``, ``csrf``, ``flash``)
gets its own key derived from it, so a token made for one purpose is refused by the others.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    """Signs JSON payloads with their issue time; ``unsign`` refuses forged, altered or expired ones."""

    def __init__(self, secret: bytes, purpose: str, *, clock: Callable[[], float] = time.time) -> None:
        self._key = hmac.new(secret, b"memory-service console " + purpose.encode(), hashlib.sha256).digest()
        self._clock = clock

    def mac(self, text: str) -> str:
        """A keyed digest of ``text`` (the CSRF token of a cookie's value)."""
        return _b64(hmac.new(self._key, text.encode(), hashlib.sha256).digest())

    def sign(self, payload: dict[str, Any]) -> str:
        body = _b64(json.dumps({"p": payload, "t": int(self._clock())}, separators=(",", ":")).encode())
        return f"{body}.{self.mac(body)}"

    def unsign(self, token: str | None, *, max_age_s: int) -> dict[str, Any] | None:
        """The payload, or None when ``token`` is missing, forged, malformed or older than ``max_age_s``."""
        if not token or token.count(".") != 1:
            return None
        body, mac = token.split(".")
        if not hmac.compare_digest(mac, self.mac(body)):
            return None
        try:
            data = json.loads(_unb64(body))
        except ValueError:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("p"), dict) or not isinstance(data.get("t"), int):
            return None
        if self._clock() - data["t"] > max_age_s:
            return None
        payload: dict[str, Any] = data["p"]
        return payload
