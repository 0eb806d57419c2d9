"""NUT variables (`LIST VAR`) → the seed's UPS fields, from one mapping table.

Numbers are parsed strictly (a plain decimal number, nothing else) and must lie in the
physical range of their quantity (`QUANTITIES`, the one table the README quotes): a missing,
unparsable, non-finite or out-of-range value is None in the reading fields, never 0 and never
a number no JSON encoder or browser can hold. Whole-number fields are rounded half up,
voltages/temperatures/frequencies/currents keep one decimal, and `runtimeRemaining` is
`battery.runtime` (seconds) / 60 rounded to whole minutes.

The detail groups show a number when it is one, and otherwise the raw text the UPS sent
(`upsDetails.load == "4.6e251"` while `load` is null), so a user can see what the driver said.
Every text that leaves this module is display-safe (`display_text`): control and bidi
characters escaped, at most `MAX_TEXT` characters.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

MAX_TEXT = 256  # characters of one text value shown; longer ones end in "…"
# Without a quantity a number must still be a JSON-safe integer for browsers (2^53).
_SAFE_NUMBER = 2.0**53


@dataclass(frozen=True)
class Quantity:
    """The physical range of one kind of reading (inclusive). Outside it a value is a driver
    bug (4.6e251 % load, 302 °C from a Kelvin value, 255 % charge), not a reading."""

    name: str
    unit: str
    low: float
    high: float
    note: str


CHARGE = Quantity("charge", "%", 0, 100, "battery charge and its thresholds")
VOLTAGE = Quantity(
    "voltage", "V", 0, 1500,
    "battery strings up to 1500 V DC (480 V and 800 V banks), mains up to 1000 V AC"
    " (3-phase line-to-line); the IEC low-voltage limits",
)  # fmt: skip
CURRENT = Quantity("current", "A", -10_000, 10_000, "signed: some drivers report charging < 0")
FREQUENCY = Quantity("frequency", "Hz", 0, 1000, "50/60 Hz mains, 400 Hz aircraft supplies")
LOAD = Quantity("load", "%", 0, 1000, "of the UPS's capacity; overloads report over 100")
POWER = Quantity("power", "W or VA", 0, 10_000_000, "real and apparent power, up to 10 MW")
RUNTIME = Quantity("runtime", "s", 0, 8_640_000, "battery runtime, up to 100 days")
TEMPERATURE = Quantity("temperature", "°C", -100, 150, "UPS and battery temperatures")
TIMER = Quantity(
    "timer", "s", -86_400, 31_536_000, "delays and timers; negative means not running (-1, -60)"
)
COUNT = Quantity("count", "", 0, 10_000, "battery packs and other counts")

QUANTITIES: tuple[Quantity, ...] = (
    CHARGE, VOLTAGE, CURRENT, FREQUENCY, LOAD, POWER, RUNTIME, TEMPERATURE, TIMER, COUNT,
)  # fmt: skip


@dataclass(frozen=True)
class Number:
    """A numeric variable: its quantity and the decimals it is shown with (0 or 1)."""

    quantity: Quantity
    decimals: int = 0


TEXT = None  # a text variable in the table below
Kind: TypeAlias = Number | None

# A plain decimal number: what NUT drivers send. Python's float() would also take "1_000",
# "infinity", "nan" and non-ASCII digits.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# C0/C1 control characters, line/paragraph separators and the bidi controls that can make
# text display as something else than it is.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def as_float(raw: str | None) -> float | None:
    """A NUT value as a finite number, or None (missing, text, `nan`, `inf`, overflow)."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if len(text) > 400 or not _NUMBER.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def physical(raw: str | None, quantity: Quantity | None) -> float | None:
    """The value when it is a number inside the quantity's range (±2^53 without one)."""
    value = as_float(raw)
    if value is None:
        return None
    if quantity is None:
        return value if -_SAFE_NUMBER <= value <= _SAFE_NUMBER else None
    return value if quantity.low <= value <= quantity.high else None


def _half_up(value: float, decimals: int) -> float | int:
    if decimals == 0:
        return math.floor(value + 0.5)
    return math.floor(value * 10 + 0.5) / 10


def as_int(raw: str | None, quantity: Quantity | None = None) -> int | None:
    """Whole number rounded half up ("99.5" → 100); bad/missing/out of range → None."""
    value = physical(raw, quantity)
    return None if value is None else int(_half_up(value, 0))


