"""The units table (`powerpulse.nut.units`): kinds by name, and what is read from raw values."""

from __future__ import annotations

import pytest

from powerpulse.nut import units
from powerpulse.nut.variables import (
    CHARGE,
    CURRENT,
    FREQUENCY,
    LOAD,
    NUMERIC_VARIABLES,
    POWER,
    RUNTIME,
    TEMPERATURE,
    TIMER,
    VOLTAGE,
)

KINDS = {
    "battery.runtime": "duration",
    "battery.runtime.low": "duration",
    "ups.delay.shutdown": "duration",
    "ups.timer.start": "duration",
    "outlet.2.delay.start": "duration",
    "driver.parameter.pollinterval": "duration",
    "battery.date": "date",
    "battery.mfr.date": "date",
    "ups.mfr.date": "date",
    "input.voltage": "voltage",
    "battery.voltage.nominal": "voltage",
    "input.L1-N.voltage": "voltage",
    "input.transfer.low": "voltage",
    "input.transfer.boost.high": "voltage",
    "output.current": "current",
    "outlet.1.current": "current",
    "input.frequency": "frequency",
    "output.frequency.nominal": "frequency",
    "ups.realpower": "power_w",
    "ups.realpower.nominal": "power_w",
    "ups.power": "power_va",
    "output.L2.power": "power_va",
    "ups.temperature": "temperature",
    "ambient.temperature.high": "temperature",
    "battery.charge": "percent",
    "battery.charge.low": "percent",
    "ups.load": "percent",
    "ambient.humidity": "percent",
    "ups.beeper.status": "boolean",
    "ups.start.auto": "boolean",
    "outlet.3.switchable": "boolean",
    "driver.flag.ignorelb": "boolean",
    "battery.charger.status": "text",
    "ups.status": "text",
    "device.model": "text",
    "battery.type": "text",
    "driver.parameter.port": "text",
    "ups.test.result": "text",
}


@pytest.mark.parametrize(("name", "kind"), KINDS.items())
def test_kind_of(name: str, kind: str) -> None:
    assert units.kind_of(name) == kind


def test_every_kind_has_a_unit() -> None:
    assert set(units.UNITS) == set(units.Kind.__args__)  # type: ignore[attr-defined]
    assert units.UNITS["voltage"] == "V" and units.UNITS["duration"] == "s"
    assert units.UNITS["power_va"] == "VA" and units.UNITS["temperature"] == "°C"


_BY_QUANTITY = {
    CHARGE: {"percent"},
    LOAD: {"percent"},
    VOLTAGE: {"voltage"},
    CURRENT: {"current"},
    FREQUENCY: {"frequency"},
    POWER: {"power_w", "power_va"},
    RUNTIME: {"duration"},
    TIMER: {"duration"},
    TEMPERATURE: {"temperature"},
}


@pytest.mark.parametrize("name", sorted(NUMERIC_VARIABLES))
def test_agrees_with_the_quantities_of_nut_variables(name: str) -> None:
    """The ranges table and the units table never disagree about a variable."""
    quantity = NUMERIC_VARIABLES[name].quantity
    assert units.kind_of(name) in _BY_QUANTITY.get(quantity, {"text"})


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2019/05/14", "2019-05-14"),
        ("05/14/19", "2019-05-14"),
        ("05/14/2019", "2019-05-14"),
        ("2019-05-14", "2019-05-14"),
        ("14.05.2019", "2019-05-14"),
        ("14/05/2019", "2019-05-14"),  # 14 cannot be a month
        ("20190514", "2019-05-14"),
        (" 2001/09/01 ", "2001-09-01"),
        ("12/31/99", "1999-12-31"),
        ("02/30/19", None),
        ("00/00/00", None),
        ("0000/00/00", None),
        ("9999-99-99", None),
        ("not set", None),
        ("", None),
        ("2019-05-14T10:00", None),
        ("1" * 500, None),
        ("2019/05-14", None),
    ],
)
def test_parse_date(raw: str, iso: str | None) -> None:
    assert units.parse_date(raw) == iso


@pytest.mark.parametrize(
    ("raw", "flag"),
    [
        ("enabled", "enabled"),
        ("Disabled", "disabled"),
        ("yes", "yes"),
        ("N", "no"),
        ("true", "yes"),
        ("off", "off"),
        ("muted", None),
        ("", None),
        ("2", None),
    ],
)
def test_parse_flag(raw: str, flag: str | None) -> None:
    assert units.parse_flag(raw) == flag


def test_shown_reads_numbers_inside_their_range_only() -> None:
    assert units.shown("battery.runtime", "440") == {
        "name": "battery.runtime",
        "value": "440",
        "kind": "duration",
        "unit": "s",
        "number": 440,
        "date": None,
        "flag": None,
    }
    assert units.shown("input.voltage", "230.4")["number"] == 230.4
    assert units.shown("input.L1.voltage", "4.6e251")["number"] is None  # by kind
    assert units.shown("battery.charge", "255")["number"] is None  # charge: 0..100
    assert units.shown("ups.load", "150")["number"] == 150  # overload
    assert units.shown("ups.delay.shutdown", "-1")["number"] is None  # not running
    for raw in ("NaN", "inf", "", "1_000", "٣", " ", "0x10"):
        assert units.shown("output.voltage", raw)["number"] is None
    garbage = units.shown("battery.date", "garbage\x1b[2J")
    assert garbage["date"] is None and garbage["value"] == "garbage\\x1b[2J"
    assert units.shown("battery.mfr.date", "2019/05/14")["date"] == "2019-05-14"
    assert units.shown("ups.beeper.status", "enabled")["flag"] == "enabled"
    assert units.shown("device.model", "Smart-UPS")["number"] is None
    assert units.shown("device.model", None)["value"] == ""  # type: ignore[arg-type]
