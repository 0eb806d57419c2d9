"""Schedules across DST, validation, the safety rules and the driver wordings (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from powerpulse.selftest import progress, safety
from powerpulse.selftest.schedule import (
    Schedule,
    ScheduleError,
    due_occurrence,
    next_occurrence,
    parse_schedule,
)

BERLIN_WEEKLY = Schedule(
    "w",
    frequency="weekly",
    weekday=6,
    day_of_month=None,
    time_of_day="03:00",
    timezone="Europe/Berlin",
)


def test_weekly_occurrence_keeps_local_time_across_dst() -> None:
    # Sunday 2026-03-29 is the spring-forward day in Berlin (02:00 → 03:00).
    before = next_occurrence(BERLIN_WEEKLY, datetime(2026, 3, 20, tzinfo=UTC))
    assert before == datetime(2026, 3, 22, 2, 0, tzinfo=UTC)  # 03:00 CET
    after = next_occurrence(BERLIN_WEEKLY, before)
    assert after == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 03:00 CEST
    # Autumn: 2026-10-25 falls back; 03:00 exists once, CET again.
    autumn = next_occurrence(BERLIN_WEEKLY, datetime(2026, 10, 24, tzinfo=UTC))
    assert autumn == datetime(2026, 10, 25, 2, 0, tzinfo=UTC)


def test_a_time_inside_the_gap_and_an_ambiguous_time_run_once() -> None:
    gap = Schedule(
        "g",
        frequency="weekly",
        weekday=6,
        day_of_month=None,
        time_of_day="02:30",
        timezone="Europe/Berlin",
    )
    at = next_occurrence(gap, datetime(2026, 3, 28, tzinfo=UTC))
    assert at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST, one hour late
    twice = Schedule(
        "t",
        frequency="weekly",
        weekday=6,
        day_of_month=None,
        time_of_day="02:30",
        timezone="Europe/Berlin",
    )
    first = next_occurrence(twice, datetime(2026, 10, 24, tzinfo=UTC))
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the first 02:30 (CEST)
    assert next_occurrence(twice, first) == first + timedelta(days=7, hours=1)


def test_monthly_and_due_rules() -> None:
    s = Schedule(
        "m", frequency="monthly", day_of_month=28, time_of_day="23:30", timezone="America/New_York"
    )
    nxt = next_occurrence(s, datetime(2026, 2, 1, tzinfo=UTC))
    assert nxt == datetime(2026, 3, 1, 4, 30, tzinfo=UTC)  # Feb 28 23:30 EST
    now = nxt + timedelta(minutes=1)
    assert due_occurrence(s, now, None, None).at == nxt  # type: ignore[union-attr]
    assert due_occurrence(s, now, nxt, None) is None  # handled already
    assert due_occurrence(s, now, None, now - timedelta(seconds=5)) is None  # saved after it
    late = due_occurrence(s, nxt + timedelta(hours=7), None, None)
    assert late is not None and late.stale


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "a", "testType": "long"}, "testType"),
        ({"name": "a", "frequency": "daily"}, "frequency"),
        ({"name": "a", "frequency": "weekly"}, "weekday"),
        ({"name": "a", "frequency": "weekly", "weekday": 7}, "weekday"),
        ({"name": "a", "dayOfMonth": 29}, "dayOfMonth"),
        ({"name": "a", "timeOfDay": "24:00"}, "timeOfDay"),
        ({"name": "a", "timeOfDay": "3:00"}, "timeOfDay"),
        ({"name": "a", "timezone": "Mars/Olympus"}, "timezone"),
        ({"name": "a", "minCharge": 4.6e251}, "minCharge"),
        ({"name": "a", "minCharge": float("nan")}, "minCharge"),
        ({"name": "a", "quietHours": 721}, "quietHours"),
        ({"name": "a", "ups": [1, "2"]}, "ups"),
        ({"name": "a", "ups": []}, "ups"),
    ],
)
def test_validation_names_the_field(body: dict[str, object], field: str) -> None:
    with pytest.raises(ScheduleError) as err:
        parse_schedule(body)
    assert err.value.field == field


NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)
OK = safety.Conditions(tokens=frozenset({"OL"}), charge=100.0, fresh=True)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({}, None),
        ({"fresh": False}, "no_contact"),
        ({"tokens": frozenset({"OB", "DISCHRG"})}, "not_online"),
        ({"tokens": frozenset({"OL", "LB"})}, "not_online"),
        ({"tokens": frozenset({"OL", "FSD"})}, "not_online"),
        ({"tokens": frozenset({"OL", "CAL"})}, "already_testing"),
        ({"active_test": True}, "already_testing"),
        ({"charge": 89.9}, "low_charge"),
        ({"charge": None}, "low_charge"),
        ({"last_outage_at": NOW - timedelta(hours=23)}, "recent_outage"),
        ({"last_outage_at": NOW - timedelta(hours=25)}, None),
        ({"outage_ongoing": True}, "recent_outage"),
        ({"muted": True}, "muted"),
        ({"group_testing": True}, "group_testing"),
    ],
)
def test_each_rule_blocks(changes: dict[str, object], reason: str | None) -> None:
    from dataclasses import replace

    c = replace(OK, **changes)  # type: ignore[arg-type]
    assert safety.blocking_reason(c, min_charge=90, quiet_hours=24, now=NOW) == reason


def test_command_choice() -> None:
    assert (
        safety.choose_command("quick", ["test.battery.start.quick"]) == "test.battery.start.quick"
    )
    assert safety.choose_command("quick", ["test.battery.start"]) == "test.battery.start"
    assert safety.choose_command("deep", ["test.battery.start"]) is None
    assert safety.choose_command("quick", ["load.off"]) is None
    assert safety.number("nan") is None and safety.number("4.6e251") == 4.6e251
    assert safety.number("1e999") is None and safety.number("garbage") is None


LIMITS = progress.Limits(start=60, quick=300, result_grace=10)
T0 = datetime(2026, 12, 5, 3, tzinfo=UTC)


def _run(wordings: list[tuple[str, str | None]], before: str | None = None) -> progress.Update:
    """Drive one test through (status, ups.test.result) looks, 5 s apart."""
    variables = {"battery.charge": "100"}
    if before:
        variables["ups.test.result"] = before
    readings = progress.initial_readings(variables)
    test = progress.Active("requested", "quick", T0, None, readings)
    last = None
    for i, (status, result) in enumerate(wordings):
        now = T0 + timedelta(seconds=5 * (i + 1))
        v = {"battery.charge": str(100 - i), "ups.status": status}
        if result is not None:
            v["ups.test.result"] = result
        update = progress.step(test, progress.Look(True, frozenset(status.split()), v), now, LIMITS)
        if update is not None:
            last = update
            if update.finished:
                return update
            test = progress.Active(update.state, "quick", T0, update.started_at, update.readings)
    assert last is not None
    return last


@pytest.mark.parametrize(
    ("wordings", "state"),
    [
        # usbhid-ups
        ([("OL TEST", "In progress"), ("OL", "Done and passed")], "passed"),
        ([("OL TEST", "In progress"), ("OL", "Done and warning")], "passed"),
        ([("OL TEST", "In progress"), ("OL", "Done and error")], "failed"),
        ([("OL TEST", "In progress"), ("OL", "Aborted")], "aborted"),
        # apcsmart
        ([("OL", "in progress"), ("OL", "OK")], "passed"),
        ([("OB CAL", None), ("OL", "failed")], "failed"),
        # bcmxcp
        ([("OL TEST", "No test initiated"), ("OL", "Passed")], "passed"),
        # blazer: no result variable, only the alarm (read from ups.alarm in the runner tests)
        ([("OL CAL", None)] + [("OL", None)] * 4, "unknown"),
    ],
)
def test_results_in_drivers_wordings(wordings: list[tuple[str, str | None]], state: str) -> None:
    update = _run(wordings)
    assert update.state == state
    assert update.readings["start"]["charge"] == 100
    assert update.readings["lowest"]["charge"] is not None


def test_the_previous_tests_words_are_not_taken_for_a_new_result() -> None:
    update = _run(
        [("OL TEST", None), ("OL", "Done and passed"), ("OL", "Done and error")],
        before="Done and passed",
    )
    assert update.state == "failed"


def test_never_started_and_too_long() -> None:
    update = _run([("OL", None)] * 13)
    assert update.state == "unknown" and "did not show" in (update.reason or "")
    long = _run([("OL TEST", None)] * 62)
    assert long.state == "unknown" and "longer" in (long.reason or "")
