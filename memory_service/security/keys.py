"""Key material, without I/O: new keys, their keyed hash, and the shape a presented key must have.

A key is ``msk_`` followed by 43 URL-safe base64 characters (32 random bytes from ``secrets``).
The typed prefix lets secret scanners and people recognise a leaked key. The service keeps only
``hash_key(key, server_secret)`` (HMAC-SHA-256, hex) and the first ``DISPLAY_PREFIX_CHARS``
characters, so a stolen database alone neither yields keys nor lets anyone test guesses offline
without the server secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

KEY_PREFIX = "msk_"
KEY_BYTES = 32
"""256 bits of randomness: far past any guessing, online or offline."""
DISPLAY_PREFIX_CHARS = 12
"""``msk_`` and 8 characters (48 of the 256 bits): enough to tell keys apart in a list."""
_KEY_SHAPE = re.compile(rf"^{KEY_PREFIX}[A-Za-z0-9_-]{{43}}$")


def generate_key() -> str:
    """A new key, to be shown to its owner once and never stored."""
    body = base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode().rstrip("=")
    return KEY_PREFIX + body


def display_prefix(key: str) -> str:
    """The part of a key that may be stored and shown, to recognise it in a list."""
    return key[:DISPLAY_PREFIX_CHARS]


def hash_key(key: str, server_secret: bytes) -> str:
    """The keyed hash stored for ``key``: HMAC-SHA-256 under the server secret, 64 hex digits."""
    return hmac.new(server_secret, key.encode(), hashlib.sha256).hexdigest()


def looks_like_key(token: str) -> bool:
    """Whether ``token`` has the shape of a managed key (checked before any database lookup)."""
    return _KEY_SHAPE.fullmatch(token) is not None


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; None when absent or of another scheme."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token
