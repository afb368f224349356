"""Per-key request rate limits, by the ``limits`` library: in memory for one process, on Redis for
replicas that share one budget per key.

A moving window: a burst is counted against the last full window whatever the clock says, so a
caller cannot double its rate at a window's edge. The key's id is the identity; a bootstrap key
counts by its namespace, and an open server by the caller's address.
"""

from __future__ import annotations

import math
import time

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from memory_service.errors import RateLimitedError
from memory_service.security.principal import Principal


class RateLimiter:
    """Counts each request against ``limit`` (e.g. ``"600/minute"``) for its caller."""

    def __init__(self, limit: str, storage_uri: str = "memory://") -> None:
        self.limit = parse(limit)
        self.storage_uri = storage_uri
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    def hit(self, principal: Principal, client_host: str | None = None) -> None:
        """Count one request; 429 with the seconds to wait when the caller is over its limit."""
        identity = _identity(principal, client_host)
        if self._limiter.hit(self.limit, identity):
            return
        reset = self._limiter.get_window_stats(self.limit, identity).reset_time
        wait = max(1, math.ceil(reset - time.time()))
        raise RateLimitedError(
            f"more than {self.limit} requests for this key; try again in {wait} s",
            details={"retry_after_s": wait, "limit": str(self.limit)},
        )


def _identity(principal: Principal, client_host: str | None) -> str:
    if principal.key_id is not None:
        return f"key:{principal.namespace}:{principal.key_id}"
    if principal.origin == "open":
        return f"open:{client_host or '-'}"
    return f"{principal.origin}:{principal.namespace}"
