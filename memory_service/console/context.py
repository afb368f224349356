"""What every console page works with: the runtime, who is signed in, the namespace shown, and how to answer.

``ConsoleRoute`` is the route class of every console router: it checks the CSRF token of every
POST before the page runs, and turns the service's errors into pages that show the API's own
message (a sign-in form for a missing session), where the JSON API would answer with its body.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from jinja2 import Environment

from memory_service.domain import DEFAULT_NAMESPACE
from memory_service.errors import InvalidInputError, MemoryServiceError
from memory_service.runtime import Runtime
from memory_service.security.principal import Principal
from memory_service.version import __version__

from . import rendering
from .auth import CSRF_FIELD, ConsoleAuth, SignInRequired

log = logging.getLogger(__name__)


def console_auth(request: Request) -> ConsoleAuth:
    """The app's ConsoleAuth, made on first use (the runtime exists only once the app has started)."""
    made: ConsoleAuth | None = getattr(request.app.state, "console_auth", None)
    if made is None or made.runtime is not request.app.state.runtime:
        made = ConsoleAuth.build(request.app.state.runtime)
        request.app.state.console_auth = made
    return made


def environment(request: Request) -> Environment:
    env: Environment | None = getattr(request.app.state, "console_env", None)
    if env is None:
        env = rendering.build_environment()
        request.app.state.console_env = env
    return env


@dataclass
class Console:
    """One request of a signed-in operator (or anyone, on an open server)."""

    request: Request
    runtime: Runtime
    auth: ConsoleAuth
    principal: Principal
    env: Environment

    @property
    def namespace(self) -> str:
        """The namespace shown: the key's own, or for the operator the one picked with ``ns``."""
        if not self.principal.manages_all_namespaces:
            return self.principal.namespace
        picked = self.request.query_params.get("ns") or self.request.path_params.get("ns")
        return picked or self.principal.namespace or DEFAULT_NAMESPACE

    def link(self, path: str, **params: Any) -> str:
        """``/admin`` + ``path`` with ``params``, keeping the picked namespace."""
        if self.principal.manages_all_namespaces and self.namespace != self.principal.namespace:
            params.setdefault("ns", self.namespace)
        return "/admin" + path + rendering.query(params)

    def page(self, template: str, status: int = 200, **context: Any) -> Response:
        notice = self.auth.flash.unsign(self.request.cookies.get(rendering.FLASH_COOKIE), max_age_s=60)
        response = rendering.html(
            self.request,
            self.env,
            template,
            {
                "console": self,
                "principal": self.principal,
                "open_server": self.auth.open,
                "csrf_field": CSRF_FIELD,
                "csrf_token": self.auth.csrf_token(self.request),
                "notice": notice,
                "version": __version__,
                **context,
            },
            status,
        )
        self.auth.set_cookies(self.request, response)
        return response

    def done(self, path: str, message: str, kind: str = "ok", **params: Any) -> Response:
        """After a change: back to ``path`` with ``message`` shown once."""
        return rendering.redirect(self.link(path, **params), self.auth.flash.sign({"text": message, "kind": kind}))


def get_console(request: Request) -> Console:
    auth = console_auth(request)
    return Console(request, auth.runtime, auth, auth.principal(request), environment(request))


ConsoleDep = Annotated[Console, Depends(get_console)]


class ConsoleRoute(APIRoute):
    """CSRF on every POST; the service's errors as pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                if request.method == "POST":
                    form = await request.form()  # cached: the page reads the same form
                    console_auth(request).check_csrf(request, form.get(CSRF_FIELD))
                return await handler(request)
            except SignInRequired as exc:
                return sign_in_page(request, exc.message if request.cookies else None)
            except MemoryServiceError as exc:
                return error_page(request, exc)
            except RequestValidationError as exc:
                problem = exc.errors()[0] if exc.errors() else {}
                where = ".".join(str(part) for part in problem.get("loc", ()))
                return error_page(request, InvalidInputError(f"{where}: {problem.get('msg', 'invalid request')}"))

        return run


def sign_in_page(request: Request, message: str | None, status: int = 401) -> Response:
    auth = console_auth(request)
    next_path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET" or not next_path.startswith("/admin") or next_path.startswith("/admin/sign-in"):
        next_path = "/admin"
    response = rendering.html(
        request,
        environment(request),
        "sign_in.html",
        {
            "error": message,
            "next": next_path,
            "csrf_field": CSRF_FIELD,
            "csrf_token": auth.csrf_token(request),
            "version": __version__,
        },
        status,
    )
    auth.set_cookies(request, response)
    return response


def error_page(request: Request, exc: MemoryServiceError) -> Response:
    """The API's own code and message, on a page with the console's navigation."""
    auth = console_auth(request)
    try:
        principal = auth.principal(request)
    except SignInRequired:
        return sign_in_page(request, exc.message, status=exc.status_code)
    console = Console(request, auth.runtime, auth, principal, environment(request))
    return console.page("error.html", status=exc.status_code, error=exc)
