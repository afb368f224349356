"""SIGTERM: the server finishes what it is doing, then exits 0, with nothing half-stored.

A real ``memory-service serve`` process (JSON logs on) gets a batch of messages, with extraction,
and SIGTERM while it embeds them. The batch is then either answered 201 and stored whole, or
refused and stored not at all; the process exits 0 within the bound, its extraction worker
stopped, and every line it logged is one JSON object, with the request id its answers carried.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from memory_service.store.tables import EpisodeRow, ExtractionTaskRow
from tests.operations.service import running, start_service

pytestmark = pytest.mark.slow

BATCH = 400
EXIT_BOUND_S = 60


def test_sigterm_finishes_the_write_in_flight_and_exits_0(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    service = start_service(data_dir, log_format="json")
    answers: list[httpx.Response | Exception] = []
    messages = [{"role": "user", "content": f"Note {n}: I keep my bike in locker {n}."} for n in range(BATCH)]

    def write() -> None:
        with httpx.Client(base_url=service.url, timeout=120) as client:
            try:
                body = {"user_id": "ana", "messages": messages, "infer": True}
                answers.append(client.post("/v1/sessions/s1/messages", json=body))
            except httpx.TransportError as exc:
                answers.append(exc)

    with running(service):
        with httpx.Client(base_url=service.url, timeout=10) as client:
            missing = client.get("/v1/sessions/nope/messages", headers={"X-Request-ID": "trace-404"})
        assert missing.status_code == 404
        assert missing.headers["x-request-id"] == missing.json()["error"]["request_id"] == "trace-404"
        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(1.0)  # the request has arrived; embedding 400 messages takes longer on a CPU
        service.process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        service.process.wait(timeout=EXIT_BOUND_S)
        writer.join(timeout=60)
    assert service.process.returncode == 0, service.output()
    assert time.monotonic() - started < EXIT_BOUND_S

    [answer] = answers
    stored, tasks = _stored(data_dir)
    if isinstance(answer, httpx.Response) and answer.status_code == 201:
        assert len(answer.json()["ids"]) == BATCH
        assert stored == BATCH and tasks >= 1
    else:  # refused before it began: nothing of it landed
        assert stored == 0 and tasks == 0, answer

    entries = [json.loads(line) for line in service.log.read_text().splitlines() if line.strip()]
    assert all({"time", "level", "logger", "message", "request_id"} <= set(entry) for entry in entries)
    access = [entry for entry in entries if entry["logger"] == "uvicorn.access"]
    assert any(entry["request_id"] == "trace-404" and "404" in entry["message"] for entry in access), access
    if isinstance(answer, httpx.Response):
        assert any(entry["request_id"] == answer.headers["x-request-id"] for entry in access)
    messages_logged = [entry["message"] for entry in entries]
    assert "extraction worker stopped" in messages_logged, messages_logged[-10:]
    assert any(message.startswith("saved ") for message in messages_logged)


def _stored(data_dir: Path) -> tuple[int, int]:
    """Episodes and extraction tasks in the server's SQLite file, read after it exited."""
    engine = create_engine(f"sqlite:///{data_dir / 'memory.db'}")
    try:
        with engine.connect() as connection:
            episodes: Any = connection.scalar(select(func.count()).select_from(EpisodeRow))
            tasks: Any = connection.scalar(select(func.count()).select_from(ExtractionTaskRow))
    finally:
        engine.dispose()
    return int(episodes), int(tasks)
