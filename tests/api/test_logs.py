"""JSON logs: one object per line, each carrying the request id that the answer's header and error body show."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from memory_service.api.app import create_app
from memory_service.api.logs import JsonFormatter, log_handler
from memory_service.runtime import Runtime


def test_a_record_is_one_json_line_with_its_exception() -> None:
    try:
        raise RuntimeError("disk on fire\nsecond line")
    except RuntimeError:
        record = logging.LogRecord("memory_service.x", logging.ERROR, __file__, 1, "failed %s", ("here",), None)
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "memory_service.x" and entry["message"] == "failed here"
    assert entry["request_id"] is None  # outside a request
    assert entry["time"].endswith("+00:00")
    assert "RuntimeError: disk on fire" in entry["exception"] and "Traceback" in entry["exception"]


def test_a_record_without_exception_has_no_exception_field() -> None:
    record = logging.LogRecord("memory_service", logging.INFO, __file__, 1, "ready", (), None)
    assert "exception" not in json.loads(JsonFormatter().format(record))


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What the service's loggers write while the test runs, as the JSON handler formats it."""
    stream = io.StringIO()
    handler = log_handler("json", stream)
    logger = logging.getLogger("memory_service")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def test_a_failing_requests_log_line_names_its_request_id(runtime: Runtime, json_log: io.StringIO) -> None:
    app = create_app(runtime=runtime)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("the index is gone")

    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/boom", headers={"X-Request-ID": "trace-7"})
        fresh = client.get("/boom")
    assert answer.status_code == 500 and fresh.status_code == 500
    entries = [json.loads(line) for line in json_log.getvalue().splitlines()]
    failures = [entry for entry in entries if entry["message"] == "unhandled error"]
    assert [entry["request_id"] for entry in failures] == ["trace-7", fresh.headers["x-request-id"]]
    for entry, response in zip(failures, (answer, fresh), strict=True):
        assert entry["request_id"] == response.headers["x-request-id"] == response.json()["error"]["request_id"]
        assert entry["level"] == "ERROR" and "RuntimeError: the index is gone" in entry["exception"]
