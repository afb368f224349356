"""Long-term memory service for LLM agents.

Importing this package is cheap: the SDK clients are loaded on first use, and nothing here
imports torch, FAISS or a model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from memory_service.version import __version__

__all__ = ["AsyncMemoryClient", "LocalMemoryClient", "MemoryClient", "__version__"]

if TYPE_CHECKING:
    from memory_service.sdk import AsyncMemoryClient, LocalMemoryClient, MemoryClient


def __getattr__(name: str) -> Any:
    if name in {"MemoryClient", "AsyncMemoryClient", "LocalMemoryClient"}:
        from memory_service import sdk

        return getattr(sdk, name)
    raise AttributeError(f"module 'memory_service' has no attribute {name!r}")
