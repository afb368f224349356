"""The server's log: text for a person at a terminal, or one JSON object per line for a collector.

Both carry each line's request id, so the id in an error body or an ``X-Request-ID`` header finds
the server's lines of that request. JSON lines are what log pipelines (Loki, CloudWatch, an ELK
stack) parse without a grok pattern that breaks on a multi-line traceback.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from typing import IO, Any, Literal

from memory_service.api.request_id import RequestIdFilter, current_request_id

LogFormat = Literal["text", "json"]

TEXT_FORMAT = "%(levelname)s:     %(name)s: [%(request_id)s] %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ``time`` (ISO 8601, UTC, milliseconds), ``level``, ``logger``,
    ``message``, ``request_id`` (null outside a request) and, when there is one, ``exception`` (the
    formatted traceback) and ``stack``; a newline inside a message stays inside its string."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": _request_id(record),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _request_id(record: logging.LogRecord) -> str | None:
    """The id the filter set, else the one of the request being served (a handler without the filter)."""
    given = getattr(record, "request_id", None)
    if isinstance(given, str) and given != "-":
        return given
    return current_request_id()


def log_handler(log_format: LogFormat = "text", stream: IO[str] | None = None) -> logging.Handler:
    """A handler writing to ``stream`` (stderr by default) in ``log_format``, each line with its request id."""
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    return handler


def configure_logging(log_format: LogFormat = "text") -> None:
    """The server's log: its own lines at INFO, libraries' when they warn, each with its request id.

    In JSON every line of the process is JSON: uvicorn's own lines (start, access log) come through
    the same handler (``memory-service serve`` then leaves uvicorn's logging unconfigured), and
    Python warnings are logged rather than printed, and model loading draws no progress bars.
    """
    logging.basicConfig(level=logging.WARNING, handlers=[log_handler(log_format)])
    logging.getLogger("memory_service").setLevel(logging.INFO)
    if log_format == "json":
        logging.getLogger("uvicorn").setLevel(logging.INFO)
        logging.captureWarnings(True)
        # Read by huggingface_hub and transformers when they are imported, after this (model load).
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
