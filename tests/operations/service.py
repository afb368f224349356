"""``memory-service serve`` as a real process on a free loopback port: started, awaited, killed.

Operations tests need what a thread cannot give: a process that dies with SIGKILL mid-request,
and replicas that share nothing but the store.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Service:
    """One server process, its base URL and the file its output goes to (read when it fails)."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def wait_ready(self, timeout: float = 120) -> None:
        """Return once ``/readyz`` answers 200; fail with the server's output if it exits or stalls."""
        deadline = time.monotonic() + timeout
        with httpx.Client(base_url=self.url, timeout=5) as client:
            while True:
                assert self.process.poll() is None, f"server exited {self.process.returncode}:\n{self.output()}"
                try:
                    if client.get("/readyz").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, f"server not ready in {timeout}s:\n{self.output()}"
                time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, nothing is flushed or saved."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def start_service(data_dir: Path, database_url: str | None = None, **settings: str) -> Service:
    """Launch the server on ``data_dir`` (and ``database_url``) without waiting for it; ``settings``
    become ``MEMORY_*`` variables. The packaged model is loaded offline, on the CPU."""
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {name: value for name, value in os.environ.items() if not name.startswith("MEMORY_")}
    env.update(
        {
            "MEMORY_DATA_DIR": str(data_dir),
            "MEMORY_PORT": str(port),
            "MEMORY_DEVICE": "cpu",
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
        }
    )
    if database_url is not None:
        env["MEMORY_DATABASE_URL"] = database_url
    env.update({f"MEMORY_{name.upper()}": value for name, value in settings.items()})
    log = data_dir / f"server-{port}.log"
    command = [str(Path(sys.executable).with_name("memory-service")), "serve"]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
    return Service(process, f"http://127.0.0.1:{port}", log)


@contextmanager
def running(*services: Service, timeout: float = 120) -> Iterator[None]:
    """Wait for every service to be ready; stop each one (if still alive) when the block ends."""
    with ExitStack() as stack:
        for service in services:
            stack.callback(service.stop)
        for service in services:
            service.wait_ready(timeout)
        yield
