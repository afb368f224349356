"""Signing in and out of the console."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from memory_service.errors import AuthenticationError, PermissionDeniedError

from . import rendering
from .context import ConsoleRoute, console_auth, sign_in_page

router = APIRouter(prefix="/admin", route_class=ConsoleRoute, include_in_schema=False)


def _safe_next(target: str) -> str:
    """Only a console path: a sign-in never sends the browser elsewhere."""
    return target if target.startswith("/admin") and not target.startswith("//") and "\\" not in target else "/admin"


@router.get("/sign-in")
def sign_in_form(request: Request) -> Response:
    if console_auth(request).open:
        return rendering.redirect("/admin")
    return sign_in_page(request, None, status=200)


@router.post("/sign-in")
def sign_in(request: Request, key: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/admin") -> Response:
    auth = console_auth(request)
    try:
        principal = auth.sign_in(key)
    except (AuthenticationError, PermissionDeniedError) as exc:
        return sign_in_page(request, exc.message, status=exc.status_code)
    response = rendering.redirect(_safe_next(next))
    auth.set_cookies(request, response, session=auth.session_token(principal))
    return response


@router.post("/sign-out")
def sign_out(request: Request) -> Response:
    response = rendering.redirect("/admin/sign-in")
    console_auth(request).clear_session(response)
    return response
