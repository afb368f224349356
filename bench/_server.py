"""A real uvicorn server on loopback, in a thread of the benchmark's process."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn

from memory_service.api.app import create_app
from memory_service.bootstrap import Runtime


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(runtime: Runtime, timeout: float = 120) -> Iterator[httpx.Client]:
    """An HTTP client of the app on ``runtime``, served until the block ends."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(runtime=runtime), port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=timeout) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join()
