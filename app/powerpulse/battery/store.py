"""The battery lifecycle in the database: install records, device-date sync, the age alert,
the health inputs from history, and the views the API (and the digest) show.

Races. One current battery per UPS is the unique `current_ups_id` column: a second writer's
insert fails with IntegrityError and is treated as "someone else already did it". The age alert
is a conditional update (`age_alerted_at IS NULL`) with its event in the same transaction, so
two pollers write one event.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from powerpulse.api.serializers import display_name
from powerpulse.battery import health, life
from powerpulse.db import dialect
from powerpulse.db.models import (
    BatteryInstall,
    Event,
    Outage,
    Sample,
    SelfTest,
    UpsLiveState,
    UpsSystem,
)
from powerpulse.nut.status import display_status
from powerpulse.selftest import serialize
from powerpulse.timeutil import iso

log = logging.getLogger(__name__)

DEVICE, ADMIN = "device", "admin"
AGE_EVENT = "battery_age"
HISTORY_LIMIT = 50
TESTS_LIMIT = 20
HEALTH_LOOKBACK = timedelta(days=730)
MAX_DISCHARGES = 500  # outages read per estimate, newest first
WINDOWS_PER_QUERY = 50  # outages whose samples one query reads
MAX_OUTAGE = timedelta(hours=24)  # an outage without its end is read this far at most
HEALTH_TTL = 300.0  # seconds an estimate is reused: it moves over weeks, not minutes
FINISHED = ("passed", "failed", "aborted", "unknown")


# --- install records ---------------------------------------------------------------------------


async def current_install(ups_id: int) -> BatteryInstall | None:
    return await BatteryInstall.get_or_none(current_ups_id=ups_id)


async def create_current(
    ups_id: int,
    installed_on: date,
    source: str,
    *,
    expected: int | None = None,
    note: str = "",
    created_by: str | None = None,
) -> BatteryInstall | None:
    """A new current battery; None when the UPS got one meanwhile (another writer)."""
    try:
        async with in_transaction():
            return await _new_current(ups_id, installed_on, source, expected, note, created_by)
    except IntegrityError:
        return None


async def _new_current(
    ups_id: int,
    installed_on: date,
    source: str,
    expected: int | None,
    note: str,
    created_by: str | None,
) -> BatteryInstall:
    return await BatteryInstall.create(
        ups_id=ups_id,
        current_ups_id=ups_id,
        installed_on=installed_on,
        source=source,
        expected_life_months=expected,
        note=note,
        created_by=created_by,
    )


async def replace_current(
    ups_id: int,
    now: datetime,
    installed_on: date,
    source: str,
    *,
    expected: int | None = None,
    note: str = "",
    created_by: str | None = None,
    only: BatteryInstall | None = None,
) -> BatteryInstall | None:
    """Retire the current battery (replacedAt = now) and make a new one current, in one
    transaction. `only`: retire just that row (the device sync: if another writer changed the
    current battery meanwhile, nothing happens and None is returned)."""
    try:
        async with in_transaction():
            query = BatteryInstall.filter(current_ups_id=ups_id)
            if only is not None:
                query = query.filter(id=only.id)
            retired = await query.update(replaced_at=now, current_ups_id=None)
            if only is not None and retired != 1:
                raise _Lost
            return await _new_current(ups_id, installed_on, source, expected, note, created_by)
    except (IntegrityError, _Lost):
        return None


class _Lost(Exception):
    """Another writer changed the current battery first (rolls the transaction back)."""


async def sync_device_date(
    ups_id: int, variables: Mapping[str, Any], today: date, now: datetime
) -> str | None:
    """Follow the date the UPS reports: "created", "replaced" or None (nothing to do). An
    admin's record is never touched; a device record only moves to a *newer* date."""
    found = life.device_date(variables, today)
    if found is None:
        return None
    current = await current_install(ups_id)
    if current is None:
        row = await create_current(ups_id, found.date, DEVICE)
        return "created" if row is not None else None
    if current.source != DEVICE or found.date <= current.installed_on:
        return None
    row = await replace_current(ups_id, now, found.date, DEVICE, only=current)
    return "replaced" if row is not None else None


async def alert_age(
    install: BatteryInstall, battery_type: object, status: str, now: datetime
) -> bool:
    """Write the battery's one `battery_age` event once it is due; True when this call did."""
    if install.age_alerted_at is not None or install.current_ups_id is None:
        return False
    age = life.age_of(install.installed_on, install.expected_life_months, battery_type, now.date())
    if not age.due:
        return False
    async with in_transaction() as conn:
        won = await (
            BatteryInstall.filter(id=install.id, age_alerted_at__isnull=True)
            .using_db(conn)
            .update(age_alerted_at=now)
        )
        if won != 1:
            return False
        await Event.create(
            ups_id=install.ups_id,
            kind=AGE_EVENT,
            previous_status=status,
            new_status=status,
            occurred_at=now,
            details={
                "installedOn": install.installed_on.isoformat(),
                "expectedLifeMonths": age.expected_life_months,
                "ageMonths": age.age_months,
            },
            dispatched=False,
            using_db=conn,
        )
    install.age_alerted_at = now
    return True