def as_dec1(raw: str | None, quantity: Quantity | None = None) -> float | None:
    """One decimal ("230.06" → 230.1); bad/missing/out of range → None."""
    value = physical(raw, quantity)
    return None if value is None else float(_half_up(value, 1))


def as_minutes(raw: str | None) -> int | None:
    """Runtime seconds → whole minutes; bad/missing/out of range → None."""
    value = physical(raw, RUNTIME)
    return None if value is None else int(_half_up(value / 60, 0))


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def display_text(raw: object) -> str | None:
    """Text safe to show anywhere: control and bidi characters escaped (`\\x1b`), at most
    `MAX_TEXT` characters (ending in "…"). Not a string → None."""
    if not isinstance(raw, str):
        return None
    if len(raw) <= MAX_TEXT and raw.isprintable():  # nearly every value: nothing to do
        return raw
    text = raw[: MAX_TEXT + 1]
    if _UNSAFE.search(text):
        text = _UNSAFE.sub(_escape, text)
    if len(text) > MAX_TEXT or len(raw) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "…"
    return text


def as_str(raw: str | None) -> str | None:
    """Text value, display-safe; empty → None."""
    if not isinstance(raw, str):
        return None
    return display_text(raw.strip()) or None


def _camel(suffix: str) -> str:
    head, *rest = suffix.split(".")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


# (group, ((NUT variable, kind), ...)); the key in the group is the camelCase of the variable
# without its first component ("battery.charge.low" → "chargeLow").
_GROUPS: tuple[tuple[str, tuple[tuple[str, Kind], ...]], ...] = (
    (
        "batteryDetails",
        (
            ("battery.charge", Number(CHARGE)),
            ("battery.charge.low", Number(CHARGE)),
            ("battery.charge.warning", Number(CHARGE)),
            ("battery.runtime", Number(RUNTIME)),
            ("battery.runtime.low", Number(RUNTIME)),
            ("battery.type", TEXT),
            ("battery.voltage", Number(VOLTAGE, 1)),
            ("battery.voltage.nominal", Number(VOLTAGE, 1)),
            ("battery.temperature", Number(TEMPERATURE, 1)),
            ("battery.charger.status", TEXT),
            ("battery.date", TEXT),
            ("battery.mfr.date", TEXT),
            ("battery.packs", Number(COUNT)),
            ("battery.packs.bad", Number(COUNT)),
        ),
    ),
    (
        "deviceDetails",
        (
            ("device.mfr", TEXT),
            ("device.model", TEXT),
            ("device.serial", TEXT),
            ("device.type", TEXT),
        ),
    ),
    (
        "driverDetails",
        (
            ("driver.name", TEXT),
            ("driver.version", TEXT),
            ("driver.version.data", TEXT),
            ("driver.version.internal", TEXT),
            ("driver.version.usb", TEXT),
            ("driver.state", TEXT),
        ),
    ),
    (
        "inputDetails",
        (
            ("input.voltage", Number(VOLTAGE, 1)),
            ("input.voltage.nominal", Number(VOLTAGE, 1)),
            ("input.frequency", Number(FREQUENCY, 1)),
            ("input.current", Number(CURRENT, 1)),
            ("input.transfer.low", Number(VOLTAGE, 1)),
            ("input.transfer.high", Number(VOLTAGE, 1)),
            ("input.transfer.reason", TEXT),
            ("input.sensitivity", TEXT),
        ),
    ),
    (
        "outputDetails",
        (
            ("output.voltage", Number(VOLTAGE, 1)),
            ("output.voltage.nominal", Number(VOLTAGE, 1)),
            ("output.frequency", Number(FREQUENCY, 1)),
            ("output.current", Number(CURRENT, 1)),
        ),
    ),
    (
        "upsDetails",
        (
            ("ups.status", TEXT),
            ("ups.alarm", TEXT),
            ("ups.id", TEXT),
            ("ups.load", Number(LOAD)),
            ("ups.temperature", Number(TEMPERATURE, 1)),
            ("ups.beeper.status", TEXT),
            ("ups.delay.shutdown", Number(TIMER)),
            ("ups.delay.start", Number(TIMER)),
            ("ups.timer.shutdown", Number(TIMER)),
            ("ups.timer.start", Number(TIMER)),
            ("ups.mfr", TEXT),
            ("ups.model", TEXT),
            ("ups.serial", TEXT),
            ("ups.firmware", TEXT),
            ("ups.productid", TEXT),
            ("ups.vendorid", TEXT),
            ("ups.mode", TEXT),
            ("ups.realpower", Number(POWER)),
            ("ups.realpower.nominal", Number(POWER)),
            ("ups.power", Number(POWER)),
            ("ups.power.nominal", Number(POWER)),
            ("ups.test.result", TEXT),
            ("ups.test.date", TEXT),
        ),
    ),
)

