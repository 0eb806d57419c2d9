"""One UPS's answer object, built and encoded so that no UPS can break an answer about many.

The list, the kiosk, the detail, the live stream and `/metrics` all build UPS objects with
`ups_object` and encode them with `encode_ups`/`encode_ups_list`. Whatever one UPS reported:
- a failure while building its object (serialisers) or encoding it (orjson) is logged once
  (again only after that UPS has been shown fine in between), with the traceback in the log
  and never in a response;
- that UPS is shown as a `bad_data_object`: its identity, status "Unknown", null readings and
  `error: {code: "bad-data", message}`, and every other UPS as usual;
- every text in the object is display-safe and every number JSON-safe (`safe_values`): an
  integer beyond 64 bits or a non-finite float becomes null, control characters are escaped
  and long texts capped, as for NUT variables (`nut.variables.display_text`).
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import orjson

from powerpulse.api import serializers
from powerpulse.db.models import UpsLiveState, UpsSystem
from powerpulse.groups import stored_tags
from powerpulse.nut.variables import display_text
from powerpulse.timeutil import iso

log = logging.getLogger(__name__)

BAD_DATA = "bad-data"
BAD_DATA_MESSAGE = "PowerPulse could not show what this UPS reported; the api log has the details"
_HEADLINE = (
    "model",
    "batteryCharge",
    "batteryVoltage",
    "inputVoltage",
    "outputVoltage",
    "runtimeRemaining",
    "load",
    "temperature",
)
_GROUPS = (
    "batteryDetails",
    "deviceDetails",
    "driverDetails",
    "inputDetails",
    "outputDetails",
    "upsDetails",
)
_PRIVATE_GROUPS = frozenset({"driverDetails"})
_IDENTITY = ("id", "name", "nickname", "displayName", "upsName", "nutServerId", "site")
# Fields that may carry raw text from a UPS not already made safe by `nut.variables` (the
# readings and detail groups are, by construction; checking them too would double the cost
# of a list rebuild): `ups.id`, `ups.status` tokens and `ups.alarm` texts, poll errors.
_CHECKED = ("displayName", "statusTokens", "conditions", "lastKnown", "error")
_INT64 = 2**63


class FailureLog:
    """Which UPS are failing, so that each failure is logged once, not on every rebuild.

    A UPS's entry remembers the variant (stage, public, compact) that failed first; only a
    success of that same variant counts as recovered (a UPS whose kiosk object works while its
    full object fails is still failing). Thread-safe: lists are built in worker threads."""

    def __init__(self) -> None:
        self._failing: dict[int, tuple[Any, ...]] = {}
        self._lock = threading.Lock()

    def failed(self, ups_id: int, variant: tuple[Any, ...], label: str, exc: BaseException) -> bool:
        """Record a failure; True (and logged) when it is new."""
        with self._lock:
            if ups_id in self._failing:
                return False
            self._failing[ups_id] = variant
        log.error(
            "UPS %s (id %s) is shown as bad data: %s failed (%s); other UPS are unaffected",
            label,
            ups_id,
            variant[0],
            type(exc).__name__,
            exc_info=(type(exc), exc, exc.__traceback__),
        )
        return True

    def succeeded(self, ups_id: int, variant: tuple[Any, ...]) -> None:
        if not self._failing or self._failing.get(ups_id) != variant:
            return  # the hot path: nothing failing
        with self._lock:
            if self._failing.get(ups_id) != variant:
                return
            del self._failing[ups_id]
        log.info("UPS id %s is shown normally again", ups_id)

    def failing(self) -> dict[int, tuple[Any, ...]]:
        with self._lock:
            return dict(self._failing)

    def reset(self) -> None:
        with self._lock:
            self._failing.clear()


failures = FailureLog()


def safe_values(value: Any) -> Any:
    """`value` with every text display-safe and every number JSON-safe (a copy only where
    something had to change)."""
    kind = type(value)
    if kind is str:
        return display_text(value)
    if value is None or kind is bool:
        return value
    if kind is dict:
        changed = None
        for key, item in value.items():
            safe = safe_values(item)
            if safe is not item:
                if changed is None:
                    changed = dict(value)
                changed[key] = safe
        return value if changed is None else changed
    if kind is list or kind is tuple:
        items = [safe_values(item) for item in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return items
    if isinstance(value, int):
        return value if -_INT64 <= value < _INT64 else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):  # a str subclass
        return display_text(str(value))
    return value


def safe_object(obj: dict[str, Any]) -> dict[str, Any]:
    """A UPS object with its raw-derived fields passed through `safe_values` (the readings are
    safe already; checking them too would double the cost of a list rebuild)."""
    out = obj
    for key in _CHECKED:
        value = obj.get(key)
        if value is not None:
            safe = safe_values(value)
            if safe is not value:
                if out is obj:
                    out = dict(obj)
                out[key] = safe
    return out


def _label(ups: UpsSystem) -> str:
    return repr(display_text(f"{ups.ups_name}") or "?")


def ups_object(
    ups: UpsSystem,
    live: UpsLiveState | None,
    *,
    now: datetime,
    poll_interval: float,
    public: bool = False,
    compact: bool = False,
) -> dict[str, Any]:
    """`serializers.ups_to_dict`, made safe: never raises for what a UPS reported."""
    variant = ("building its object", public, compact)
    try:
        obj = serializers.ups_to_dict(
            ups, live, now=now, poll_interval=poll_interval, public=public, compact=compact
        )
        obj = safe_object(obj)
    except Exception as exc:
        failures.failed(ups.id, variant, _label(ups), exc)
        return bad_data_object(ups, live, public=public)
    failures.succeeded(ups.id, variant)
    return obj


def bad_data_object(
    ups: UpsSystem, live: UpsLiveState | None, *, public: bool = False
) -> dict[str, Any]:
    """What is shown for a UPS whose data cannot be shown: identity, Unknown, an error."""
    nickname = display_text(ups.nickname) or None
    ident = {
        "id": ups.id,
        "name": display_text(ups.name),
        "nickname": nickname,
        "displayName": nickname or display_text(ups.name),
        "upsName": display_text(ups.ups_name),
        "nutServerId": _server_id(ups),
        "site": _site(ups),
        "tags": _tags(ups),
    }
    last = None
    if live is not None:
        with contextlib.suppress(Exception):  # a broken time is one more thing not to show
            last = iso(live.last_success_at)
    return _bad_data(ident, public=public, last_updated=last)


def _server_id(ups: UpsSystem) -> int | None:
    value = getattr(ups, "nut_server_id", None)
    return value if isinstance(value, int) else None


def _site(ups: UpsSystem) -> str | None:
    with contextlib.suppress(Exception):
        return display_text(serializers.site_of(ups)) or None
    return None


def _tags(ups: UpsSystem) -> list[str]:
    with contextlib.suppress(Exception):
        return [display_text(tag) or "" for tag in stored_tags(ups.tags)]
    return []


def _bad_data(ident: dict[str, Any], *, public: bool, last_updated: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {**ident, "status": "Unknown"}
    out.update(dict.fromkeys(_HEADLINE))
    for group in _GROUPS:
        if not (public and group in _PRIVATE_GROUPS):
            out[group] = {}
    out.update(
        {
            "powerState": "unknown",
            "conditions": [],
            "severity": "unknown",
            "summaryBucket": "unknown",
            "statusTokens": [],
            "lastKnown": None,
            "lastUpdated": last_updated,
            "stale": True,
            "reachable": None,
            "error": {"code": BAD_DATA, "message": BAD_DATA_MESSAGE},
        }
    )
    return out


def _ident_of(row: Any) -> dict[str, Any]:
    """The identity fields of an object that failed to encode, each one checked."""
    if not isinstance(row, dict):
        return {**dict.fromkeys(_IDENTITY), "tags": []}
    out: dict[str, Any] = {}
    for key in _IDENTITY:
        value = row.get(key)
        if isinstance(value, str):
            out[key] = display_text(value)
        elif isinstance(value, int) and not isinstance(value, bool) and -_INT64 <= value < _INT64:
            out[key] = value
        else:
            out[key] = None
    tags = row.get("tags")
    out["tags"] = (
        [display_text(t) or "" for t in tags if isinstance(t, str)]
        if isinstance(tags, list)
        else []
    )
    return out


def encoded(obj: dict[str, Any], *, public: bool = False) -> tuple[dict[str, Any], bytes]:
    """(the object, its JSON): `obj` itself, or its bad-data object when orjson cannot encode
    `obj`."""
    try:
        return obj, orjson.dumps(obj)
    except Exception as exc:
        ident = _ident_of(obj)
        ups_id = ident["id"] if isinstance(ident["id"], int) else -1
        failures.failed(ups_id, ("encoding its object", public), repr(ident["upsName"]), exc)
        last = obj.get("lastUpdated") if isinstance(obj, dict) else None
        last = display_text(last) if isinstance(last, str) else None
        shown = _bad_data(ident, public=public, last_updated=last)
        return shown, orjson.dumps(shown)


def encode_ups(obj: dict[str, Any], *, public: bool = False) -> bytes:
    """One UPS object as JSON; an object orjson cannot encode becomes its bad-data object."""
    return encoded(obj, public=public)[1]


def encode_ups_list(rows: Iterable[dict[str, Any]], public: bool = False) -> bytes:
    """A JSON array of UPS objects: one orjson call, and UPS by UPS only when that fails."""
    rows = list(rows)
    with contextlib.suppress(Exception):
        return orjson.dumps(rows)
    return b"[" + b",".join(encode_ups(row, public=public) for row in rows) + b"]"
