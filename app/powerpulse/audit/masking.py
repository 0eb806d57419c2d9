"""What an audit entry may keep of a row or a request body: JSON values, secrets masked.

A key that names a secret (a password, token, key, webhook URL, header…) or a sealed value
(`secret_box`) is replaced by MASK when set, so the log shows that it was set or changed but
never what it is. A notification channel's config is masked by what its service declares
secret (`ChannelKind.secret_keys`), all of it for an unknown service.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from powerpulse.secret_box import is_sealed

MASK = "•••"
MAX_DEPTH = 8
MAX_STRING = 2000
MAX_ITEMS = 200

SECRET_KEY = re.compile(
    r"pass(word|phrase)?|secret|token|hash|credential|private|api_?key|authori[sz]ation"
    r"|cookie|webhook|headers|recovery|otp|^code$",
    re.IGNORECASE,
)


def _is_set(value: Any) -> bool:
    return value not in (None, "", [], {})


def jsonable(value: Any, depth: int = 0) -> Any:
    """`value` as plain JSON (datetimes as ISO text, non-finite numbers as None), bounded in
    depth, length and item count so that no body can blow up a row."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, Enum):
        return jsonable(value.value, depth)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str):
        return value if len(value) <= MAX_STRING else value[:MAX_STRING] + "…"
    if depth >= MAX_DEPTH:
        return "…"
    if isinstance(value, dict):
        items = list(value.items())[:MAX_ITEMS]
        return {str(k)[:100]: jsonable(v, depth + 1) for k, v in items}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v, depth + 1) for v in list(value)[:MAX_ITEMS]]
    return str(value)[:MAX_STRING]


def mask(value: Any) -> Any:
    """`value` (already jsonable) with every secret-named key and every sealed value masked."""
    if is_sealed(value):
        return MASK
    if isinstance(value, dict):
        return {
            k: (MASK if _is_set(v) else v) if SECRET_KEY.search(k) else mask(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [mask(v) for v in value]
    return value


def mask_channel_config(config: Any, secret_keys: frozenset[str] | None) -> Any:
    """A channel's config: its service's secret keys masked (every value when the service is
    unknown), then the general rules."""
    if not isinstance(config, dict):
        return MASK if _is_set(config) else config
    if secret_keys is None:
        return {k: MASK if _is_set(v) else v for k, v in config.items()}
    return mask({k: MASK if k in secret_keys and _is_set(v) else v for k, v in config.items()})


def changes(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """An update keeps only the keys it changed (compared before masking, so a changed
    password shows as changed); a create or delete keeps the whole row. Nothing changed: None."""
    if before is None or after is None:
        return before, after
    keys = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
    if not keys:
        return None, None
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}
