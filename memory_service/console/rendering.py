"""Pages out: the Jinja2 environment, the filters every template shares, and the answers pages give.

Times are shown in UTC with the zone written out (and the exact instant in ``<time datetime>``),
never in the server's local zone, so two operators reading one page read one time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

FLASH_COOKIE = "console_flash"
FLASH_MAX_AGE_S = 60
SECURITY_HEADERS = {
    # Nothing but this server's own files: no inline script, no third-party host, no framing.
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def when(moment: datetime | None) -> Markup:
    """A moment as ``2024-05-01 09:30:00 UTC`` inside ``<time datetime=...>``; an em dash when None."""
    if moment is None:
        return Markup('<span class="muted">—</span>')
    utc = (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).astimezone(UTC)
    return Markup('<time datetime="{}">{}</time>').format(utc.isoformat(), utc.strftime("%Y-%m-%d %H:%M:%S UTC"))


def iso_input(moment: datetime | None) -> str:
    """A moment for a text input: ISO 8601 with its zone, as the forms read it back."""
    return "" if moment is None else moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def query(params: Mapping[str, Any]) -> str:
    """``?a=1&b=2`` of the non-empty ``params`` (empty when none)."""
    kept = {k: v for k, v in params.items() if v not in (None, "", False)}
    return "?" + urlencode(kept, doseq=True) if kept else ""


def build_environment() -> Environment:
    env = Environment(
        loader=PackageLoader("memory_service.console", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = when
    env.filters["iso_input"] = iso_input
    env.globals["query"] = query
    return env


def html(request: Request, env: Environment, template: str, context: Mapping[str, Any], status: int = 200) -> Response:
    """A page with the security headers; the one-shot notice it showed is cleared."""
    body = env.get_template(template).render(request=request, **context)
    response = HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path="/admin")
    return response


def redirect(url: str, flash_token: str | None = None) -> Response:
    """303 See Other to ``url`` (a POST's answer), with a notice for the next page to show."""
    response = RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})
    if flash_token is not None:
        response.set_cookie(
            FLASH_COOKIE, flash_token, max_age=FLASH_MAX_AGE_S, httponly=True, samesite="strict", path="/admin"
        )
    return response


def plain(text: str) -> Markup:
    return Markup(escape(text))
