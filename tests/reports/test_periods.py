"""Report periods (pure): keys, the period just ended, send times across month, year and DST
boundaries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from powerpulse.digest import periods

BERLIN = ZoneInfo("Europe/Berlin")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_keys_and_the_period_just_ended_across_a_month_boundary() -> None:
    at = utc(2026, 12, 1, 9, 0)  # Tuesday 1 December, 10:00 in Berlin
    day = periods.just_ended("daily", at, BERLIN)
    assert day.key == "2026-11-30" and day.first_day == date(2026, 11, 30)
    assert day.start == utc(2026, 11, 29, 23) and day.end == utc(2026, 11, 30, 23)
    assert periods.just_ended("weekly", at, BERLIN).key == "2026-W48"
    month = periods.just_ended("monthly", at, BERLIN)
    assert month.key == "2026-11" and month.start == utc(2026, 10, 31, 23)
    assert month.end == utc(2026, 11, 30, 23)
    # 00:30 local on 1 December is still 30 November in UTC: the local calendar decides.
    assert periods.just_ended("monthly", utc(2026, 11, 30, 23, 30), BERLIN).key == "2026-11"
    assert (
        periods.just_ended("monthly", utc(2026, 11, 30, 23, 30), ZoneInfo("UTC")).key == "2026-10"
    )


def test_iso_weeks_at_the_turn_of_the_year() -> None:
    week = periods.just_ended("weekly", utc(2027, 1, 4, 12), BERLIN)  # Monday
    assert week.key == "2026-W53"  # 2026 has 53 ISO weeks
    assert week.first_day == date(2026, 12, 28) and week.next_day == date(2027, 1, 4)
    assert periods.just_ended("monthly", utc(2027, 1, 1, 12), BERLIN).key == "2026-12"


def test_days_across_dst_changes_are_23_and_25_hours() -> None:
    spring = periods.containing("daily", date(2026, 3, 29), BERLIN)
    autumn = periods.containing("daily", date(2026, 10, 25), BERLIN)
    assert spring.end - spring.start == timedelta(hours=23)
    assert autumn.end - autumn.start == timedelta(hours=25)
    week = periods.containing("weekly", date(2026, 10, 25), BERLIN)
    assert week.end - week.start == timedelta(days=7, hours=1)
    # Send time: 08:00 local on the day after, whatever the offset that day.
    assert periods.send_time(spring, 8, BERLIN) == utc(2026, 3, 30, 6)
    day_before = periods.containing("daily", date(2026, 3, 28), BERLIN)
    assert periods.send_time(day_before, 8, BERLIN) == utc(2026, 3, 29, 6)  # CEST already
    assert periods.send_time(
        periods.containing("daily", date(2026, 10, 24), BERLIN), 8, BERLIN
    ) == utc(2026, 10, 25, 7)
    # 02:00 does not exist on 29 March in Berlin: it is not lost, it is an hour on.
    at = periods.send_time(day_before, 2, BERLIN)
    assert utc(2026, 3, 29, 0) <= at <= utc(2026, 3, 29, 1)


def test_due_only_after_the_send_hour_and_next_send() -> None:
    before = utc(2026, 12, 4, 6, 59)  # 07:59 Berlin
    after = utc(2026, 12, 4, 7, 0)
    assert periods.due("daily", 8, BERLIN, before) is None
    due = periods.due("daily", 8, BERLIN, after)
    assert due is not None and due.key == "2026-12-03"
    assert periods.next_send("daily", 8, BERLIN, before, None) == after
    assert periods.next_send("daily", 8, BERLIN, after, None) == after  # due, not sent
    assert periods.next_send("daily", 8, BERLIN, after, "2026-12-03") == utc(2026, 12, 5, 7)
    # Monthly: due on the 1st at the hour, next one on the 1st of the next month.
    assert periods.next_send("monthly", 8, BERLIN, utc(2026, 12, 4), "2026-11") == utc(
        2027, 1, 1, 7
    )
    assert periods.due("weekly", 8, BERLIN, utc(2026, 12, 6, 12)) is not None  # Sunday: last week's
