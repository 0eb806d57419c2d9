"""Self-test schedules: validation and the occurrences of a weekly / monthly time. Pure.

An occurrence is a wall-clock time ("HH:MM") on a local date in an IANA zone, turned into UTC
with zoneinfo: across a DST change it stays at the same local time (03:00 Berlin is 02:00 UTC in
winter, 01:00 UTC in summer). A time that does not exist that day (inside the spring-forward
gap) runs at the same offset as before the gap, one hour later on the clock; a time that
happens twice (fall back) runs once, the first time (`fold=0`). Each local date gives exactly
one instant, so an occurrence can never run twice.

Monthly days stop at 28 so every month has one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TEST_TYPES = ("quick", "deep")
FREQUENCIES = ("weekly", "monthly")
NAME_MAX = 100
MAX_UPS = 500
# An occurrence older than this when first seen (the poller was down) is skipped, not run late:
# a test at 03:00 is chosen for a quiet hour, and one started at 09:00 would surprise people.
MAX_LATE = timedelta(hours=6)
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class ScheduleError(ValueError):
    """A schedule body that cannot be saved; `field` is the camelCase field to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Schedule:
    name: str
    enabled: bool = True
    ups: tuple[int, ...] | None = None  # None: every UPS
    test_type: str = "quick"
    frequency: str = "monthly"
    weekday: int | None = None  # 0 = Monday
    day_of_month: int | None = 1
    time_of_day: str = "03:00"
    timezone: str = "UTC"
    min_charge: float = 90.0
    quiet_hours: int = 24

    def zone(self) -> ZoneInfo:
        return zone_of(self.timezone)


