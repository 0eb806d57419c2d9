"""Small typed readers for request input. Each raises a 400 `ApiError` naming the field.

Handlers read a body with `read_json(request)` and then pull each field with the reader for its
type, so every type and range rule has one implementation and one wording.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from sanic import Request

from powerpulse.api.errors import ApiError, bad_request, not_found, payload_too_large
from powerpulse.db.models import ROLES
from powerpulse.groups import Filter, FilterError, parse_filter

PASSWORD_MIN_BYTES = 8
PASSWORD_MAX_BYTES = 72  # bcrypt ignores everything after 72 bytes: refuse rather than truncate


NOT_JSON = "Content-Type must be application/json"


def is_json_type(content_type: str) -> bool:
    """`application/json` or a `+json` type, any parameters (charset) allowed."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def read_json(request: Request, *, allow_empty: bool = True) -> dict[str, Any]:
    """The body as a JSON object; `{}` for an empty body when `allow_empty`.

    A body must be sent as `application/json` (else 415): a cross-site page can POST
    `text/plain` or a form without a CORS preflight, but not JSON, so this keeps every JSON
    endpoint (setup before the first user exists, above all) out of reach of other sites."""
    raw = request.body
    if len(raw) > request.app.config.REQUEST_MAX_SIZE:
        raise payload_too_large()
    if not raw or not raw.strip():
        if allow_empty:
            return {}
        raise bad_request(None, "Request body must be a JSON object", "invalid_json")
    if not is_json_type(request.headers.get("content-type", "")):
        raise ApiError(415, NOT_JSON, "unsupported_media_type")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise bad_request(None, "Request body is not valid JSON", "invalid_json") from None
    if not isinstance(data, dict):
        raise bad_request(None, "Request body must be a JSON object", "invalid_json")
    return data


# The largest id of the users, NUT server and UPS tables (32-bit INTEGER columns): PostgreSQL
# refuses a larger number as a parameter (a 500), SQLite just finds nothing.
ID_MAX = 2**31 - 1


def parse_id(raw: str, what: str) -> int:
    """A path id; anything that is not a positive integer of the id column's range is simply
    not found."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise not_found(what)
    value = int(raw)
    if not 0 < value <= ID_MAX:
        raise not_found(what)
    return value


def _missing(body: dict[str, Any], field: str) -> bool:
    return field not in body or body[field] is None


def require_str(
    body: dict[str, Any], field: str, *, max_length: int = 255, label: str | None = None
) -> str:
    """A non-empty string (surrounding whitespace removed)."""
    value = optional_str(body, field, max_length=max_length)
    if not value:
        raise bad_request(field, f"{label or field} is required")
    return value


def optional_str(body: dict[str, Any], field: str, *, max_length: int = 255) -> str | None:
    """A string or None when absent/null; stripped; may be empty."""
    if _missing(body, field):
        return None
    value = body[field]
    if not isinstance(value, str):
        raise bad_request(field, f"{field} must be a string")
    value = value.strip()
    if len(value) > max_length:
        raise bad_request(field, f"{field} must be at most {max_length} characters")
    if "\x00" in value:
        raise bad_request(field, f"{field} must not contain NUL characters")
    return value


def optional_credential(body: dict[str, Any], field: str) -> str | None:
    """A NUT user name or password: a string that fits on one protocol line (a line break
    would end the command early; the NUT client refuses it with a ValueError, a 500)."""
    value = optional_str(body, field)
    if value is not None and ("\n" in value or "\r" in value):
        raise bad_request(field, f"{field} must not contain line breaks")
    return value


def optional_int(body: dict[str, Any], field: str, *, lo: int, hi: int) -> int | None:
    """An integer in [lo, hi] or None when absent/null. Booleans and floats with a fraction
    are refused; a whole float (`30.0`) is accepted."""
    if _missing(body, field):
        return None
    return to_int(body[field], field, lo=lo, hi=hi)


def require_int(body: dict[str, Any], field: str, *, lo: int, hi: int) -> int:
    value = optional_int(body, field, lo=lo, hi=hi)
    if value is None:
        raise bad_request(field, f"{field} is required")
    return value


def to_int(value: Any, field: str, *, lo: int, hi: int) -> int:
    if isinstance(value, bool):
        raise bad_request(field, f"{field} must be a whole number between {lo} and {hi}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        # ASCII digits only: str.isdigit() also accepts "²", which int() refuses (a 500 before)
        text = value.strip()
        digits = text[1:] if text.startswith("-") else text
        if not (digits.isascii() and digits.isdigit() and len(digits) <= 18):
            raise bad_request(field, f"{field} must be a whole number between {lo} and {hi}")
        value = int(text)
    if not isinstance(value, int) or not lo <= value <= hi:
        raise bad_request(field, f"{field} must be a whole number between {lo} and {hi}")
    return value


def optional_number(body: dict[str, Any], field: str, *, lo: float, hi: float) -> float | None:
    if _missing(body, field):
        return None
    value = body[field]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad_request(field, f"{field} must be a number between {lo:g} and {hi:g}")
    if not lo <= value <= hi:
        raise bad_request(field, f"{field} must be a number between {lo:g} and {hi:g}")
    return float(value)


def optional_bool(body: dict[str, Any], field: str) -> bool | None:
    """true/false or 1/0 (the original UI sends 0/1); None when absent/null."""
    if _missing(body, field):
        return None
    value = body[field]
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise bad_request(field, f"{field} must be true or false")


def check_password(password: Any, field: str = "password") -> str:
    """8 to 72 bytes of UTF-8: bcrypt's limit counts bytes, not characters."""
    if not isinstance(password, str) or not password:
        raise bad_request(field, f"{field} is required")
    size = len(password.encode("utf-8"))
    if size < PASSWORD_MIN_BYTES:
        raise bad_request(field, f"{field} must be at least {PASSWORD_MIN_BYTES} characters")
    if size > PASSWORD_MAX_BYTES:
        raise bad_request(field, f"{field} must be at most {PASSWORD_MAX_BYTES} bytes")
    return password


