"""What kind of quantity each NUT variable is, and its unit: the one table the UI formats from.

`kind_of(name)` matches the variable name against `PATTERNS` (first match wins; names are the
standard ones of the NUT docs, `docs/nut-names.txt`, including numbered outlets and phases);
anything unmatched is "text". `shown(name, raw)` adds what the UI needs to format a value
without parsing it again: the number (finite, inside the physical range of its quantity, from
`nut.variables`), the date (ISO, from the many formats drivers write) or the yes/no word.
Whatever cannot be read stays None and the UI shows the raw text.

Pure: no I/O.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import Any, Literal

from powerpulse.nut.variables import (
    CURRENT,
    FREQUENCY,
    LOAD,
    NUMERIC_VARIABLES,
    POWER,
    TEMPERATURE,
    TIMER,
    VOLTAGE,
    Quantity,
    display_text,
    physical,
)

Kind = Literal[
    "duration",
    "date",
    "voltage",
    "current",
    "frequency",
    "power_w",
    "power_va",
    "temperature",
    "percent",
    "boolean",
    "text",
]
Flag = Literal["yes", "no", "on", "off", "enabled", "disabled"]

UNITS: dict[Kind, str] = {
    "duration": "s",
    "date": "",
    "voltage": "V",
    "current": "A",
    "frequency": "Hz",
    "power_w": "W",
    "power_va": "VA",
    "temperature": "°C",
    "percent": "%",
    "boolean": "",
    "text": "",
}

# (regex on the full name, kind); the first match wins, so specific rules come first.
_N = r"(?:\d+\.)?"  # an optional outlet/phase number: outlet.3.delay.shutdown
PATTERNS: tuple[tuple[str, Kind], ...] = (
    (r"\.date(\.maintenance)?$", "date"),  # battery.date, battery.mfr.date, ups.mfr.date
    (r"^battery\.runtime(\.|$)", "duration"),  # battery.runtime, .low, .restart
    (r"(^|\.)(delay|timer)(\.|$)", "duration"),  # ups.delay.shutdown, outlet.1.timer.start
    (r"^ups\.test\.interval$", "duration"),
    (r"^input\.transfer\.delay$", "duration"),
    (r"^driver\.parameter\.(pollinterval|pollfreq)$", "duration"),
    (r"^ups\.beeper\.status$", "boolean"),  # enabled / disabled (/ muted: shown as text)
    (r"^ups\.start\.(auto|battery|reboot)$", "boolean"),
    (rf"^outlet\.{_N}(switchable|status)$", "boolean"),
    (r"^battery\.(protection|energysave)$", "boolean"),
    (rf"^ambient\.{_N}present$", "boolean"),
    (r"^ups\.shutdown$", "boolean"),
    (r"^driver\.flag\.", "boolean"),
    (r"\.realpower(\.|$)", "power_w"),  # before .power: ups.realpower.nominal
    (r"\.power(\.|$)", "power_va"),
    (r"\.voltage(\.|$)", "voltage"),
    (r"^input\.transfer\.((boost|trim|eco|bypass)\.)?(low|high)(\.|$)", "voltage"),
    (r"\.current(\.|$)", "current"),
    (r"\.frequency(\.|$)", "frequency"),
    (r"\.temperature(\.|$)", "temperature"),
    (r"^battery\.charge(\.|$)", "percent"),  # not battery.charger.status
    (r"\.load(\.|$)", "percent"),
    (r"\.humidity(\.|$)", "percent"),
    (r"^ups\.efficiency$", "percent"),
)
_COMPILED = tuple((re.compile(pattern), kind) for pattern, kind in PATTERNS)

# The physical range a number of each kind must lie in (the quantities of `nut.variables`);
# a variable that module knows by name uses its own, narrower quantity (charge: 0..100).
_RANGE: dict[Kind, Quantity] = {
    "duration": TIMER,
    "voltage": VOLTAGE,
    "current": CURRENT,
    "frequency": FREQUENCY,
    "power_w": POWER,
    "power_va": POWER,
    "temperature": TEMPERATURE,
    "percent": LOAD,
}

_FLAGS: dict[str, Flag] = {
    "yes": "yes",
    "y": "yes",
    "true": "yes",
    "no": "no",
    "n": "no",
    "false": "no",
    "on": "on",
    "off": "off",
    "enabled": "enabled",
    "enable": "enabled",
    "disabled": "disabled",
    "disable": "disabled",
}

_YEARS = (1970, 2199)  # a battery date outside these is garbage ("0000/00/00", "9999-99-99")
_YMD = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_XXY = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{2}|\d{4})")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")


@functools.lru_cache(maxsize=4096)  # names repeat on every request; the patterns are fixed
def kind_of(name: str) -> Kind:
    """The kind of a NUT variable by its name; "text" when no pattern matches."""
    for pattern, kind in _COMPILED:
        if pattern.search(name):
            return kind
    return "text"


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:  # NUT's APC drivers write mm/dd/yy
        year += 2000 if year < 70 else 1900
    return year


def _valid(year: int, month: int, day: int) -> str | None:
    if not _YEARS[0] <= year <= _YEARS[1]:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_date(raw: object) -> str | None:
    """A driver's date as ISO `YYYY-MM-DD`, or None when it is not one.

    Formats: 2019/05/14, 2019-05-14, 2019.05.14, 20190514 (year first); 14.05.2019 (day first,
    the dotted European form); 05/14/19 and 05/14/2019 (month first, as NUT's APC drivers and
    US firmware write them) unless the first number cannot be a month (14/05/2019: day first).
    """
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if len(text) > 32:
        return None
    if m := _YMD.fullmatch(text):
        return _valid(int(m[1]), int(m[3]), int(m[4]))
    if m := _COMPACT.fullmatch(text):
        return _valid(int(m[1]), int(m[2]), int(m[3]))
    if m := _XXY.fullmatch(text):
        first, second, year = int(m[1]), int(m[3]), _year(m[4])
        if m[2] == "." or first > 12:
            return _valid(year, second, first)
        return _valid(year, first, second)
    return None


def parse_flag(raw: object) -> Flag | None:
    """yes/no, on/off, enabled/disabled in any case (true/false, y/n as yes/no); else None."""
    if not isinstance(raw, str) or len(raw) > 16:
        return None
    return _FLAGS.get(raw.strip().lower())


def _number(name: str, kind: Kind, raw: str) -> float | int | None:
    known = NUMERIC_VARIABLES.get(name)
    quantity = known.quantity if known is not None else _RANGE.get(kind)
    if quantity is None:
        return None
    value = physical(raw, quantity)
    if value is None or (kind == "duration" and value < 0):  # -1: the timer is not running
        return None
    return int(value) if value.is_integer() else value


def shown(name: str, raw: object) -> dict[str, Any]:
    """One variable as the API serves it: name, raw value (display-safe), kind, unit, and the
    number / date / flag read from it (None when it cannot be read)."""
    text = raw if isinstance(raw, str) else ""
    kind = kind_of(name)
    return {
        "name": display_text(name) or "",
        "value": display_text(text) or "",
        "kind": kind,
        "unit": UNITS[kind],
        "number": _number(name, kind, text) if kind in _RANGE else None,
        "date": parse_date(text) if kind == "date" else None,
        "flag": parse_flag(text) if kind == "boolean" else None,
    }
