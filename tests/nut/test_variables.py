"""NUT variables → the seed's UPS fields (missing is None, never 0)."""

from __future__ import annotations

from powerpulse.nut.variables import (
    as_dec1,
    as_int,
    is_public_variable,
    public_variables,
    ups_readings,
)

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
    assert r["batteryDetails"]["charge"] is None
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
