"""One `*_to_dict` per response shape, so the seed's field names live in one place."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from powerpulse.api import schemas
from powerpulse.db.models import NutServer, UpsLiveState, UpsSystem, User, UserSettings
from powerpulse.groups import Filter, stored_tags
from powerpulse.nut.status import UNKNOWN_STATE, StatusView, classify, parse_status
from powerpulse.nut.variables import ups_readings
from powerpulse.timeutil import iso

# Errors that mean upsd itself could not be talked to (as opposed to "upsd answered, but has
# no fresh data for this UPS").
UNREACHABLE_CODES = frozenset({"unreachable", "timeout", "protocol", "auth-failed"})
# A UPS is also unreachable when its server no longer lists it (the server itself answers).
UPS_UNREACHABLE_CODES = UNREACHABLE_CODES | {"unknown-ups"}
# The seed's headline readings: null while the data is not live, kept in `lastKnown`.
HEADLINE_READINGS = (
    "batteryCharge",
    "batteryVoltage",
    "inputVoltage",
    "outputVoltage",
    "runtimeRemaining",
    "load",
    "temperature",
)
# Detail groups that hold measurements (emptied while stale) and the identity entries of
# `upsDetails` that stay (they describe the device, not its present state).
_MEASUREMENT_GROUPS = ("batteryDetails", "inputDetails", "outputDetails")
_IDENTITY_UPS_DETAILS = frozenset(
    {"id", "mfr", "model", "serial", "firmware", "productid", "vendorid"}
)

_EMPTY_READINGS: dict[str, Any] = {
    "model": None,
    "batteryCharge": None,
    "batteryVoltage": None,
    "inputVoltage": None,
    "outputVoltage": None,
    "runtimeRemaining": None,
    "load": None,
    "temperature": None,
    "batteryDetails": {},
    "deviceDetails": {},
    "driverDetails": {},
    "inputDetails": {},
    "outputDetails": {},
    "upsDetails": {},
}
_PRIVATE_GROUPS = ("driverDetails",)


def stale_after(poll_interval: float) -> float:
    """Seconds without a successful poll after which a UPS's values count as stale."""
    return max(3 * poll_interval, poll_interval + 10)


def server_id_of(ups: UpsSystem) -> int:
    """The foreign key column Tortoise adds at run time (unknown to the type checker)."""
    return int(ups.nut_server_id)  # type: ignore[attr-defined]


def site_of(ups: UpsSystem) -> str | None:
    """The UPS's site: its NUT server's. Loaders select the server with the UPS
    (`UPS_WITH_SITE`); a row loaded without it has no site to show."""
    server = getattr(ups, "nut_server", None)
    return server.site if isinstance(server, NutServer) else None


def in_filter(ups: UpsSystem, only: Filter) -> bool:
    """Whether a UPS (loaded with `UPS_WITH_SITE`) is kept by a `?site=`/`?tag=` filter."""
    return only.everything or only.matches(site_of(ups), stored_tags(ups.tags))


# Related rows every UPS loader selects, so that `site_of` knows the site without a query each.
UPS_WITH_SITE = ("nut_server",)


def user_to_dict(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "role": user.role,
        # The first PowerPulse client's user management reads this flag.
        "isAdmin": user.role == "admin",
        "created_at": iso(user.created_at),
        "sso": user.sso_only,
    }


def user_ref(user: User) -> dict[str, Any]:
    """The user in login, setup and registration answers."""
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "role": user.role,
        "isAdmin": user.role == "admin",
    }


def settings_to_dict(row: UserSettings, seed: dict[str, Any]) -> dict[str, Any]:
    """The seed's user-settings object: flags as 0/1 integers; `seed` the channel fields
    (`notify.personal.seed_fields`)."""
    return {
        "inactivity_timeout": row.inactivity_timeout,
        "discord_webhook_url": seed["discord_webhook_url"],
        "slack_webhook_url": seed["slack_webhook_url"],
        "notifications_enabled": int(row.notifications_enabled),
        "battery_notifications": int(row.battery_notifications),
        "low_battery_notifications": int(row.low_battery_notifications),
        "self_test_notifications": int(row.self_test_notifications),
        "email_notifications": int(seed["email_notifications"]),
        "email_recipients": seed["email_recipients"],
        "poll_interval": row.poll_interval,
    }


