"""NUT variables → the seed's UPS fields (missing is None, never 0)."""

from __future__ import annotations

import math

import orjson
import pytest

from powerpulse.nut.client import decode_line, decode_lines
from powerpulse.nut.variables import (
    MAX_TEXT,
    NUMERIC_VARIABLES,
    QUANTITIES,
    as_dec1,
    as_float,
    as_int,
    display_text,
    is_public_variable,
    public_variables,
    reading,
    ups_readings,
)
from powerpulse.prometheus import READINGS

FULL = {
    "battery.charge": "99.5",
    "battery.charge.low": "20",
    "battery.runtime": "1830",
    "battery.runtime.low": "120",
    "battery.voltage": "27.34",
    "battery.voltage.nominal": "24",
    "battery.type": "PbAc",
    "battery.mfr.date": "2021/03/01",
    "device.mfr": "APC",
    "device.model": "Smart-UPS 1500",
    "device.serial": "AS1234567890",
    "device.type": "ups",
    "driver.name": "usbhid-ups",
    "driver.version": "2.8.0",
    "driver.parameter.port": "/dev/usb/hiddev0",
    "driver.parameter.pollinterval": "2",
    "input.voltage": "230.06",
    "input.voltage.nominal": "230",
    "input.frequency": "50.0",
    "input.transfer.low": "170",
    "input.transfer.high": "280",
    "output.voltage": "229.95",
    "ups.load": "30.4",
    "ups.model": "SMT1500",
    "ups.serial": "AS1234567890",
    "ups.vendorid": "051d",
    "ups.productid": "0003",
    "ups.status": "OL CHRG",
    "ups.temperature": "25.54",
    "ups.beeper.status": "enabled",
}


def test_headline_fields() -> None:
    r = ups_readings(FULL)
    assert r["model"] == "Smart-UPS 1500"
    assert r["batteryCharge"] == 100
    assert r["batteryVoltage"] == 27.3
    assert r["inputVoltage"] == 230.1
    assert r["outputVoltage"] == 230.0
    assert r["runtimeRemaining"] == 31  # 1830 s = 30.5 min → 31
    assert r["load"] == 30
    assert r["temperature"] == 25.5


def test_detail_groups_use_camel_case_keys() -> None:
    r = ups_readings(FULL)
    battery = r["batteryDetails"]
    assert battery["charge"] == 100
    assert battery["chargeLow"] == 20
    assert battery["runtime"] == 1830
    assert battery["runtimeLow"] == 120
    assert battery["type"] == "PbAc"
    assert battery["voltageNominal"] == 24.0
    assert battery["mfrDate"] == "2021/03/01"
    assert r["deviceDetails"] == {
        "mfr": "APC",
        "model": "Smart-UPS 1500",
        "serial": "AS1234567890",
        "type": "ups",
    }
    assert r["driverDetails"]["name"] == "usbhid-ups"
    assert r["driverDetails"]["parameters"] == {"port": "/dev/usb/hiddev0", "pollinterval": "2"}
    inp = r["inputDetails"]
    assert (inp["voltage"], inp["voltageNominal"], inp["frequency"]) == (230.1, 230.0, 50.0)
    assert (inp["transferLow"], inp["transferHigh"]) == (170.0, 280.0)
    assert r["outputDetails"]["voltage"] == 230.0
    ups = r["upsDetails"]
    assert ups["status"] == "OL CHRG"
    assert ups["load"] == 30
    assert ups["beeperStatus"] == "enabled"
    assert ups["vendorid"] == "051d"


def test_missing_and_bad_values_are_none_never_zero() -> None:
    r = ups_readings({"battery.charge": "n/a", "ups.load": "", "battery.runtime": "nan"})
    for key in (
        "model",
        "batteryCharge",
        "batteryVoltage",
        "inputVoltage",
        "outputVoltage",
        "runtimeRemaining",
        "load",
        "temperature",
    ):
        assert r[key] is None, key
    # The detail group says what the UPS sent instead of a number; missing stays None.
    assert r["batteryDetails"]["charge"] == "n/a"
    assert r["batteryDetails"]["runtime"] == "nan"
    assert r["upsDetails"]["load"] is None
    assert r["deviceDetails"]["model"] is None
    assert r["driverDetails"]["parameters"] == {}
    empty = ups_readings({})
    assert set(empty) >= {"batteryDetails", "upsDetails", "outputDetails"}


