"""The admin console at ``/admin``: server-rendered pages over the same services the API calls."""

from memory_service.console.app import install

__all__ = ["install"]