def query_int(request: Request, name: str, *, default: int, lo: int, hi: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    return to_int(raw, name, lo=lo, hi=hi)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def require_username(body: dict[str, Any], field: str = "username") -> str:
    """1 to 64 printable characters without spaces."""
    value = require_str(body, field, max_length=64)
    if any(c.isspace() or not c.isprintable() for c in value):
        raise bad_request(field, f"{field} must not contain spaces or control characters")
    return value


def optional_email(body: dict[str, Any], field: str = "email") -> str | None:
    """An email address; blank or null means none."""
    value = optional_str(body, field, max_length=254)
    if not value:
        return None
    if not _EMAIL.match(value):
        raise bad_request(field, f"{field} is not a valid email address")
    return value


def optional_role(body: dict[str, Any], field: str = "role") -> str | None:
    if _missing(body, field):
        return None
    value = body[field]
    if value not in ROLES:
        raise bad_request(field, f"{field} must be one of: {', '.join(ROLES)}")
    return str(value)


def check_host(value: str | None, field: str) -> str | None:
    """A host name or IP address: no spaces, slashes or credentials."""
    if value is None:
        return None
    try:
        # What the resolver does first: a name it cannot encode (control characters, a label
        # over 63 characters) raised UnicodeError out of the NUT client, a 500.
        value.encode("idna")
    except UnicodeError:
        raise bad_request(field, f"{field} must be a host name or IP address") from None
    if not value or any(c.isspace() or c in "/@" for c in value):
        raise bad_request(field, f"{field} must be a host name or IP address")
    return value


FILTER_HELP = (
    "`?site=a,b` keeps the UPS of those sites, `?tag=x,y` those with any of these tags; "
    "together, both must match."
)


def list_filter(request: Request) -> Filter:
    """The `?site=`/`?tag=` filter of a UPS list request (`powerpulse.groups`)."""
    try:
        return parse_filter(request.args.get("site"), request.args.get("tag"))
    except FilterError as exc:
        raise bad_request(exc.field, str(exc)) from None
