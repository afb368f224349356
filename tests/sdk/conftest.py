"""The SDK's tests run on the shared client fixtures of ``tests/sdk/fixtures.py``."""

from tests.sdk.fixtures import app, client, live_server

__all__ = ["app", "client", "live_server"]