def server_to_dict(server: NutServer, health: dict[str, Any] | None = None) -> dict[str, Any]:
    """A NUT server as the seed shows it, plus `hasPassword`/`starttls` and reachability.

    The password itself never leaves the database through the API.
    """
    out: dict[str, Any] = {
        "id": server.id,
        "host": server.host,
        "port": server.port,
        "username": server.username,
        "hasPassword": bool(server.password),
        "starttls": bool(server.starttls),
        "autoAdd": bool(server.auto_add),
        "site": server.site,
        "updated_at": iso(server.updated_at),
    }
    if health is not None:
        out.update(health)
    return out


def server_health(lives: Iterable[UpsLiveState | None]) -> dict[str, Any]:
    """Reachability of a server summarised from its UPS' live rows (written by the poller)."""
    rows = [row for row in lives if row is not None and row.last_attempt_at is not None]
    if not rows:
        return {"reachable": None, "lastChecked": None, "error": None}
    latest = max(rows, key=lambda r: r.last_attempt_at or datetime.min)
    failing = [r for r in rows if r.error_code in UNREACHABLE_CODES]
    reachable = len(failing) < len(rows)
    error = None
    if not reachable:
        error = {"code": failing[0].error_code, "message": failing[0].error_message}
    return {"reachable": reachable, "lastChecked": iso(latest.last_attempt_at), "error": error}


def ups_ref(ups: UpsSystem) -> schemas.UpsRef:
    """The short form used in create/setup answers."""
    return {
        "id": ups.id,
        "name": ups.name,
        "upsName": ups.ups_name,
        "nutServerId": server_id_of(ups),
    }  # type: ignore[attr-defined]


def ups_config_dict(ups: UpsSystem) -> dict[str, Any]:
    return {
        "id": ups.id,
        "name": ups.name,
        "nickname": ups.nickname,
        "nutServerId": server_id_of(ups),
        "upsName": ups.ups_name,
        "site": site_of(ups),
        "tags": stored_tags(ups.tags),
    }


def ups_to_dict(
    ups: UpsSystem,
    live: UpsLiveState | None,
    *,
    now: datetime,
    poll_interval: float,
    public: bool = False,
    compact: bool = False,
) -> dict[str, Any]:
    """The seed's UPS object from the configuration row and the poller's live row.

    Adds `powerState`, `conditions`, `severity`, `summaryBucket`, `statusTokens`,
    `lastUpdated`, `stale`, `reachable`, `error` and `lastKnown`. Old data is never shown as
    live: while the data is stale or the server unreachable, `status` is "Unknown", the readings
    are null and the last known state sits in `lastKnown` with its time. `public=True` (kiosk)
    leaves out driver details, serials and error texts that could name a server address.
    `compact=True` (the lists) leaves variables the UPS does not report out of the detail groups.
    """
    variables: dict[str, str] = (live.variables or {}) if live is not None else {}
    tokens = parse_status(live.status_tokens) if live is not None else ()
    if variables:
        readings = _readings(live, variables, public, compact)
    else:
        readings = {k: (dict(v) if isinstance(v, dict) else v) for k, v in _EMPTY_READINGS.items()}
    nickname = ups.nickname or None
    display = display_name(ups, variables)
    view = classify(tokens, alarm=variables.get("ups.alarm"))
    freshness = _freshness(live, now=now, poll_interval=poll_interval, public=public)
    live_now = not freshness["stale"] and freshness["reachable"] is not False
    last_known = None
    if not live_now:
        if live is not None and live.last_success_at is not None and variables:
            last_known = _last_known(view, readings, live.last_success_at)
        _blank_live(readings)
        view = StatusView((), UNKNOWN_STATE, ())
    out: dict[str, Any] = {
        "id": ups.id,
        "name": ups.name,
        "nickname": nickname,
        "displayName": display,
        "upsName": ups.ups_name,
        "nutServerId": server_id_of(ups),
        "site": site_of(ups),
        "tags": stored_tags(ups.tags),
        "status": view.power.label,
        **readings,
        "powerState": view.power.code,
        "conditions": [c.as_dict() for c in view.conditions],
        "severity": view.severity,
        "summaryBucket": view.bucket,
        "statusTokens": list(view.tokens),
        "lastKnown": last_known,
    }
    if not public:
        muted = ups.muted_until is not None and ups.muted_until > now
        out["mutedUntil"] = iso(ups.muted_until) if muted else None
        out["muteReason"] = (ups.mute_reason or None) if muted else None
    out.update(freshness)
    if public:
        for group in _PRIVATE_GROUPS:
            out.pop(group, None)
    return out


