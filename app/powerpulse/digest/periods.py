"""Report periods, pure: their keys, the period just ended at a time, when a report is due.

A period is a local calendar day, ISO week (Monday to Sunday) or month in the schedule's time
zone; its bounds are the local midnights converted to UTC, so a day across a DST change is 23
or 25 hours long. A period's report is due at `hour` local time on the first day after it
(daily: the next day, weekly: Monday, monthly: the 1st). Only the period just ended is ever
due: a poller down for a week sends last week's report, not seven daily ones.

Keys: "2026-12-04", "2026-W49" (ISO year and week), "2026-11".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAILY, WEEKLY, MONTHLY = "daily", "weekly", "monthly"
PERIODS = (DAILY, WEEKLY, MONTHLY)


@dataclass(frozen=True)
class Period:
    kind: str
    key: str
    first_day: date  # local dates, inclusive …
    next_day: date  # … and exclusive
    start: datetime  # UTC
    end: datetime  # UTC, exclusive

    @property
    def label(self) -> str:
        """How the report names it: "Friday 4 December 2026", "week 49 of 2026"."""
        if self.kind == DAILY:
            return f"{self.first_day:%A} {self.first_day.day} {self.first_day:%B %Y}"
        if self.kind == WEEKLY:
            year, week, _ = self.first_day.isocalendar()
            last = self.next_day - timedelta(days=1)
            return f"week {week} of {year} ({self.first_day.isoformat()} to {last.isoformat()})"
        return f"{self.first_day:%B %Y}"


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def containing(kind: str, day: date, zone: ZoneInfo) -> Period:
    """The period of `kind` that contains the local date `day`."""
    if kind == DAILY:
        first, nxt, key = day, day + timedelta(days=1), day.isoformat()
    elif kind == WEEKLY:
        first = day - timedelta(days=day.weekday())
        year, week, _ = first.isocalendar()
        nxt, key = first + timedelta(days=7), f"{year}-W{week:02d}"
    elif kind == MONTHLY:
        first = _month_start(day)
        nxt, key = _next_month(first), f"{first.year:04d}-{first.month:02d}"
    else:
        raise ValueError(f"unknown period {kind!r}")
    return Period(kind, key, first, nxt, _midnight(first, zone), _midnight(nxt, zone))


def just_ended(kind: str, at: datetime, zone: ZoneInfo) -> Period:
    """The last full period before `at` (local time in `zone`)."""
    current = containing(kind, at.astimezone(zone).date(), zone)
    return containing(kind, current.first_day - timedelta(days=1), zone)


def send_time(period: Period, hour: int, zone: ZoneInfo) -> datetime:
    """When `period`'s report is due (UTC): `hour` local on the day after it. A nonexistent
    local hour (spring forward) maps to the hour after; a repeated one to its first time."""
    local = datetime.combine(period.next_day, time(hour), zone)
    return local.astimezone(UTC)


def due(kind: str, hour: int, zone: ZoneInfo, now: datetime) -> Period | None:
    """The period whose report is due at `now`, or None before today's send time."""
    period = just_ended(kind, now, zone)
    return period if now >= send_time(period, hour, zone) else None


def next_send(
    kind: str, hour: int, zone: ZoneInfo, now: datetime, last_key: str | None
) -> datetime:
    """When the next report goes out: the due one's time if not yet sent, else the next's."""
    period = just_ended(kind, now, zone)
    at = send_time(period, hour, zone)
    if at > now or last_key != period.key:  # not yet due, or due and not sent yet
        return at
    following = containing(kind, period.next_day, zone)
    return send_time(following, hour, zone)
