"""The seed's shapes read the way the first PowerPulse's React client (1.10.1) reads them.

That client calls the legacy paths (`/api/ups/systems`, `/api/nut/servers`), keeps its own
`user.isAdmin`, reads flat `driverDetails.parameter…` keys, draws battery history for every
user from `/api/debug/battery-history/:id`, sends flags as 0/1, and shows `status` and the
readings as live. Run against the real api and poller with a real upsd, including the moment
the NUT server goes away: the client must then see "Unknown", never the old values as live.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support.nut_server import NutServer
from tests.support.stack import Stack, running_stack

ENV = {"POLL_INTERVAL": "0.5"}
UPS_VARS = {
    "ups.status": "OB DISCHRG",
    "battery.charge": "92",
    "battery.charge.low": "10",
    "battery.charge.warning": "50",
    "battery.mfr.date": "2021/03/04",
    "battery.runtime": "1830",
    "battery.runtime.low": "120",
    "battery.type": "PbAc",
    "battery.voltage": "26.9",
    "battery.voltage.nominal": "24.0",
    "device.mfr": "APC",
    "device.model": "Back-UPS RS 1500",
    "ups.model": "Back-UPS RS 1500",  # dummy-ups copies ups.model over device.model
    "device.serial": "3B1234X56789",
    "device.type": "ups",
    "input.voltage": "0.0",
    "input.voltage.nominal": "230",
    "output.voltage": "229.6",
    "ups.load": "31",
    "ups.beeper.status": "enabled",
    "ups.test.result": "No test initiated",
}
# The Driver Details rows of that client's UPS Systems page.
DRIVER_ROWS = ("name", "version", "versionInternal", "parameterPort", "parameterPollinterval")


def until(read: Callable[[], Any], check: Callable[[Any], bool], timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if check(value):
            return value
        assert time.monotonic() < deadline, f"not reached in time: {value!r}"
        time.sleep(0.2)


def login(stack: Stack, username: str, password: str) -> dict[str, Any]:
    status, body = stack.request(
        "POST", "/api/auth/login", {"username": username, "password": password}
    )
    assert status == 200, body
    return body


def test_the_first_clients_reads_work_and_never_show_old_data_as_live(
    tmp_path: Path, nut_factory: Callable[..., NutServer]
) -> None:
    nut = nut_factory({"ups1": UPS_VARS})
    with running_stack(tmp_path / "data", env=ENV) as stack:
        assert stack.request("GET", "/api/auth/check-setup")[1] == {"isFirstTimeSetup": True}
        admin_token = stack.setup_admin(nut.host, nut.port)
        admin = login(stack, "admin", "admin-pass-1")
        assert admin["user"]["isAdmin"] is True and admin["user"]["role"] == "admin"
        status, created = stack.request(
            "POST",
            "/api/auth/register",
            {"username": "helpdesk", "email": "hd@example.com", "password": "helpdesk-pass-1"},
            token=admin_token,
        )
        assert status in (200, 201) and created["user"]["isAdmin"] is False
        member = login(stack, "helpdesk", "helpdesk-pass-1")
        token = member["token"]
        assert member["user"]["isAdmin"] is False
        assert stack.request("GET", "/api/auth/me", token=token)[1]["isAdmin"] is False

        def systems() -> list[dict[str, Any]]:
            return stack.request("GET", "/api/ups/systems", token=token)[1]

        [ups] = until(systems, lambda body: body and body[0]["status"] == "On Battery")
        assert (ups["batteryCharge"], ups["runtimeRemaining"], ups["load"]) == (92, 31, 31)
        assert (ups["batteryVoltage"], ups["inputVoltage"], ups["outputVoltage"]) == (
            26.9,
            0.0,
            229.6,
        )
        assert ups["model"] == "Back-UPS RS 1500"
        battery = ups["batteryDetails"]
        assert (battery["charge"], battery["chargeLow"], battery["runtimeLow"]) == (92, 10, 120)
        assert (battery["mfrDate"], battery["type"], battery["voltageNominal"]) == (
            "2021/03/04",
            "PbAc",
            24.0,
        )
        assert ups["deviceDetails"]["mfr"] == "APC"
        assert ups["upsDetails"]["beeperStatus"] == "enabled"
        driver = ups["driverDetails"]
        assert all(driver.get(row) not in (None, "") for row in DRIVER_ROWS), driver
        assert driver["parameterPort"] == driver["parameters"]["port"]
        assert driver["name"] == "dummy-ups"

        [kiosk] = stack.request("GET", "/api/ups/systems/kiosk")[1]
        assert (kiosk["status"], kiosk["batteryCharge"]) == ("On Battery", 92)
        assert "3B1234X56789" not in str(kiosk)

        ups_id = ups["id"]
        status, _ = stack.request(
            "PUT", f"/api/ups/systems/{ups_id}/nickname", {"nickname": "Rack B"}, token=token
        )
        assert status == 200
        assert systems()[0]["displayName"] == "Rack B"

        # Battery history: recorded by an admin, read by everyone (the client's chart).
        status, _ = stack.request(
            "POST", f"/api/debug/record-battery/{ups_id}/88", token=admin_token
        )
        assert status in (200, 201)
        status, history = stack.request(
            "GET", f"/api/debug/battery-history/{ups_id}?days=3", token=token
        )
        assert status == 200
        assert any(row["charge_percent"] == 88 and row["ups_id"] == ups_id for row in history)
        assert all(row["timestamp"].endswith("Z") for row in history)

        # Settings as that client sends them: numbers 0/1, read back as 0/1.
        status, _ = stack.request(
            "POST",
            "/api/user-settings",
            {"notifications_enabled": 0, "email_notifications": 1, "email_recipients": "a@b.co"},
            token=token,
        )
        assert status == 200
        settings = stack.request("GET", "/api/user-settings", token=token)[1]
        assert (settings["notifications_enabled"], settings["email_notifications"]) == (0, 1)

        [server] = stack.request("GET", "/api/nut/servers", token=admin_token)[1]
        assert (server["host"], server["port"]) == (nut.host, nut.port)
        assert "password" not in server

        # The NUT server goes away: "Unknown" and empty readings, as the original answered,
        # with the last known state beside them for clients that know to look.
        nut.stop_upsd()
        [gone] = until(systems, lambda body: body[0]["status"] == "Unknown")
        assert all(
            gone[key] is None
            for key in ("batteryCharge", "runtimeRemaining", "load", "batteryVoltage")
        )
        assert gone["reachable"] is False
        assert (gone["lastKnown"]["status"], gone["lastKnown"]["batteryCharge"]) == (
            "On Battery",
            92,
        )
        [kiosk] = stack.request("GET", "/api/ups/systems/kiosk")[1]
        assert (kiosk["status"], kiosk["batteryCharge"]) == ("Unknown", None)
