"""One place that turns every error into the JSON body ``{"error": {code, message, details}}``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from memory_service.api.request_id import current_request_id
from memory_service.errors import MemoryServiceError, RateLimitedError

log = logging.getLogger(__name__)

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The body of every error answer: ``{"error": {"code", "message", "details"?, "request_id"?}}``."""
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    request_id = current_request_id()
    if request_id is not None:
        error["request_id"] = request_id
    return {"error": error}


def error_response(
    status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(jsonable_encoder(error_body(code, message, details)), status_code=status, headers=headers)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> set[str]:
    """Every method some route of the app serves on the request's path (asked of each route, as
    included routers keep their routes to themselves)."""
    routes = request.app.router.routes
    return {
        method
        for method in _METHODS
        if any(route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes)
    }


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(MemoryServiceError)
    async def _service_error(_: Request, exc: MemoryServiceError) -> JSONResponse:
        # RFC 6750: a 401 names the scheme the client should authenticate with.
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        if isinstance(exc, RateLimitedError):  # RFC 9110: how long to wait, in seconds
            headers = {"Retry-After": str(exc.details["retry_after_s"])}
        return error_response(exc.status_code, exc.code, exc.message, exc.details, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"loc": list(err.get("loc", ())), "message": err.get("msg", ""), "type": err.get("type", "")}
            for err in exc.errors()
        ]
        first = problems[0] if problems else {"loc": [], "message": "invalid request"}
        where = ".".join(str(part) for part in first["loc"])
        return error_response(422, "validation_error", f"{where}: {first['message']}", problems)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # RFC 9110: a 405 says every method the resource allows. The router names only those of
            # the first route on the path, and a path often has several (GET and POST apart).
            headers["Allow"] = ", ".join(sorted(allowed_methods(request)))
        return error_response(exc.status_code, code, str(exc.detail), headers=headers or None)


class UnexpectedErrors:
    """ASGI middleware: a failure no handler knows becomes a 500 with the JSON error body, logged
    with its traceback.

    Installed inside :class:`~memory_service.api.request_id.RequestId`, so that the answer carries
    the request id in its header and body and the log line names it too; an exception handler for
    ``Exception`` would run in Starlette's outermost middleware, after the request's id is gone.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error")
            if started:  # part of the answer is sent: all that is left is to cut the connection
                raise
            response = error_response(500, "internal_error", "the server failed on this request; see its log")
            await response(scope, receive, send)