# --- health inputs -----------------------------------------------------------------------------


async def _discharge_windows(
    ups_id: int, since: datetime, now: datetime
) -> list[tuple[datetime, datetime]]:
    """The UPS's outages since `since`: from its on_battery/online events and, for outages
    whose events retention removed, its Outage records. Overlaps are merged."""
    events = (
        await Event.filter(ups_id=ups_id, occurred_at__gte=since, kind__in=("on_battery", "online"))
        .order_by("occurred_at")
        .values_list("kind", "occurred_at")
    )
    windows: list[tuple[datetime, datetime]] = []
    start: datetime | None = None
    for kind, at in events:
        if kind == "on_battery" and start is None:
            start = at
        elif kind == "online" and start is not None:
            windows.append((start, min(at, start + MAX_OUTAGE)))
            start = None
    if start is not None:
        windows.append((start, min(now, start + MAX_OUTAGE)))
    outages = await Outage.filter(ups_id=ups_id, started_at__gte=since).values_list(
        "started_at", "ended_at"
    )
    windows += [(a, min(b or now, a + MAX_OUTAGE)) for a, b in outages]
    merged: list[tuple[datetime, datetime]] = []
    for a, b in sorted(windows)[-MAX_DISCHARGES:]:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


_DAILY_SQL = (
    "SELECT hour / 86400 AS day, SUM(runtime_sum) AS rs, SUM(runtime_n) AS rn, "
    "SUM(load_sum) AS ls, SUM(load_n) AS ln, SUM(charge_sum) AS cs, SUM(charge_n) AS cn "
    "FROM sample_rollups WHERE ups_id = ? AND hour >= ? AND hour < ? "
    "AND runtime_n > 0 AND load_n > 0 GROUP BY hour / 86400 ORDER BY day"
)


def _mean(total: Any, count: Any) -> float | None:
    try:
        return float(total) / int(count) if count else None
    except (TypeError, ValueError, ZeroDivisionError):
        return None


