"""NUT variables (`LIST VAR`) → the seed's UPS fields, from one mapping table.

Numbers are parsed strictly: a missing or unparsable value is None, never 0. Whole-number
fields are rounded half up, voltages/temperatures/frequencies keep one decimal, and
`runtimeRemaining` is `battery.runtime` (seconds) / 60 rounded to whole minutes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

Parser = Callable[[str | None], Any]


def as_float(raw: str | None) -> float | None:
    """A NUT value as a finite number, or None (missing, text, `nan`, `inf`)."""
    if raw is None:
        return None
    try:
        value = float(raw.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def as_int(raw: str | None) -> int | None:
    """Whole number rounded half up ("99.5" → 100); bad/missing → None."""
    value = as_float(raw)
    return None if value is None else math.floor(value + 0.5)


def as_dec1(raw: str | None) -> float | None:
    """One decimal ("230.06" → 230.1); bad/missing → None."""
    value = as_float(raw)
    return None if value is None else math.floor(value * 10 + 0.5) / 10


def as_str(raw: str | None) -> str | None:
    """Text value; empty → None."""
    if raw is None:
        return None
    text = raw.strip()
    return text or None


def as_minutes(raw: str | None) -> int | None:
    """Seconds → whole minutes."""
    value = as_float(raw)
    return None if value is None else math.floor(value / 60 + 0.5)


def _camel(suffix: str) -> str:
    head, *rest = suffix.split(".")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


# (group, NUT variable, parser); the key in the group is the camelCase of the variable
# without its first component ("battery.charge.low" → "chargeLow").
_GROUPS: tuple[tuple[str, tuple[tuple[str, Parser], ...]], ...] = (
    (
        "batteryDetails",
        (
            ("battery.charge", as_int),
            ("battery.charge.low", as_int),
            ("battery.charge.warning", as_int),
            ("battery.runtime", as_int),
            ("battery.runtime.low", as_int),
            ("battery.type", as_str),
            ("battery.voltage", as_dec1),
            ("battery.voltage.nominal", as_dec1),
            ("battery.temperature", as_dec1),
            ("battery.charger.status", as_str),
            ("battery.date", as_str),
            ("battery.mfr.date", as_str),
            ("battery.packs", as_int),
            ("battery.packs.bad", as_int),
        ),
    ),
    (
        "deviceDetails",
        (
            ("device.mfr", as_str),
            ("device.model", as_str),
            ("device.serial", as_str),
            ("device.type", as_str),
        ),
    ),
    (
        "driverDetails",
        (
            ("driver.name", as_str),
            ("driver.version", as_str),
            ("driver.version.data", as_str),
            ("driver.version.internal", as_str),
            ("driver.version.usb", as_str),
            ("driver.state", as_str),
        ),
    ),
    (
        "inputDetails",
        (
            ("input.voltage", as_dec1),
            ("input.voltage.nominal", as_dec1),
            ("input.frequency", as_dec1),
            ("input.current", as_dec1),
            ("input.transfer.low", as_dec1),
            ("input.transfer.high", as_dec1),
            ("input.transfer.reason", as_str),
            ("input.sensitivity", as_str),
        ),
    ),
    (
        "outputDetails",
        (
            ("output.voltage", as_dec1),
            ("output.voltage.nominal", as_dec1),
            ("output.frequency", as_dec1),
            ("output.current", as_dec1),
        ),
    ),
    (
        "upsDetails",
        (
            ("ups.status", as_str),
            ("ups.alarm", as_str),
            ("ups.id", as_str),
            ("ups.load", as_int),
            ("ups.temperature", as_dec1),
            ("ups.beeper.status", as_str),
            ("ups.delay.shutdown", as_int),
            ("ups.delay.start", as_int),
            ("ups.timer.shutdown", as_int),
            ("ups.timer.start", as_int),
            ("ups.mfr", as_str),
            ("ups.model", as_str),
            ("ups.serial", as_str),
            ("ups.firmware", as_str),
            ("ups.productid", as_str),
            ("ups.vendorid", as_str),
            ("ups.mode", as_str),
            ("ups.realpower", as_int),
            ("ups.realpower.nominal", as_int),
            ("ups.power", as_int),
            ("ups.power.nominal", as_int),
            ("ups.test.result", as_str),
            ("ups.test.date", as_str),
        ),
    ),
)

# Never shown on the public kiosk: serials, USB ids, network addresses, and every driver
# parameter (ports, SNMP communities, bus paths).
SENSITIVE_VARIABLES: frozenset[str] = frozenset(
    {
        "device.serial",
        "ups.serial",
        "battery.serial",
        "device.macaddr",
        "ups.productid",
        "ups.vendorid",
        "device.usb.productid",
        "device.usb.vendorid",
    }
)
_SENSITIVE_PATTERN = re.compile(
    r"^driver\.(parameter|flag)\.|\.(serial|productid|vendorid|macaddr|ipaddr|community)$"
)


def is_public_variable(name: str) -> bool:
    """False for variables the public kiosk must not show."""
    return name not in SENSITIVE_VARIABLES and not _SENSITIVE_PATTERN.search(name)


def public_variables(variables: Mapping[str, str]) -> dict[str, str]:
    """The raw variables without the sensitive ones."""
    return {k: v for k, v in variables.items() if is_public_variable(k)}


# The table with each entry's camelCase key and public flag worked out once.
_KEYED_GROUPS = tuple(
    (
        group,
        tuple(
            (name, _camel(name.split(".", 1)[1]), parse, is_public_variable(name))
            for name, parse in entries
        ),
    )
    for group, entries in _GROUPS
)


def _first(variables: Mapping[str, str], *names: str) -> str | None:
    for name in names:
        value = as_str(variables.get(name))
        if value is not None:
            return value
    return None


def ups_readings(variables: Mapping[str, str], *, public: bool = False) -> dict[str, Any]:
    """The seed's UPS fields from raw NUT variables.

    `public=True` (kiosk) leaves sensitive values out of the detail groups and drops the
    driver's parameters entirely.
    """
    get = variables.get
    temperature = as_dec1(get("ups.temperature"))
    if temperature is None:
        temperature = as_dec1(get("battery.temperature"))
    result: dict[str, Any] = {
        "model": _first(variables, "device.model", "ups.model"),
        "batteryCharge": as_int(get("battery.charge")),
        "batteryVoltage": as_dec1(get("battery.voltage")),
        "inputVoltage": as_dec1(get("input.voltage")),
        "outputVoltage": as_dec1(get("output.voltage")),
        "runtimeRemaining": as_minutes(get("battery.runtime")),
        "load": as_int(get("ups.load")),
        "temperature": temperature,
    }
    for group, entries in _KEYED_GROUPS:
        result[group] = {
            key: parse(get(name)) for name, key, parse, shown in entries if shown or not public
        }
    if not public:
        result["driverDetails"]["parameters"] = {
            name[len("driver.parameter.") :]: value
            for name, value in variables.items()
            if name.startswith("driver.parameter.")
        }
    return result