def zone_of(name: str) -> ZoneInfo:
    """The zone, or UTC for a name this system no longer knows (a stored row stays usable)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return ZoneInfo("UTC")


# -- validation ------------------------------------------------------------------------------------
def _int(raw: Mapping[str, Any], key: str, lo: int, hi: int) -> int:
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ScheduleError(key, f"{key} must be a whole number from {lo} to {hi}")
    return value


def _number(raw: Mapping[str, Any], key: str, lo: float, hi: float) -> float:
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScheduleError(key, f"{key} must be a number from {lo:g} to {hi:g}")
    number = float(value)
    if not math.isfinite(number) or not lo <= number <= hi:
        raise ScheduleError(key, f"{key} must be a number from {lo:g} to {hi:g}")
    return number


def _choice(raw: Mapping[str, Any], key: str, options: tuple[str, ...]) -> str:
    value = raw[key]
    if value not in options:
        raise ScheduleError(key, f"{key} must be one of: {', '.join(options)}")
    return str(value)


def _ups(value: Any) -> tuple[int, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value or len(value) > MAX_UPS:
        raise ScheduleError("ups", f"ups must be null (every UPS) or a list of 1 to {MAX_UPS} ids")
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int) or not 0 < item < 2**31:
            raise ScheduleError("ups", "ups must list UPS ids (whole numbers)")
    return tuple(dict.fromkeys(value))


def _text(raw: Mapping[str, Any], key: str, limit: int) -> str:
    value = raw[key]
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > limit:
        raise ScheduleError(key, f"{key} must be 1 to {limit} characters")
    if any(ord(c) < 32 for c in value):
        raise ScheduleError(key, f"{key} may not contain control characters")
    return value.strip()


def _zone_name(raw: Mapping[str, Any]) -> str:
    value = raw["timezone"]
    if not isinstance(value, str) or not value or len(value) > 64 or "\x00" in value:
        raise ScheduleError("timezone", "timezone must be an IANA zone name, e.g. Europe/Berlin")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError("timezone", f"Unknown time zone {value[:64]!r}") from None
    return value


def parse_schedule(raw: Any, previous: Schedule | None = None) -> Schedule:
    """A schedule from the API's camelCase body. With `previous` (an edit), fields left out keep
    their value. Raises ScheduleError naming the field."""
    if not isinstance(raw, Mapping):
        raise ScheduleError("body", "The body must be a JSON object")
    out = previous
    if out is None:
        if "name" not in raw:
            raise ScheduleError("name", "name is required")
        out = Schedule(name=_text(raw, "name", NAME_MAX))
    changes: dict[str, Any] = {}
    present = {k for k in raw if raw.get(k) is not None}
    if "name" in present:
        changes["name"] = _text(raw, "name", NAME_MAX)
    elif "name" in raw:
        raise ScheduleError("name", "name is required")
    if "enabled" in present:
        if not isinstance(raw["enabled"], bool):
            raise ScheduleError("enabled", "enabled must be true or false")
        changes["enabled"] = raw["enabled"]
    if "ups" in raw:
        changes["ups"] = _ups(raw["ups"])
    if "testType" in present:
        changes["test_type"] = _choice(raw, "testType", TEST_TYPES)
    if "frequency" in present:
        changes["frequency"] = _choice(raw, "frequency", FREQUENCIES)
    if "weekday" in present:
        changes["weekday"] = _int(raw, "weekday", 0, 6)
    if "dayOfMonth" in present:
        changes["day_of_month"] = _int(raw, "dayOfMonth", 1, 28)
    if "timeOfDay" in present:
        value = raw["timeOfDay"]
        if not isinstance(value, str) or not _TIME.match(value):
            raise ScheduleError("timeOfDay", "timeOfDay must be HH:MM (00:00 to 23:59)")
        changes["time_of_day"] = value
    if "timezone" in present:
        changes["timezone"] = _zone_name(raw)
    if "minCharge" in present:
        changes["min_charge"] = _number(raw, "minCharge", 0, 100)
    if "quietHours" in present:
        changes["quiet_hours"] = _int(raw, "quietHours", 0, 720)
    out = replace(out, **changes)
    if out.frequency == "weekly":
        if out.weekday is None:
            raise ScheduleError("weekday", "weekday (0 = Monday … 6 = Sunday) is required")
        out = replace(out, day_of_month=None)
    else:
        if out.day_of_month is None:
            raise ScheduleError("dayOfMonth", "dayOfMonth (1 to 28) is required")
        out = replace(out, weekday=None)
    return out


# -- occurrences -----------------------------------------------------------------------------------
def _at(day: date, time_of_day: str, zone: ZoneInfo) -> datetime:
    hour, minute = (int(p) for p in time_of_day.split(":"))
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
    # Round trip through UTC: a time in the spring-forward gap becomes a real instant.
    return local.astimezone(UTC)


def _month(year: int, month: int, shift: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + shift
    return index // 12, index % 12 + 1


def _days_around(s: Schedule, local_day: date) -> Iterator[date]:
    """The dates near `local_day` on which `s` runs, in order."""
    if s.frequency == "weekly":
        for offset in range(-8, 9):
            day = local_day + timedelta(days=offset)
            if day.weekday() == s.weekday:
                yield day
    else:
        for shift in (-2, -1, 0, 1, 2):
            year, month = _month(local_day.year, local_day.month, shift)
            yield date(year, month, s.day_of_month or 1)


def next_occurrence(s: Schedule, after: datetime) -> datetime:
    """The first occurrence strictly after `after` (UTC)."""
    zone = s.zone()
    local_day = after.astimezone(zone).date()
    for day in _days_around(s, local_day):
        at = _at(day, s.time_of_day, zone)
        if at > after:
            return at
    raise AssertionError("no occurrence within two months")  # cannot happen: 1 ≤ day ≤ 28


def latest_occurrence(s: Schedule, at: datetime) -> datetime:
    """The last occurrence at or before `at` (UTC)."""
    zone = s.zone()
    local_day = at.astimezone(zone).date()
    found = None
    for day in _days_around(s, local_day):
        when = _at(day, s.time_of_day, zone)
        if when <= at:
            found = when
    assert found is not None  # the candidates reach back two months
    return found


@dataclass(frozen=True)
class Due:
    """An occurrence to handle now: run it, or (`stale`) mark it handled without running."""

    at: datetime
    stale: bool


def due_occurrence(
    s: Schedule, now: datetime, last_due_at: datetime | None, since: datetime | None
) -> Due | None:
    """The occurrence to handle at `now`, if any: the latest one not yet handled
    (`last_due_at`) and after `since` (when the schedule was last saved: saving a schedule
    never runs an occurrence that was already past). Older than MAX_LATE: `stale`."""
    if not s.enabled:
        return None
    at = latest_occurrence(s, now)
    if last_due_at is not None and at <= last_due_at:
        return None
    if since is not None and at <= since:
        return None
    return Due(at, now - at > MAX_LATE)