async def health_inputs(
    ups_id: int, since: datetime, now: datetime
) -> tuple[list[health.Reading], list[health.Reading]]:
    """(discharge readings, daily on-line averages). Raw samples only inside outages; the
    on-line signal from the hourly rollups (365 rows a year), days with an outage left out
    (their averages mix both)."""
    windows = await _discharge_windows(ups_id, since, now)
    discharges: list[health.Reading] = []
    for first in range(0, len(windows), WINDOWS_PER_QUERY):  # one query, not one per outage
        chunk = windows[first : first + WINDOWS_PER_QUERY]
        inside = Q(*(Q(timestamp__gte=a, timestamp__lte=b) for a, b in chunk), join_type="OR")
        rows = (
            await Sample.filter(inside, ups_id=ups_id)
            .order_by("timestamp")
            .values_list("timestamp", "runtime", "load", "charge", "status")
        )
        discharges += [
            health.Reading(at, runtime, load, charge)
            for at, runtime, load, charge, status in rows
            if health.is_discharge(status)
        ]
    outage_days = {
        day
        for a, b in windows
        for day in range(int(a.timestamp()) // 86400, int(b.timestamp()) // 86400 + 1)
    }
    start, end = int(since.timestamp()), int(now.timestamp()) + 3600
    online = []
    for row in await dialect.fetch(_DAILY_SQL, [ups_id, start, end]):
        day = int(row["day"])
        if day in outage_days:
            continue
        at = datetime.fromtimestamp(day * 86400, tz=now.tzinfo)
        online.append(
            health.Reading(
                at,
                _mean(row["rs"], row["rn"]),
                _mean(row["ls"], row["ln"]),
                _mean(row["cs"], row["cn"]),
            )
        )
    return discharges, online


@dataclass
class _Cached:
    at: float
    key: tuple[Any, ...]
    value: dict[str, Any]


_HEALTH_CACHE: dict[int, _Cached] = {}


def forget_health() -> None:
    """Drop every cached estimate (tests; the next read computes afresh)."""
    _HEALTH_CACHE.clear()


async def health_of(ups_id: int, install: BatteryInstall | None, now: datetime) -> dict[str, Any]:
    """The estimate for the current battery: history since it went in (at most two years),
    reused for HEALTH_TTL seconds while the battery stays the same."""
    key = (install.id if install else None, install.installed_on if install else None)
    cached = _HEALTH_CACHE.get(ups_id)
    if cached is not None and cached.key == key and time.monotonic() - cached.at < HEALTH_TTL:
        return cached.value
    since = now - HEALTH_LOOKBACK
    if install is not None:
        installed = datetime(
            install.installed_on.year,
            install.installed_on.month,
            install.installed_on.day,
            tzinfo=now.tzinfo,
        )
        since = max(since, installed)
    discharges, online = await health_inputs(ups_id, since, now)
    value = health.estimate(discharges, online)
    _HEALTH_CACHE[ups_id] = _Cached(time.monotonic(), key, value)
    return value


# --- views -------------------------------------------------------------------------------------


def _current_dict(row: BatteryInstall, battery_type: object, today: date) -> dict[str, Any]:
    age = life.age_of(row.installed_on, row.expected_life_months, battery_type, today)
    return {
        "id": row.id,
        "installedOn": row.installed_on.isoformat(),
        "source": row.source,
        "expectedLifeMonths": age.expected_life_months,
        "expectedLifeIsDefault": age.is_default,
        "ageDays": age.age_days,
        "ageMonths": age.age_months,
        "dueOn": age.due_on.isoformat(),
        "due": age.due,
        "note": row.note,
    }


def _past_dict(row: BatteryInstall, battery_type: object) -> dict[str, Any]:
    return {
        "id": row.id,
        "installedOn": row.installed_on.isoformat(),
        "replacedAt": iso(row.replaced_at),
        "source": row.source,
        "expectedLifeMonths": row.expected_life_months
        if row.expected_life_months is not None
        else life.default_life_months(battery_type),
        "note": row.note,
    }


def battery_type_of(variables: Mapping[str, Any]) -> str | None:
    raw = variables.get("battery.type")
    if not isinstance(raw, str) or not raw.strip():
        return None
    return raw.strip()[:64]


async def _variables(ups_id: int) -> dict[str, Any]:
    live = await UpsLiveState.get_or_none(ups_id=ups_id)
    return live.variables if live is not None and isinstance(live.variables, dict) else {}


async def lifecycle_view(ups: UpsSystem, now: datetime) -> dict[str, Any]:
    """GET /api/ups-systems/:id/battery/lifecycle."""
    variables = await _variables(ups.id)
    battery_type = battery_type_of(variables)
    today = now.date()
    current = await current_install(ups.id)
    past = (
        await BatteryInstall.filter(ups_id=ups.id, current_ups_id__isnull=True)
        .order_by("-replaced_at", "-id")
        .limit(HISTORY_LIMIT)
    )
    tests = await SelfTest.filter(ups_id=ups.id).order_by("-requested_at", "-id").limit(TESTS_LIMIT)
    found = life.device_date(variables, today)
    return {
        "upsId": ups.id,
        "batteryType": battery_type,
        "defaultLifeMonths": life.default_life_months(battery_type),
        "deviceDate": found.as_dict() if found is not None else None,
        "current": _current_dict(current, battery_type, today) if current else None,
        "history": [_past_dict(r, battery_type) for r in past],
        "tests": [serialize.self_test(t) for t in tests],
        "health": await health_of(ups.id, current, now),
    }


def warnings_of(due: bool, health_state: str, last_test_state: str | None) -> list[str]:
    """The dashboard's warning codes, most urgent first."""
    out = []
    if last_test_state == "failed":
        out.append("test_failed")
    if health_state == "poor":
        out.append("health_poor")
    if due:
        out.append("battery_due")
    return out


async def _last_tests(ups_ids: Iterable[int]) -> dict[int, SelfTest]:
    """The latest finished test of each UPS (one query, newest first)."""
    latest: dict[int, SelfTest] = {}
    rows = await SelfTest.filter(
        ups_id__in=list(ups_ids), state__in=FINISHED, finished_at__isnull=False
    ).order_by("-finished_at", "-id")
    for row in rows:
        latest.setdefault(row.ups_id, row)
    return latest


async def fleet_view(now: datetime) -> list[dict[str, Any]]:
    """GET /api/battery: one row per UPS, for the dashboard's warnings and the digest."""
    systems = await UpsSystem.all().order_by("id")
    ids = [u.id for u in systems]
    lives = {
        r.ups_id: r.variables if isinstance(r.variables, dict) else {}
        for r in await UpsLiveState.filter(ups_id__in=ids)
    }
    installs = {r.current_ups_id: r for r in await BatteryInstall.filter(current_ups_id__in=ids)}
    tests = await _last_tests(ids)
    today = now.date()
    out = []
    for ups in systems:
        variables = lives.get(ups.id, {})
        battery_type = battery_type_of(variables)
        install = installs.get(ups.id)
        age = (
            life.age_of(install.installed_on, install.expected_life_months, battery_type, today)
            if install is not None
            else None
        )
        estimate = await health_of(ups.id, install, now)
        test = tests.get(ups.id)
        out.append(
            {
                "upsId": ups.id,
                "displayName": display_name(ups, variables),
                "installedOn": install.installed_on.isoformat() if install else None,
                "ageMonths": age.age_months if age else None,
                "expectedLifeMonths": age.expected_life_months
                if age
                else life.default_life_months(battery_type),
                "dueOn": age.due_on.isoformat() if age else None,
                "due": bool(age and age.due),
                "health": {"state": estimate["state"], "score": estimate["score"]},
                "lastTest": {"state": test.state, "finishedAt": iso(test.finished_at)}
                if test
                else None,
                "warnings": warnings_of(
                    bool(age and age.due), estimate["state"], test.state if test else None
                ),
            }
        )
    return out


def display_of(live: UpsLiveState | None) -> str:
    """The UPS's status word for an event row ("" while never polled)."""
    if live is None or not live.status_tokens:
        return ""
    return display_status(live.status_tokens)