def display_name(ups: UpsSystem, variables: dict[str, Any]) -> str:
    """The name a UPS is shown by: its nickname, else the id the device reports, else its name."""
    return ups.nickname or str(variables.get("ups.id") or "").strip() or ups.name


def _last_known(view: StatusView, readings: dict[str, Any], at: datetime) -> dict[str, Any]:
    return {
        "at": iso(at),
        "status": view.power.label,
        "powerState": view.power.code,
        "severity": view.severity,
        "conditions": [c.as_dict() for c in view.conditions],
        "statusTokens": list(view.tokens),
        **{key: readings.get(key) for key in HEADLINE_READINGS},
    }


def _blank_live(readings: dict[str, Any]) -> None:
    """Null the readings and drop the measurements of the detail groups (identity stays)."""
    for key in HEADLINE_READINGS:
        readings[key] = None
    for group in _MEASUREMENT_GROUPS:
        readings[group] = {}
    details = readings.get("upsDetails")
    if isinstance(details, dict):
        readings["upsDetails"] = {k: v for k, v in details.items() if k in _IDENTITY_UPS_DETAILS}


# Readings by (UPS, public, compact), with the live-row version they were mapped from: the
# version changes whenever the poller changes the row, so an unchanged UPS is not re-mapped on
# every list rebuild. Only the newest version is kept: keyed by version, the memo kept every
# older version too (up to 20,000 entries, ~70 MB with 1,000 changing UPS) until it was cleared.
# Copies are handed out.
_readings_memo: dict[tuple[int, bool, bool], tuple[int, dict[str, Any]]] = {}
# Four views per UPS; past this (UPS deleted over time, or a huge fleet) it starts again.
MEMO_MAX = 50_000


def reset_memo() -> None:
    """Forget memoised readings (a new app may sit on another database: ids and versions
    start again)."""
    _readings_memo.clear()


def _readings(
    live: UpsLiveState | None, variables: dict[str, str], public: bool, compact: bool
) -> dict[str, Any]:
    version = int(live.version or 0) if live is not None else 0
    if live is None or version <= 0:
        return _map(variables, public, compact)
    key = (int(live.ups_id), public, compact)  # type: ignore[attr-defined]
    hit = _readings_memo.get(key)
    if hit is not None and hit[0] == version:
        memo = hit[1]
    else:
        if hit is None and len(_readings_memo) >= MEMO_MAX:
            _readings_memo.clear()
        memo = _map(variables, public, compact)
        _readings_memo[key] = (version, memo)
    return {k: (dict(v) if isinstance(v, dict) else v) for k, v in memo.items()}


def _map(variables: dict[str, str], public: bool, compact: bool) -> dict[str, Any]:
    readings = ups_readings(variables, public=public)
    return _compact(readings) if compact else readings


def _compact(readings: dict[str, Any]) -> dict[str, Any]:
    """Detail groups list only what the UPS reports (the headline fields stay, null or not):
    half of a typical list answer was nulls for variables the device does not have."""
    for key, value in readings.items():
        if key.endswith("Details") and isinstance(value, dict):
            readings[key] = {k: v for k, v in value.items() if v is not None and v != {}}
    return readings


def _freshness(
    live: UpsLiveState | None, *, now: datetime, poll_interval: float, public: bool
) -> dict[str, Any]:
    if live is None:
        return {"lastUpdated": None, "stale": True, "reachable": None, "error": None}
    last = live.last_success_at
    stale = (
        last is None
        or live.error_code is not None
        or (now - last).total_seconds() > stale_after(poll_interval)
    )
    reachable = (
        None if live.last_attempt_at is None else live.error_code not in UPS_UNREACHABLE_CODES
    )
    error = None
    if live.error_code is not None:
        error = {"code": live.error_code, "message": live.error_message or live.error_code}
        if public:  # the message may name a host; the code alone says what is wrong
            error = {"code": live.error_code, "message": live.error_code}
    return {"lastUpdated": iso(last), "stale": stale, "reachable": reachable, "error": error}
