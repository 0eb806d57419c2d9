"""A UPS reporting absurd, huge, non-finite, Latin-1, control-character and 5,000-character
values, next to a normal UPS on the same real upsd, through the real poller and API.

Every answer stays 200 (the list used to be a 500 for everyone: `ups.load` 4.6e251 became an
integer orjson cannot encode), the normal UPS is exactly as before, and the absurd one shows
null readings with the raw text in its details and every text display-safe.

upsd 2.8 drops bytes above 0x7f and most control characters from `.dev` values and cuts them
at 128 bytes, so what it serves of those lines is compared with what it really serves; a
proxy in front of it then replaces marker values with Latin-1, UTF-8, control characters and
5,000 characters, as other servers (older or patched upsd, NUT-compatible appliances) send.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from powerpulse.nut.variables import MAX_TEXT, display_text
from tests.hardware.devices import DevFileServer, RewritingProxy, served_variables
from tests.hardware.views import (
    get_json,
    metric,
    metric_labels,
    scrape,
    stream_snapshots,
    wait_live,
)
from tests.support.nut_server import DEFAULT_VARS
from tests.support.stack import Stack

pytestmark = pytest.mark.slow

LONG = b"L" * 5000
ABSURD_DEV = b"".join(
    [
        b"ups.status: OL\n",
        b"battery.charge: 1" + b"0" * 30 + b"\n",  # 10^30 %
        b"battery.runtime: 99999999999999999999\n",  # beyond 64 bits
        b"ups.load: 4.6e251\n",  # what an old APC driver reports
        b"battery.voltage: nan\n",
        b"input.voltage: -230\n",
        b"output.voltage: inf\n",
        b"ups.temperature: -inf\n",
        b"battery.temperature: 302.0\n",  # a Kelvin value
        b"ups.mfr: Caf\xe9\n",  # Latin-1 in the file
        b"ups.beeper.status: en\x7fab\x1bled\n",  # control characters in the file
        b"ups.test.result: " + b"T" * 5000 + b"\n",  # 5,000 characters in the file
        b"ups.model: MARK-CONTROL\n",
        b"battery.type: MARK-LATIN1\n",
        b"ups.firmware: MARK-UTF8\n",
        b"ups.id: MARK-LONG\n",
    ]
)
# What the proxy makes of the markers (each inside one quoted value of one reply line).
REWRITES = {
    b"MARK-CONTROL": b"Smart\x1b[31mUPS\x07 \xe2\x80\xae",
    b"MARK-LATIN1": b"Soci\xe9t\xe9 G\xe9n\xe9rale",
    b"MARK-UTF8": b"Caf\xc3\xa9 \xe2\x80\x93 v1",
    b"MARK-LONG": LONG,
}
NORMAL_DEV = "".join(f"{k}: {v}\n" for k, v in DEFAULT_VARS.items()).encode()
NORMAL = {
    "status": "Online",
    "model": "Smart-UPS 1500",
    "batteryCharge": 100,
    "batteryVoltage": 27.3,
    "inputVoltage": 230.1,
    "outputVoltage": 230.0,
    "runtimeRemaining": 30,
    "load": 30,
    "temperature": 25.5,
    "error": None,
    "displayName": "normal",
}
NORMAL_METRICS = {
    "battery_charge_percent": 100,
    "battery_runtime_seconds": 1800,
    "battery_voltage_volts": 27.3,
    "input_voltage_volts": 230.1,
    "output_voltage_volts": 230.0,
    "load_percent": 30,
    "temperature_celsius": 25.5,
}
HEADLINE = (
    "batteryCharge",
    "batteryVoltage",
    "inputVoltage",
    "outputVoltage",
    "runtimeRemaining",
    "load",
    "temperature",
)


@pytest.fixture
def upsd(dev_server: Callable[..., DevFileServer]) -> Iterator[RewritingProxy]:
    nut = dev_server({"normal": NORMAL_DEV, "absurd": ABSURD_DEV})
    proxy = RewritingProxy((nut.host, nut.port), REWRITES).start()
    yield proxy
    proxy.close()


def _check_absurd(row: dict[str, Any], served: dict[str, str], *, public: bool) -> None:
    for field in HEADLINE:
        assert row[field] is None, (field, row[field])
    assert row["status"] == "Online" and row["error"] is None
    assert row["upsDetails"]["load"] == "4.6e251"
    assert row["batteryDetails"]["charge"] == "1" + "0" * 30
    assert row["batteryDetails"]["runtime"] == "99999999999999999999"
    assert row["batteryDetails"]["voltage"] == "nan"
    assert row["inputDetails"]["voltage"] == "-230"
    assert row["outputDetails"]["voltage"] == "inf"
    assert row["upsDetails"]["temperature"] == "-inf"
    assert row["batteryDetails"]["temperature"] == "302.0"
    # Through the proxy: Latin-1 and UTF-8 in the same reply, each line decoded on its own.
    assert row["batteryDetails"]["type"] == "Soci\xe9t\xe9 G\xe9n\xe9rale"
    assert row["upsDetails"]["firmware"] == "Caf\xe9 \u2013 v1"
    assert row["model"] == "Smart\\x1b[31mUPS\\x07 \\u202e"
    assert row["displayName"] == "L" * (MAX_TEXT - 1) + "…"
    assert row["upsDetails"]["id"] == "L" * (MAX_TEXT - 1) + "…"
    # What upsd made of the file's own Latin-1, control characters and long value.
    assert row["upsDetails"]["mfr"] == display_text(served["ups.mfr"])
    assert row["upsDetails"]["beeperStatus"] == display_text(served["ups.beeper.status"])
    assert "\\x7f" in row["upsDetails"]["beeperStatus"]  # upsd passes DEL through
    assert row["upsDetails"]["testResult"] == display_text(served["ups.test.result"])
    assert ("driverDetails" in row) is not public


def _check_normal(row: dict[str, Any]) -> None:
    assert {k: row[k] for k in NORMAL} == NORMAL, f"{row}"


def test_absurd_values_never_break_an_answer_and_leave_the_other_ups_alone(
    tmp_path: Path, upsd: RewritingProxy
) -> None:
    served = served_variables(upsd.host, upsd.port, "absurd")
    # What reaches PowerPulse: the proxy's texts, and upsd's version of the file's lines.
    assert served["battery.type"] == "Soci\xe9t\xe9 G\xe9n\xe9rale"
    assert served["ups.id"] == LONG.decode()
    assert served["ups.load"] == "4.6e251"
    with Stack(tmp_path / "data", env={"POLL_INTERVAL": "0.5"}) as stack:
        stack.start_api()
        token = stack.setup_admin(upsd.host, upsd.port)
        stack.start_poller()
        rows = {row["upsName"]: row for row in wait_live(stack, token, ["normal", "absurd"])}
        _check_normal(rows["normal"])
        _check_absurd(rows["absurd"], served, public=False)

        for name in ("normal", "absurd"):
            detail = get_json(stack, f"/api/ups-systems/{rows[name]['id']}", token)
            if name == "normal":
                _check_normal(detail)
            else:
                _check_absurd(detail, served, public=False)

        kiosk = {row["upsName"]: row for row in get_json(stack, "/api/ups-systems/kiosk")}
        _check_normal(kiosk["normal"])
        _check_absurd(kiosk["absurd"], served, public=True)

        full, public = stream_snapshots(stack, token, ["normal", "absurd"])
        for snapshot, is_public in ((full, False), (public, True)):
            streamed = {row["upsName"]: row for row in snapshot}
            _check_normal(streamed["normal"])
            _check_absurd(streamed["absurd"], served, public=is_public)

        samples = scrape(stack)
        normal, absurd = rows["normal"]["id"], rows["absurd"]["id"]
        for name, value in NORMAL_METRICS.items():
            assert metric(samples, normal, f"ups_{name}") == value, name
        assert metric(samples, absurd, "ups_up") == 1
        readings = [k for k in samples if k[0] == str(absurd) and k[1].endswith(
            ("_percent", "_volts", "_seconds", "_celsius", "_hertz", "_watts", "_amperes")
        ) and "last_success" not in k[1]]  # fmt: skip
        assert readings == [], readings  # none of its readings is physical
        info = metric_labels(samples, absurd, "ups_info") or {}
        assert info["model"] == "Smart\\x1b[31mUPS\\x07 \\u202e"
        assert info["name"] == "L" * (MAX_TEXT - 1) + "…"

        for log in (stack.log("api"), stack.log("poller")):
            assert "Traceback" not in log, log[-3000:]