# Numeric variables read elsewhere (the Prometheus exposition) that no detail group shows.
_OTHER_NUMBERS: dict[str, Number] = {
    "output.frequency.nominal": Number(FREQUENCY, 1),
    "input.frequency.nominal": Number(FREQUENCY, 1),
    "output.realpower": Number(POWER),
    "output.power": Number(POWER),
    "ambient.temperature": Number(TEMPERATURE, 1),
    "battery.current": Number(CURRENT, 1),
}

# Every numeric variable PowerPulse interprets, with its quantity: the one lookup for ranges.
NUMERIC_VARIABLES: dict[str, Number] = {
    **_OTHER_NUMBERS,
    **{name: kind for _, entries in _GROUPS for name, kind in entries if kind is not None},
}


def reading(name: str, raw: str | None) -> float | None:
    """A numeric variable's value when it is physical for its quantity, unrounded."""
    kind = NUMERIC_VARIABLES.get(name)
    return physical(raw, kind.quantity if kind is not None else None)


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
            (name, _camel(name.split(".", 1)[1]), kind, is_public_variable(name))
            for name, kind in entries
        ),
    )
    for group, entries in _GROUPS
)
_PARAMETER = "driver.parameter."


def _number(raw: str | None, kind: Number) -> float | int | None:
    value = physical(raw, kind.quantity)
    if value is None:
        return None
    rounded = _half_up(value, kind.decimals)
    return int(rounded) if kind.decimals == 0 else float(rounded)


def _detail(raw: str | None, kind: Kind) -> Any:
    """A detail entry: the number, else the raw text (display-safe), else None."""
    if kind is None:
        return as_str(raw)
    value = _number(raw, kind)
    return value if value is not None else as_str(raw)


def _first(variables: Mapping[str, str], *names: str) -> str | None:
    for name in names:
        value = as_str(variables.get(name))
        if value is not None:
            return value
    return None


def ups_readings(variables: Mapping[str, str], *, public: bool = False) -> dict[str, Any]:
    """The seed's UPS fields from raw NUT variables.

    `public=True` (kiosk) leaves sensitive values out of the detail groups and drops the
    driver's parameters entirely. Otherwise the driver's parameters are served twice: nested
    (`driverDetails.parameters.port`) and flat as the first PowerPulse client reads them
    (`driverDetails.parameterPort`).
    """
    get = variables.get
    temperature = _number(get("ups.temperature"), Number(TEMPERATURE, 1))
    if temperature is None:
        temperature = _number(get("battery.temperature"), Number(TEMPERATURE, 1))
    result: dict[str, Any] = {
        "model": _first(variables, "device.model", "ups.model"),
        "batteryCharge": _number(get("battery.charge"), Number(CHARGE)),
        "batteryVoltage": _number(get("battery.voltage"), Number(VOLTAGE, 1)),
        "inputVoltage": _number(get("input.voltage"), Number(VOLTAGE, 1)),
        "outputVoltage": _number(get("output.voltage"), Number(VOLTAGE, 1)),
        "runtimeRemaining": as_minutes(get("battery.runtime")),
        "load": _number(get("ups.load"), Number(LOAD)),
        "temperature": temperature,
    }
    for group, entries in _KEYED_GROUPS:
        result[group] = {
            key: _detail(get(name), kind)
            for name, key, kind, shown in entries
            if shown or not public
        }
    if not public:
        driver = result["driverDetails"]
        parameters: dict[str, str | None] = {}
        for name, raw in variables.items():
            if name.startswith(_PARAMETER):
                value = as_str(raw)
                parameters[name[len(_PARAMETER) :]] = value
                driver.setdefault(_camel(name[len("driver.") :]), value)  # additive, flat
        driver["parameters"] = parameters
    return result
