"""One shape for every error the API returns: `{"message": "...", "error": "<code>"}`.

Handlers `raise` an `ApiError` (usually built by one of the helpers below); the app's error
handlers turn it, and every Sanic or unexpected exception, into that JSON body. Nothing else
builds error bodies, so no stack trace or database message can leak to a client.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answer: HTTP `status`, human `message`, machine `code`, optional extra fields."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = headers or {}
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"message": self.message, "error": self.code, **self.extra}


def error_body(message: str, code: str, **extra: Any) -> dict[str, Any]:
    return {"message": message, "error": code, **extra}


def bad_request(field: str | None, message: str, code: str = "validation_error") -> ApiError:
    """400; `field` (when given) is also returned as `"field"` so a form can point at it."""
    if field is None:
        return ApiError(400, message, code)
    return ApiError(400, message, code, field=field)


def unauthorized(message: str = "Authentication required", code: str = "unauthorized") -> ApiError:
    return ApiError(401, message, code, headers={"WWW-Authenticate": "Bearer"})


def forbidden(message: str = "Access denied", code: str = "forbidden") -> ApiError:
    return ApiError(403, message, code)


def not_found(what: str) -> ApiError:
    """404 `"<what> not found"`, e.g. `not_found("UPS system")` (the seed's wording)."""
    return ApiError(404, f"{what} not found", "not_found")


def conflict(message: str, code: str = "conflict") -> ApiError:
    return ApiError(409, message, code)


def too_many_requests(message: str, retry_after: int) -> ApiError:
    return ApiError(
        429,
        message,
        "rate_limited",
        headers={"Retry-After": str(max(1, retry_after))},
        retryAfter=max(1, retry_after),
    )


def payload_too_large() -> ApiError:
    return ApiError(413, "Request body too large (limit 64 KiB)", "payload_too_large")


def bad_gateway(message: str, code: str, **extra: Any) -> ApiError:
    """502: an upstream (a NUT server, a webhook) failed; `code` says how."""
    return ApiError(502, message, code, **extra)
