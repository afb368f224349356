"""Python SDK: ``MemoryClient`` (blocking HTTP), ``AsyncMemoryClient`` (asyncio HTTP) and
``LocalMemoryClient`` (in process, no server).

All three have the same methods and return the same schemas. The HTTP clients load only httpx
and pydantic; ``LocalMemoryClient`` is imported on first use, since it brings the model and store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from memory_service.sdk.async_client import AsyncMemoryClient
from memory_service.sdk.client import MemoryClient
from memory_service.sdk.context import MemoryContext

if TYPE_CHECKING:
    from memory_service.sdk.local import LocalMemoryClient

__all__ = ["AsyncMemoryClient", "LocalMemoryClient", "MemoryClient", "MemoryContext"]


def __getattr__(name: str) -> Any:
    if name == "LocalMemoryClient":
        from memory_service.sdk.local import LocalMemoryClient

        return LocalMemoryClient
    raise AttributeError(f"module 'memory_service.sdk' has no attribute {name!r}")
