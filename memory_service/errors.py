"""The service's exception tree; one HTTP status per kind, mapped in one handler.

MemoryServiceError
├── InvalidInputError        422  the request is well-formed JSON but says something impossible
├── NotFoundError            404
├── ConflictError            409
├── PayloadTooLargeError     413
├── AuthenticationError      401
├── PermissionDeniedError    403
└── UnavailableError         503  a dependency (store, model) is not ready
"""

from __future__ import annotations

from typing import Any, ClassVar


class MemoryServiceError(Exception):
    """Base of every error the service raises on purpose."""

    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInputError(MemoryServiceError):
    status_code = 422
    code = "invalid_input"


class NotFoundError(MemoryServiceError):
    status_code = 404
    code = "not_found"


class ConflictError(MemoryServiceError):
    status_code = 409
    code = "conflict"


class PayloadTooLargeError(MemoryServiceError):
    status_code = 413
    code = "payload_too_large"


class AuthenticationError(MemoryServiceError):
    status_code = 401
    code = "unauthenticated"


class PermissionDeniedError(MemoryServiceError):
    status_code = 403
    code = "forbidden"


class UnavailableError(MemoryServiceError):
    status_code = 503
    code = "unavailable"


class RateLimitedError(MemoryServiceError):
    """Too many requests for the caller's key; ``details.retry_after_s`` says when to try again."""

    status_code = 429
    code = "rate_limited"


ERRORS_BY_CODE: dict[str, type[MemoryServiceError]] = {
    cls.code: cls
    for cls in (
        InvalidInputError,
        NotFoundError,
        ConflictError,
        PayloadTooLargeError,
        AuthenticationError,
        PermissionDeniedError,
        UnavailableError,
        RateLimitedError,
    )
}
