"""What an admin may ask of a UPS, decided before anything is sent to upsd: pure logic.

- Instant commands that cut or risk the load need an explicit confirmation (`warning()` says
  what would happen); harmless ones (beeper, battery tests) run on one click.
- A writable variable is described from `GET TYPE` (+ `LIST ENUM` / `LIST RANGE`) and a new
  value is checked against that description, so a typo gets a clear 400 here instead of an
  `ERR INVALID-VALUE` (or a silently clipped string) from the driver.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# (pattern, what happens) — first match wins. Outlet commands carry the outlet number.
_DANGEROUS: tuple[tuple[str, str], ...] = (
    (r"load\.off(\.delay)?", "cuts power to everything plugged into the UPS"),
    (r"load\.cycle", "switches the load off and on again"),
    (r"outlet\.\d+\.load\.(off|cycle)", "cuts power to the devices on that outlet"),
    (r"shutdown\.(return|stayoff|reboot|reboot\.graceful)", "shuts the UPS (and its load) down"),
    (r"bypass\.start", "runs the load on raw mains without battery protection"),
    (r"test\.failure\.start", "simulates a power failure: the load runs on battery"),
    (r"calibrate\.start", "drains the battery to calibrate the runtime estimate"),
)


def warning(command: str) -> str | None:
    """Why `command` needs a confirmation, or None when it is harmless."""
    for pattern, what in _DANGEROUS:
        if re.fullmatch(pattern, command):
            return f"{command} {what}"
    return None


@dataclass(frozen=True)
class Writable:
    """One `LIST RW` variable as the UI needs it."""

    name: str
    value: str
    description: str = ""
    kind: str = "string"  # string | number | enum | range
    max_length: int | None = None
    options: tuple[str, ...] = ()
    ranges: tuple[tuple[float, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "description": self.description,
            "type": self.kind,
            "maxLength": self.max_length,
            "options": list(self.options),
            "ranges": [list(r) for r in self.ranges],
        }


def describe(
    name: str,
    value: str,
    type_words: Sequence[str],
    description: str = "",
    options: Sequence[str] = (),
    ranges: Sequence[tuple[str, str]] = (),
) -> Writable:
    """A `Writable` from `GET TYPE` words such as ["RW", "STRING:32"], ["RW", "ENUM"],
    ["RW", "RANGE"], ["RW", "NUMBER"] (older servers: ["RW"] alone means a string)."""
    words = [w.upper() for w in type_words]
    max_length = None
    for word in words:
        if word.startswith("STRING:") and word[7:].isdigit():
            max_length = int(word[7:])
    if "ENUM" in words and options:
        kind = "enum"
    elif "RANGE" in words and ranges:
        kind = "range"
    elif "NUMBER" in words:
        kind = "number"
    else:
        kind = "string"
    parsed_ranges = []
    for low, high in ranges:
        try:
            parsed_ranges.append((float(low), float(high)))
        except ValueError:
            continue
    if kind == "range" and not parsed_ranges:
        kind = "number"
    return Writable(
        name, value, description, kind, max_length, tuple(options), tuple(parsed_ranges)
    )


def check_value(var: Writable, raw: str) -> str | None:
    """Why `raw` is not a valid new value for `var`, or None when it may be sent."""
    if not raw.strip():
        return "A value is required"
    if var.kind == "enum" and raw not in var.options:
        return f"Must be one of: {', '.join(var.options)}"
    if var.kind in ("number", "range"):
        try:
            number = float(raw)
        except ValueError:
            return "Must be a number"
        if number != number or number in (float("inf"), float("-inf")):
            return "Must be a finite number"
        if var.kind == "range" and not any(lo <= number <= hi for lo, hi in var.ranges):
            allowed = ", ".join(f"{_fmt(lo)} to {_fmt(hi)}" for lo, hi in var.ranges)
            return f"Must be within {allowed}"
    if var.max_length is not None and len(raw.encode()) > var.max_length:
        return f"At most {var.max_length} characters"
    return None


def _fmt(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)
