"""Turns a request's ``Authorization`` header into the ``Principal`` it acts as.

Keys are required once any managed key was ever stored, or ``MEMORY_API_KEYS`` or
``MEMORY_REQUIRE_KEYS`` is set. Without any, the server is open (settings allow that on a
loopback address only) and every caller holds every scope in the default namespace.
``MEMORY_API_KEYS`` entries are bootstrap keys for existing deployments: each holds read, write
and admin in its namespace and manages the keys of every namespace.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Literal

from memory_service.errors import AuthenticationError
from memory_service.security.key_store import HOW_TO_SEND, KeyStore
from memory_service.security.keys import bearer_token
from memory_service.security.principal import Principal

Mode = Literal["keys", "open"]


class Authenticator:
    """Checks presented keys against the bootstrap keys, then the key store."""

    def __init__(self, keys: KeyStore, bootstrap: Mapping[str, str], *, require_keys: bool = False) -> None:
        self.keys = keys
        self._bootstrap = tuple((key.encode(), namespace) for key, namespace in bootstrap.items())
        self._require = require_keys or bool(bootstrap)

    def mode(self) -> Mode:
        """``keys`` when a request needs a key, ``open`` otherwise; may turn to ``keys`` at any request."""
        return "keys" if self._require or self.keys.any_exist() else "open"

    def principal(self, authorization: str | None) -> Principal:
        """Who sends ``authorization`` (a header value, or None); 401 when a key is required and none works."""
        if self.mode() == "open":
            return Principal.open()
        token = bearer_token(authorization)
        if token is None:
            raise AuthenticationError(f"missing API key: {HOW_TO_SEND}")
        presented = token.encode()
        # Every bootstrap key is compared, in constant time each, so timing tells nothing of which matched.
        matched = [namespace for key, namespace in self._bootstrap if secrets.compare_digest(key, presented)]
        if matched:
            return Principal.bootstrap(matched[0])
        key = self.keys.authenticate(token)
        return Principal(key.namespace, frozenset(key.scopes), key.id, "key")
