"""Battery dates and expected life, pure: no I/O, "today" is always passed in.

Drivers word `battery.date` (install or last change) and `battery.mfr.date` (manufacture) in
several ways: ISO "2021-04-15" (apc_modbus), "2001/09/25" (usbhid-ups), "11/22/06"
(apcsmart's mm/dd/yy), "01012014" (gamatronic's mmddyyyy), and garbage ("CPS", "2001/00/00",
"2624/00/02", "3150/08/01"). Anything that is not a real date between 1990-01-01 and today is
None: a wrong date would raise a false age alert, so no date is better than a guessed one.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

MIN_DATE = date(1990, 1, 1)
# The variables a device date is read from, preferred first: battery.date is when the battery
# went in; the manufacture date is the next best (a battery is installed soon after).
DATE_VARIABLES = ("battery.date", "battery.mfr.date")
LEAD_ACID_MONTHS = 36
LITHIUM_MONTHS = 96
DEFAULT_MONTHS = LEAD_ACID_MONTHS  # most UPS batteries are VRLA lead-acid
LIFE_MIN, LIFE_MAX = 6, 240
DAYS_PER_MONTH = 365.25 / 12
_MAX_TEXT = 40

_YMD = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_MDY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})")
_EIGHT = re.compile(r"\d{8}")
_LEAD = ("pb", "lead", "vrla", "sla", "agm", "gel")
_LITHIUM = ("li", "lithium", "lfp")


def _real(year: int, month: int, day: int, today: date) -> date | None:
    try:
        value = date(year, month, day)
    except ValueError:  # month 0, day 0, 31 February …
        return None
    return value if MIN_DATE <= value <= today else None


def _year(text: str) -> int:
    """A 2-digit year as apcsmart sends it: 90-99 are 1990s, the rest 2000s."""
    year = int(text)
    if len(text) == 2:
        year += 1900 if year >= 90 else 2000
    return year


def parse_battery_date(raw: object, today: date) -> date | None:
    """The date a driver reported, or None when it is not a plausible one."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not text or len(text) > _MAX_TEXT or not text.isascii():
        return None
    if m := _YMD.fullmatch(text):
        return _real(int(m[1]), int(m[2]), int(m[3]), today)
    if m := _MDY.fullmatch(text):
        first, second, year = int(m[1]), int(m[2]), _year(m[3])
        # NUT's drivers say mm/dd; a first part over 12 can only be a day (a European dd/mm).
        month, day = (second, first) if first > 12 else (first, second)
        return _real(year, month, day, today)
    if _EIGHT.fullmatch(text):
        if text[:2] in ("19", "20") and (
            ymd := _real(int(text[:4]), int(text[4:6]), int(text[6:]), today)
        ):
            return ymd
        return _real(int(text[4:]), int(text[:2]), int(text[2:4]), today)  # mmddyyyy
    return None


@dataclass(frozen=True)
class DeviceDate:
    """A usable date the UPS reports: which variable, its raw text, and the date."""

    variable: str
    value: str
    date: date

    def as_dict(self) -> dict[str, str]:
        return {"variable": self.variable, "value": self.value, "date": self.date.isoformat()}


def device_date(variables: Mapping[str, object], today: date) -> DeviceDate | None:
    """The first of `DATE_VARIABLES` holding a plausible date (a garbage battery.date falls
    back to a good battery.mfr.date)."""
    for name in DATE_VARIABLES:
        raw = variables.get(name)
        if (parsed := parse_battery_date(raw, today)) is not None:
            return DeviceDate(name, str(raw).strip(), parsed)
    return None


def default_life_months(battery_type: object) -> int:
    """Expected life from `battery.type`: lead-acid 36 months, lithium 96, unknown 36."""
    if not isinstance(battery_type, str):
        return DEFAULT_MONTHS
    key = re.sub(r"[^a-z0-9]", "", battery_type.lower())[:_MAX_TEXT]
    if key.startswith(_LITHIUM) or "lithium" in key or "lifepo" in key:
        return LITHIUM_MONTHS
    if key.startswith(_LEAD) or "lead" in key:
        return LEAD_ACID_MONTHS
    return DEFAULT_MONTHS


def add_months(start: date, months: int) -> date:
    """`start` plus whole months, the day clamped to the month's end (31 Jan + 1 = 28 Feb)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def age_days(installed_on: date, today: date) -> int:
    return max(0, (today - installed_on).days)


def age_months(installed_on: date, today: date) -> float:
    """Age in months of average length, one decimal (31.2)."""
    return round(age_days(installed_on, today) / DAYS_PER_MONTH, 1)


@dataclass(frozen=True)
class Age:
    """One battery's age against its expected life, on `today`."""

    expected_life_months: int
    is_default: bool
    age_days: int
    age_months: float
    due_on: date
    due: bool


def age_of(installed_on: date, expected: int | None, battery_type: object, today: date) -> Age:
    months = expected if expected is not None else default_life_months(battery_type)
    due_on = add_months(installed_on, months)
    return Age(
        expected_life_months=months,
        is_default=expected is None,
        age_days=age_days(installed_on, today),
        age_months=age_months(installed_on, today),
        due_on=due_on,
        due=today >= due_on,
    )
