"""Who uses the console: sign-in with an admin key, a signed session cookie, and CSRF tokens.

The key itself is never kept: the session cookie names the key (its id) or the bootstrap
namespace, and every request checks that the key is still active and still holds ``admin``, so a
revoked key signs its sessions out at once. On an open server (no key exists) everyone is the
operator and nothing needs signing in. Every form carries a CSRF token: the keyed digest of a
random per-browser cookie, checked on every POST (double submit, the cookie being HttpOnly and
SameSite=Strict).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import Request
from fastapi.responses import Response

from memory_service.errors import AuthenticationError, MemoryServiceError
from memory_service.runtime import Runtime
from memory_service.security.principal import Principal
from memory_service.security.secret import server_secret

from .signing import Signer

SESSION_COOKIE = "console_session"
CSRF_COOKIE = "console_csrf"
CSRF_FIELD = "csrf_token"
SESSION_MAX_AGE_S = 12 * 3600
"""A working day: long enough not to interrupt, short enough that a forgotten browser signs out."""


class SignInRequired(MemoryServiceError):
    """No valid console session: the page answers with the sign-in form."""

    status_code = 401
    code = "sign_in_required"


class CsrfError(MemoryServiceError):
    status_code = 403
    code = "csrf_failed"


@dataclass(frozen=True)
class ConsoleAuth:
    """The console's signers, made once from the server secret."""

    runtime: Runtime
    sessions: Signer
    csrf: Signer
    flash: Signer

    @classmethod
    def build(cls, runtime: Runtime) -> ConsoleAuth:
        secret = server_secret(runtime.settings)
        return cls(runtime, Signer(secret, "session"), Signer(secret, "csrf"), Signer(secret, "flash"))

    @property
    def open(self) -> bool:
        return self.runtime.auth.mode() == "open"

    # -- signing in -----------------------------------------------------------------------

    def sign_in(self, key: str) -> Principal:
        """The principal of ``key`` when it may administer; the API's own 401/403 otherwise."""
        if not key.strip():
            raise AuthenticationError("enter an admin API key (made with `memory-service keys create --scopes admin`)")
        principal = self.runtime.auth.principal(f"Bearer {key.strip()}")
        principal.require("admin")
        return principal

    def session_token(self, principal: Principal) -> str:
        return self.sessions.sign({"origin": principal.origin, "key": principal.key_id, "ns": principal.namespace})

    def principal(self, request: Request) -> Principal:
        """Who the request's session stands for; SignInRequired when there is none that still works."""
        if self.open:
            return Principal.open()
        data = self.sessions.unsign(request.cookies.get(SESSION_COOKIE), max_age_s=SESSION_MAX_AGE_S)
        if data is None:
            raise SignInRequired("sign in with an admin API key")
        if data.get("origin") == "bootstrap" and isinstance(data.get("ns"), str):
            return Principal.bootstrap(data["ns"])
        key_id = data.get("key")
        if data.get("origin") != "key" or not isinstance(key_id, str):
            raise SignInRequired("sign in with an admin API key")
        try:
            key = self.runtime.auth.keys.get(key_id)
        except MemoryServiceError:
            raise SignInRequired("this session's key no longer exists; sign in again") from None
        status = key.status(_now())
        if status != "active" or "admin" not in key.scopes:
            raise SignInRequired(f"key {key_id} is {status} or lost the admin scope; sign in again")
        return Principal(key.namespace, frozenset(key.scopes), key.id, "key")

    # -- CSRF -----------------------------------------------------------------------------

    def csrf_seed(self, request: Request) -> str:
        """The browser's CSRF cookie value, made on its first page (stored on the request for the answer)."""
        seed = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_seed", None)
        if not seed:
            seed = secrets.token_urlsafe(24)
            request.state.csrf_seed = seed
        return str(seed)

    def csrf_token(self, request: Request) -> str:
        return self.csrf.mac(self.csrf_seed(request))

    def check_csrf(self, request: Request, submitted: object) -> None:
        seed = request.cookies.get(CSRF_COOKIE)
        if not seed or not isinstance(submitted, str) or not hmac.compare_digest(submitted, self.csrf.mac(seed)):
            raise CsrfError("the form's security token is missing or stale; reload the page and submit it again")

    # -- cookies --------------------------------------------------------------------------

    def set_cookies(self, request: Request, response: Response, *, session: str | None = None) -> None:
        """Write the CSRF cookie when it is new, and ``session`` when given; both HttpOnly and Strict."""
        secure = request.url.scheme == "https"
        seed = getattr(request.state, "csrf_seed", None)
        if seed:
            response.set_cookie(CSRF_COOKIE, seed, httponly=True, samesite="strict", secure=secure, path="/admin")
        if session is not None:
            response.set_cookie(
                SESSION_COOKIE,
                session,
                max_age=SESSION_MAX_AGE_S,
                httponly=True,
                samesite="strict",
                secure=secure,
                path="/admin",
            )

    @staticmethod
    def clear_session(response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path="/admin")


def _now() -> datetime:
    return datetime.now(UTC)
