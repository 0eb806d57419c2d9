"""Reading an action's fields from the API's JSON, and filling `{plan}`-style templates.

Shared by the action types so that every one words its field errors the same way. Pure.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from powerpulse.shutdown.actions.base import ActionError

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_HOST = re.compile(r"[A-Za-z0-9._:%\[\]-]+")  # a name, IPv4, IPv6 (scope ids too)


def only(raw: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    """Refuse unknown fields: a typo ("timout_seconds") would otherwise be ignored silently."""
    for key in raw:
        if key not in allowed:
            raise ActionError(key, f"unknown field {key} (expected one of {', '.join(allowed)})")


def text(
    raw: Mapping[str, Any], key: str, *, limit: int = 255, required: bool = True
) -> str | None:
    value = raw.get(key)
    if value is None or (isinstance(value, str) and not value.strip() and not required):
        if required:
            raise ActionError(key, f"{key} is required")
        return None
    if not isinstance(value, str):
        raise ActionError(key, f"{key} must be text")
    if not value.strip():
        raise ActionError(key, f"{key} is required")
    if len(value) > limit:
        raise ActionError(key, f"{key} may be at most {limit} characters")
    if "\x00" in value:
        raise ActionError(key, f"{key} may not contain a NUL character")
    return value


def required_text(raw: Mapping[str, Any], key: str, *, limit: int = 255) -> str:
    value = text(raw, key, limit=limit)
    assert value is not None
    return value


def one_line(raw: Mapping[str, Any], key: str, *, limit: int = 255) -> str:
    value = required_text(raw, key, limit=limit).strip()
    if any(c in value for c in "\r\n"):
        raise ActionError(key, f"{key} must be one line")
    return value


def host(raw: Mapping[str, Any], key: str = "host") -> str:
    value = one_line(raw, key, limit=255)
    if not _HOST.fullmatch(value) or value.startswith("-"):
        raise ActionError(key, f"{key} must be a host name or an IP address")
    return value


def integer(raw: Mapping[str, Any], key: str, default: int | None, lo: int, hi: int) -> int:
    value = raw.get(key)
    if value is None:
        if default is None:
            raise ActionError(key, f"{key} is required")
        return default
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ActionError(key, f"{key} must be a whole number")
    if not lo <= value <= hi:
        raise ActionError(key, f"{key} must be between {lo} and {hi}")
    return value


def port(raw: Mapping[str, Any], key: str = "port", default: int | None = None) -> int:
    return integer(raw, key, default, 1, 65535)


def seconds(raw: Mapping[str, Any], key: str, default: float, lo: float, hi: float) -> float:
    value = raw.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ActionError(key, f"{key} must be a number of seconds")
    if not lo <= value <= hi:
        raise ActionError(key, f"{key} must be between {lo:g} and {hi:g}")
    return float(value)


def flag(raw: Mapping[str, Any], key: str, default: bool) -> bool:
    value = raw.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ActionError(key, f"{key} must be true or false")
    return value


def ups_id(raw: Mapping[str, Any], key: str = "ups_id") -> int:
    value = raw.get(key)
    if value is None:
        raise ActionError(key, f"{key} is required")
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 2**31 - 1:
        raise ActionError(key, "a UPS is named by its id (a positive integer)")
    return value


def secret(raw: Mapping[str, Any], key: str) -> str | None:
    """A secret as stored: the sealed text (plan.py seals it before parse), or None."""
    value = raw.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ActionError(key, f"{key} must be text")
    return value


def fill(template: str, variables: Mapping[str, str], quote: Any = None) -> str:
    """`template` with `{name}` replaced by `variables[name]` (through `quote` when given);
    unknown placeholders and stray braces stay as they are."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            return match.group(0)
        value = str(variables[name])
        return quote(value) if quote is not None else value

    return _PLACEHOLDER.sub(one, template)