def test_zero_stays_zero() -> None:
    r = ups_readings({"battery.charge": "0", "ups.load": "0", "battery.runtime": "0"})
    assert (r["batteryCharge"], r["load"], r["runtimeRemaining"]) == (0, 0, 0)


def test_model_and_temperature_fallbacks() -> None:
    r = ups_readings({"ups.model": "Back-UPS", "battery.temperature": "31.26"})
    assert r["model"] == "Back-UPS"
    assert r["temperature"] == 31.3
    r = ups_readings({"device.model": "  ", "ups.model": "Eaton 5P"})
    assert r["model"] == "Eaton 5P"


def test_number_parsers() -> None:
    assert as_int("12.5") == 13
    assert as_int(" 7 ") == 7
    assert as_int("inf") is None
    assert as_dec1("230.05") == 230.1
    assert as_dec1("-5.25") == -5.2
    assert as_dec1(None) is None


def test_public_variables_hide_serials_ports_and_ids() -> None:
    hidden = [
        "device.serial",
        "ups.serial",
        "ups.vendorid",
        "ups.productid",
        "driver.parameter.port",
        "driver.parameter.community",
        "driver.flag.ignorelb",
        "device.macaddr",
    ]
    for name in hidden:
        assert not is_public_variable(name), name
    for name in ("ups.status", "battery.charge", "device.model", "driver.name"):
        assert is_public_variable(name), name
    public = public_variables(FULL)
    assert "device.serial" not in public and "driver.parameter.port" not in public
    assert public["ups.status"] == "OL CHRG"


def test_public_readings_leave_sensitive_details_out() -> None:
    r = ups_readings(FULL, public=True)
    assert "serial" not in r["deviceDetails"]
    assert "serial" not in r["upsDetails"] and "vendorid" not in r["upsDetails"]
    assert "parameters" not in r["driverDetails"]
    assert r["batteryCharge"] == 100
    assert "AS1234567890" not in repr(r) and "hiddev" not in repr(r)


HEADLINE = (
    "batteryCharge",
    "batteryVoltage",
    "inputVoltage",
    "outputVoltage",
    "runtimeRemaining",
    "load",
    "temperature",
)
ABSURD = {
    "battery.charge": "1" + "0" * 30,
    "battery.voltage": "nan",
    "input.voltage": "-230",
    "output.voltage": "inf",
    "battery.runtime": "99999999999999999999",
    "ups.load": "4.6e251",
    "ups.temperature": "302.0",  # a Kelvin value
    "battery.temperature": "-273",
    "ups.delay.shutdown": "1e300",
    "ups.realpower": "-5",
    "battery.packs": "1e19",
}


def test_absurd_readings_are_null_and_the_details_keep_the_raw_text() -> None:
    r = ups_readings(ABSURD)
    for key in HEADLINE:
        assert r[key] is None, key
    assert r["upsDetails"]["load"] == "4.6e251"
    assert r["batteryDetails"]["charge"] == ABSURD["battery.charge"]
    assert r["batteryDetails"]["runtime"] == "99999999999999999999"
    assert r["inputDetails"]["voltage"] == "-230"
    assert r["outputDetails"]["voltage"] == "inf"
    assert r["upsDetails"]["temperature"] == "302.0"
    assert r["upsDetails"]["delayShutdown"] == "1e300"
    assert r["batteryDetails"]["packs"] == "1e19"
    orjson.dumps(r)  # the whole object encodes: no integer beyond 64 bits anywhere


def test_physical_edges_are_kept() -> None:
    r = ups_readings(
        {
            "battery.charge": "100",
            "battery.voltage": "480.0",  # a 480 V DC battery string
            "input.voltage": "415.2",  # 3-phase line-to-line
            "output.voltage": "0",
            "battery.runtime": "172800",  # two days on a big battery bank
            "ups.load": "150",  # overload
            "ups.temperature": "-40",
            "ups.timer.shutdown": "-1",  # not running
            "ups.delay.start": "-60",
        }
    )
    assert r["batteryCharge"] == 100 and r["batteryVoltage"] == 480.0
    assert r["inputVoltage"] == 415.2 and r["outputVoltage"] == 0.0
    assert r["runtimeRemaining"] == 2880 and r["load"] == 150 and r["temperature"] == -40.0
    assert r["upsDetails"]["timerShutdown"] == -1 and r["upsDetails"]["delayStart"] == -60
    assert ups_readings({"battery.charge": "100.6"})["batteryCharge"] is None


