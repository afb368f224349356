"""A real uvicorn server on loopback: in a thread of the benchmark's process, or in its own.

In a thread, the server and the benchmark's client threads share one interpreter lock, which
adds their Python work to every request's latency; a separate process serves as a deployment
does (the two still share the machine's cores).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

from memory_service.api.app import create_app
from memory_service.runtime import Runtime


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


@contextmanager
def serving_process(data_dir: Path, timeout: float = 300, **settings: str) -> Iterator[httpx.Client]:
    """An HTTP client of ``memory-service serve`` on ``data_dir``, run as its own process until
    the block ends; ``settings`` become ``MEMORY_*`` variables (``index_precision="fp16"``)."""
    port = free_port()
    env = {**os.environ, "MEMORY_DATA_DIR": str(data_dir), "MEMORY_PORT": str(port)}
    env.update({f"MEMORY_{name.upper()}": value for name, value in settings.items()})
    command = str(Path(sys.executable).with_name("memory-service"))
    # Its access log would bury the benchmark's output; a failure shows as its exit status.
    server = subprocess.Popen([command, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=timeout) as client:
            deadline = time.monotonic() + timeout
            while True:
                if server.poll() is not None:
                    raise RuntimeError(f"memory-service serve exited with status {server.returncode}")
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError("memory-service serve did not become ready")
                time.sleep(0.2)
            yield client
    finally:
        server.terminate()
        server.wait(timeout=60)
