"""The real thing: ``memory-service serve`` as a process, used over HTTP, stopped and restarted."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from memory_service.errors import NotFoundError
from memory_service.sdk import MemoryClient

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 120
STOP_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(data_dir: Path, log_path: Path) -> Iterator[str]:
    """A server process on ``data_dir``; yields its URL, stops it with SIGTERM and checks it exits cleanly."""
    port = free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("MEMORY_")}
    pythonpath = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update({"MEMORY_DEVICE": "cpu", "PYTHONPATH": pythonpath})
    command = [sys.executable, "-m", "memory_service.cli", "serve", "--port", str(port), "--data-dir", str(data_dir)]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(process, url, log_path)
        yield url
        process.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal so the exit status reports it.
        assert process.wait(timeout=STOP_TIMEOUT_S) in (0, -signal.SIGTERM), log_path.read_text()
        assert "Application shutdown complete" in log_path.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def wait_until_healthy(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"server not healthy after {START_TIMEOUT_S}s:\n{log_path.read_text()}")


@pytest.mark.slow
def test_serve_add_search_restart_delete(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    with serving(data_dir, first_log) as url, MemoryClient(url) as client:
        assert client.health() == {"status": "ok"}
        created = client.add_messages(
            "kitchen",
            "dee",
            [
                {"role": "user", "content": "I'm allergic to shellfish, so no shrimp please."},
                {"role": "assistant", "content": "Understood, I'll leave shrimp out of every recipe."},
                {"role": "user", "content": "Also, my favourite herb is basil."},
            ],
        )
        assert len(created.ids) == 3
        hits = client.search("which seafood can't I eat?", "dee", top_k=2).results
        assert hits[0].id == created.ids[0]
    log = first_log.read_text()
    assert f"listening on {url}" in log and str(data_dir.resolve()) in log and "OPEN" in log

    with serving(data_dir, second_log) as url, MemoryClient(url) as client:
        hits = client.search("what herb do I like?", "dee", top_k=1).results
        assert [h.id for h in hits] == [created.ids[2]]
        assert [e.id for e in client.iter_messages("kitchen", page_size=2)] == created.ids
        deleted = client.delete_user("dee")
        assert (deleted.deleted_sessions, deleted.deleted_episodes) == (1, 3)
        assert client.search("herb", "dee").results == []
        with pytest.raises(NotFoundError):
            client.get_session("kitchen")
