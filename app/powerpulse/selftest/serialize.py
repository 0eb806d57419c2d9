"""The API's JSON of self-tests and schedules (`api.schemas.SelfTest` / `SelfTestSchedule`).

One place builds each shape: the self-test routes and the battery lifecycle answer use
`self_test(row)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from powerpulse.db.models import SelfTest, SelfTestSchedule
from powerpulse.selftest.progress import READING_VARS
from powerpulse.selftest.safety import number
from powerpulse.selftest.schedule import Schedule, next_occurrence
from powerpulse.timeutil import iso, utcnow


def _point(raw: Any) -> dict[str, float | None] | None:
    if not isinstance(raw, Mapping):
        return None
    return {key: number(raw.get(key)) for key in READING_VARS}


def self_test(row: SelfTest) -> dict[str, Any]:
    readings = row.readings if isinstance(row.readings, Mapping) else {}
    return {
        "id": row.id,
        "upsId": row.ups_id,  # type: ignore[attr-defined]
        "scheduleId": row.schedule_id,  # type: ignore[attr-defined]
        "testType": row.test_type if row.test_type in ("quick", "deep") else "quick",
        "command": row.command or "",
        "state": row.state,
        "reason": row.reason,
        "rawResult": row.raw_result,
        "requestedAt": iso(row.requested_at),
        "startedAt": iso(row.started_at),
        "finishedAt": iso(row.finished_at),
        "readings": {k: _point(readings.get(k)) for k in ("start", "lowest", "end")},
        "startedBy": row.started_by,
    }


def schedule_of(row: SelfTestSchedule) -> Schedule:
    """The pure schedule of a stored row."""
    ups = row.ups if isinstance(row.ups, list) else None
    return Schedule(
        name=row.name,
        enabled=bool(row.enabled),
        ups=tuple(int(i) for i in ups) if ups is not None else None,
        test_type=row.test_type,
        frequency=row.frequency,
        weekday=row.weekday,
        day_of_month=row.day_of_month,
        time_of_day=row.time_of_day,
        timezone=row.timezone,
        min_charge=float(row.min_charge),
        quiet_hours=int(row.quiet_hours),
    )


def schedule_fields(s: Schedule) -> dict[str, Any]:
    """The model columns of a pure schedule."""
    return {
        "name": s.name,
        "enabled": s.enabled,
        "ups": list(s.ups) if s.ups is not None else None,
        "test_type": s.test_type,
        "frequency": s.frequency,
        "weekday": s.weekday,
        "day_of_month": s.day_of_month,
        "time_of_day": s.time_of_day,
        "timezone": s.timezone,
        "min_charge": s.min_charge,
        "quiet_hours": s.quiet_hours,
    }


def schedule(row: SelfTestSchedule, now: datetime | None = None) -> dict[str, Any]:
    s = schedule_of(row)
    now = now or utcnow()
    return {
        "id": row.id,
        "name": s.name,
        "enabled": s.enabled,
        "ups": list(s.ups) if s.ups is not None else None,
        "testType": s.test_type,
        "frequency": s.frequency,
        "weekday": s.weekday,
        "dayOfMonth": s.day_of_month,
        "timeOfDay": s.time_of_day,
        "timezone": s.timezone,
        "minCharge": s.min_charge,
        "quietHours": s.quiet_hours,
        "nextRunAt": iso(next_occurrence(s, now)) if s.enabled else None,
        "lastDueAt": iso(row.last_due_at),
    }
