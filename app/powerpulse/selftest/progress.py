"""How an active self-test moves, from what the poller last read of its UPS. Pure.

requested → running when the status shows TEST / CAL or `ups.test.result` reads "in progress"
(usbhid-ups, apcsmart); → finished when that has gone and the result is final
(`nut.test_result`: passed / failed / aborted). Drivers update the result a poll or two after
the flag, and it may still read the previous test's words: a final result that differs from the
one read when the test was asked for counts at once; the same words count only after
`result_grace` without the flag. No final result by then: "unknown". A test whose result
changed to a final one while it was never seen running (it started and ended between two looks)
ends with that result. Never seen running within `start`: "unknown"; running longer than its
limit (quick 5 min, deep 2 h): "unknown".

blazer / nutdrv_qx report no `ups.test.result`; their failed test sets `ups.alarm` "UPS
selftest failed!", which is read as the result when it mentions a test.

Readings: `start` when asked for, the `lowest` of each while it runs, `end` when it finished.
The stored readings dict also keeps `track` (the result before, whether the flag was seen,
when it cleared, as epoch seconds) — bookkeeping the API does not show.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from powerpulse.nut.test_result import normalise_test_result
from powerpulse.selftest.safety import number, testing

ACTIVE = ("requested", "running")
FINAL = ("passed", "failed", "aborted")
READING_VARS = {
    "charge": "battery.charge",
    "runtimeSeconds": "battery.runtime",
    "batteryVoltage": "battery.voltage",
    "load": "ups.load",
}
_IN_PROGRESS = re.compile(r"progress|running|testing|started", re.IGNORECASE)


@dataclass(frozen=True)
class Limits:
    start: float = 180.0  # seconds from the command to seeing the test run
    quick: float = 300.0
    deep: float = 7200.0
    result_grace: float = 60.0  # after the flag cleared, wait this long for a new result

    def run_limit(self, test_type: str) -> float:
        return self.deep if test_type == "deep" else self.quick


def readings_of(variables: Mapping[str, Any]) -> dict[str, float | None]:
    return {key: number(variables.get(var)) for key, var in READING_VARS.items()}


def lowest(
    current: Mapping[str, Any] | None, new: Mapping[str, float | None]
) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for key in READING_VARS:
        values = [v for v in ((current or {}).get(key), new.get(key)) if v is not None]
        out[key] = min(values) if values else None
    return out


def result_text(variables: Mapping[str, Any]) -> str | None:
    """`ups.test.result`, else a test alarm (blazer's "UPS selftest failed!")."""
    raw = variables.get("ups.test.result")
    if isinstance(raw, str) and raw.strip():
        return raw.strip()[:255]
    alarm = variables.get("ups.alarm")
    if isinstance(alarm, str) and "test" in alarm.lower():
        return alarm.strip()[:255]
    return None


def in_progress(raw: str | None) -> bool:
    return (
        raw is not None
        and normalise_test_result(raw) not in FINAL
        and bool(_IN_PROGRESS.search(raw))
    )


@dataclass(frozen=True)
class Look:
    """The UPS as the poller last read it."""

    fresh: bool
    tokens: frozenset[str] = frozenset()
    variables: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Active:
    state: str
    test_type: str
    requested_at: datetime
    started_at: datetime | None
    readings: Mapping[str, Any]


@dataclass(frozen=True)
class Update:
    state: str
    started_at: datetime | None
    readings: dict[str, Any]
    finished_at: datetime | None = None
    reason: str | None = None
    raw_result: str | None = None

    @property
    def finished(self) -> bool:
        return self.state not in ACTIVE


def initial_readings(variables: Mapping[str, Any]) -> dict[str, Any]:
    """The readings of a test asked for now: its start and the result it replaces."""
    return {
        "start": readings_of(variables),
        "lowest": None,
        "end": None,
        "track": {"before": result_text(variables), "sawFlag": False, "clearedAt": None},
    }


def step(test: Active, look: Look, now: datetime, limits: Limits) -> Update | None:
    """The test's next state and readings, or None when nothing changed."""
    readings = {k: v for k, v in test.readings.items()}
    track = dict(readings.get("track") or {})
    before = track.get("before")
    raw = result_text(look.variables) if look.fresh else None
    flag = look.fresh and (testing(look.tokens) or in_progress(raw))
    outcome = normalise_test_result(raw) if raw is not None else "unknown"
    new_final = raw is not None and raw != before and outcome in FINAL
    point = readings_of(look.variables) if look.fresh else None

    def finish(state: str, reason: str | None, started: datetime | None) -> Update:
        end = point or readings.get("end")
        return Update(state, started, {**readings, "end": end, "track": track}, now, reason, raw)

    if test.state == "requested":
        if flag:
            track.update(sawFlag=True, clearedAt=None)
            readings["lowest"] = lowest(None, point or {})
            return Update("running", now, {**readings, "track": track})
        if new_final:
            return finish(outcome, None, None)
        if (now - test.requested_at).total_seconds() > limits.start:
            minutes = round(limits.start / 60, 1)
            return finish(
                "unknown", f"The UPS did not show the test running within {minutes:g} min", None
            )
        return None

    started = test.started_at or test.requested_at
    if (now - started).total_seconds() > limits.run_limit(test.test_type):
        minutes = round(limits.run_limit(test.test_type) / 60, 1)
        return finish("unknown", f"The test ran longer than {minutes:g} min", test.started_at)
    if not look.fresh:
        return None  # comm lost during the test: wait (the limits above still apply)
    readings["lowest"] = lowest(readings.get("lowest"), point or {})
    if flag:
        track.update(sawFlag=True, clearedAt=None)
    elif new_final:
        return finish(outcome, None, test.started_at)
    else:
        cleared = track.get("clearedAt")
        if cleared is None:
            track["clearedAt"] = now.timestamp()
        elif now.timestamp() - float(cleared) >= limits.result_grace:
            if outcome in FINAL:
                return finish(outcome, None, test.started_at)
            return finish("unknown", "The UPS reported no result for the test", test.started_at)
    update = Update("running", test.started_at, {**readings, "track": track})
    return None if update.readings == dict(test.readings) else update