def test_strict_numbers_only() -> None:
    for text in ("1_000", "infinity", "NaN", "0x10", "\u0661\u0662", "12 V", "", "  ", "1e400"):
        assert as_float(text) is None, text
    assert as_float(" 063.0 ") == 63.0 and as_float("+5") == 5.0 and as_float(".5") == 0.5
    assert as_float(42) is None  # type: ignore[arg-type]  # not text: never crash


def test_the_range_table_covers_every_number_shown_or_exported() -> None:
    names = {q.name for q in QUANTITIES}
    assert names == {
        "charge", "voltage", "current", "frequency", "load", "power", "runtime",
        "temperature", "timer", "count",
    }  # fmt: skip
    for quantity in QUANTITIES:  # every physical value is a JSON-safe integer or float
        assert quantity.low < quantity.high and max(abs(quantity.low), quantity.high) < 2**53
    for _, variable, _ in READINGS:
        assert variable in NUMERIC_VARIABLES, variable
    assert reading("ups.load", "4.6e251") is None and reading("ups.load", "23.5") == 23.5
    assert reading("battery.voltage", "829") == 829.0


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Caf\xe9", "Caf\xe9"),
        ("red\x1b[31m bell\x07", "red\\x1b[31m bell\\x07"),
        ("tab\there", "tab\\x09here"),
        ("line\nbreak\r", "line\\x0abreak\\x0d"),
        ("c1 \x85 \x9b", "c1 \\x85 \\x9b"),
        ("bidi \u202e evil", "bidi \\u202e evil"),
        ("Eaton 5P 650 \u2013 ok", "Eaton 5P 650 \u2013 ok"),
    ],
)
def test_text_is_escaped_for_display(raw: str, shown: str) -> None:
    assert display_text(raw) == shown
    assert ups_readings({"ups.mfr": raw})["upsDetails"]["mfr"] == display_text(raw.strip())


def test_long_text_is_capped_with_an_ellipsis() -> None:
    r = ups_readings({"ups.id": "x" * 5000, "device.model": "\x01" * 300})
    assert r["upsDetails"]["id"] == "x" * (MAX_TEXT - 1) + "…"
    assert len(r["model"]) == MAX_TEXT and r["model"].endswith("…")
    assert display_text("y" * MAX_TEXT) == "y" * MAX_TEXT  # exactly the cap: unchanged
    assert display_text(None) is None


def test_flat_driver_parameters_for_the_first_powerpulse_client() -> None:
    """The 1.x client reads `driverDetails.parameterPort` etc.; the nested form stays."""
    variables = {
        **FULL,
        "driver.parameter.pollfreq": "30",
        "driver.parameter.productid": "0002",
        "driver.parameter.serial": "AS123",
        "driver.parameter.synchronous": "auto",
        "driver.parameter.vendorid": "051d",
        "driver.parameter.usb_set_altinterface": "",
    }
    driver = ups_readings(variables)["driverDetails"]
    flat = {
        "parameterPollfreq": "30",
        "parameterPollinterval": "2",
        "parameterPort": "/dev/usb/hiddev0",
        "parameterProductid": "0002",
        "parameterSerial": "AS123",
        "parameterSynchronous": "auto",
        "parameterVendorid": "051d",
    }
    for key, value in flat.items():
        assert driver[key] == value, key
        assert driver["parameters"][key[len("parameter") :].lower()] == value
    assert driver["name"] == "usbhid-ups" and driver["version"] == "2.8.0"
    public = ups_readings(variables, public=True)["driverDetails"]
    assert not any(key.startswith("parameter") for key in public)


def test_decoding_falls_back_to_latin1_per_line() -> None:
    assert decode_line(b'VAR u ups.mfr "Caf\xc3\xa9"\n') == 'VAR u ups.mfr "Caf\xe9"\n'
    assert decode_line(b'VAR u ups.mfr "Caf\xe9"\n') == 'VAR u ups.mfr "Caf\xe9"\n'
    block = b'VAR u a "\xc3\xa9t\xc3\xa9"\nVAR u b "Caf\xe9"\nEND LIST VAR u\n'
    assert decode_lines(block) == ['VAR u a "\xe9t\xe9"', 'VAR u b "Caf\xe9"', "END LIST VAR u", ""]


def test_rounding_is_half_up() -> None:
    assert as_int("0.5") == 1 and as_int("1.49") == 1 and as_int("-0.5") == 0
    assert as_dec1("230.05") == 230.1 and as_dec1("229.94") == 229.9
    assert math.isclose(as_dec1("0.15") or 0, 0.2)
