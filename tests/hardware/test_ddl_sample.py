"""Every real device dump of the sample, served by one real upsd, read by the real poller and API.

`../shared/reference/nut-ddl-sample/` holds 80 dumps from the NUT Devices Dumps Library (48
drivers; the library has ~700). Each `.dev` file is served as it is by its own dummy-ups; the
checks compare PowerPulse with what upsd actually serves (read on this test's own socket),
never with the files or with a list of expected values: they hold for any dump.

For every device: it is listed live; each headline reading is what upsd serves, rounded as
documented, or null when it is not a physical value of its quantity; the raw text is in the
detail group instead; the model is `device.model` else `ups.model`; the detail, the kiosk,
both live streams and `/metrics` (read with prometheus_client's parser) show it too.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from powerpulse.nut.status import classify, parse_status
from powerpulse.nut.variables import NUMERIC_VARIABLES, display_text
from powerpulse.prometheus import READINGS
from tests.hardware.devices import (
    DDL_SAMPLE,
    DevFileServer,
    check_reading,
    copy_dumps,
    dump_names,
    exact,
    expected_model,
    expected_readings,
    served_variables,
)
from tests.hardware.views import (
    get_json,
    metric,
    metric_labels,
    scrape,
    stream_snapshots,
    wait_live,
)
from tests.support.stack import Stack

pytestmark = pytest.mark.slow

HEADLINE = (
    "batteryCharge",
    "batteryVoltage",
    "inputVoltage",
    "outputVoltage",
    "runtimeRemaining",
    "load",
    "temperature",
)
# Detail entries behind the headline fields: (group, key, NUT variable).
DETAILS = (
    ("batteryDetails", "charge", "battery.charge"),
    ("batteryDetails", "runtime", "battery.runtime"),
    ("batteryDetails", "voltage", "battery.voltage"),
    ("batteryDetails", "temperature", "battery.temperature"),
    ("inputDetails", "voltage", "input.voltage"),
    ("outputDetails", "voltage", "output.voltage"),
    ("upsDetails", "load", "ups.load"),
    ("upsDetails", "temperature", "ups.temperature"),
)


def _problems_of(row: dict[str, Any], served: dict[str, str]) -> list[str]:
    """Everything wrong with one listed UPS, compared with what upsd serves for it."""
    problems = []
    want = expected_readings(served)
    for field in HEADLINE:
        wrong = check_reading(field, row.get(field), want[field])
        if wrong:
            problems.append(wrong)
    for group, key, variable in DETAILS:
        raw, shown = served.get(variable), row[group].get(key)
        quantity = NUMERIC_VARIABLES[variable].quantity
        if raw is None or not raw.strip():
            if shown is not None:
                problems.append(f"{group}.{key}: {shown!r} but upsd serves no {variable}")
        elif exact(raw, quantity) is None:
            if shown != display_text(raw.strip()):
                problems.append(f"{group}.{key}: {shown!r}, expected the raw text {raw!r}")
        elif not isinstance(shown, int | float) or abs(Decimal(repr(shown)) - Decimal(raw)) > 1:
            problems.append(f"{group}.{key}: {shown!r}, upsd serves {raw!r}")
    if row.get("model") != expected_model(served):
        problems.append(f"model: {row.get('model')!r}, expected {expected_model(served)!r}")
    power = classify(parse_status(served.get("ups.status"))).power.label
    if row.get("status") != power:
        problems.append(f"status: {row.get('status')!r}, upsd serves {served.get('ups.status')!r}")
    return problems


def _same_readings(a: dict[str, Any], b: dict[str, Any]) -> bool:
    keys = ("id", "upsName", "status", "model", *HEADLINE)
    return all(a.get(k) == b.get(k) for k in keys)


def test_every_device_of_the_sample_is_read_right(
    tmp_path: Path, dev_server: Callable[..., DevFileServer]
) -> None:
    devs = copy_dumps(DDL_SAMPLE)
    names = dump_names(DDL_SAMPLE)
    assert len(devs) == len(list(DDL_SAMPLE.glob("*.dev"))) >= 80
    nut = dev_server(devs)
    served = {name: served_variables(nut.host, nut.port, name) for name in devs}
    with Stack(tmp_path / "data", env={"POLL_INTERVAL": "0.5"}) as stack:
        stack.start_api()
        token = stack.setup_admin(nut.host, nut.port)
        stack.start_poller()
        rows = wait_live(stack, token, devs)
        by_name = {row["upsName"]: row for row in rows}
        assert set(by_name) == set(devs)  # every device listed, nothing else

        problems = {
            f"{name} ({names[name]})": found
            for name in devs
            if (found := _problems_of(by_name[name], served[name]))
        }
        assert not problems, "\n".join(f"{dev}: {p}" for dev, ps in problems.items() for p in ps)

        for row in rows:  # the detail answers for every device too, with the same readings
            detail = get_json(stack, f"/api/ups-systems/{row['id']}", token)
            assert _same_readings(detail, row), (row["upsName"], detail)
            assert "parameters" in detail["driverDetails"]

        kiosk = {row["upsName"]: row for row in get_json(stack, "/api/ups-systems/kiosk")}
        assert set(kiosk) == set(devs)
        for name, row in kiosk.items():
            assert _same_readings(row, by_name[name]), name
            assert "driverDetails" not in row and "serial" not in row["deviceDetails"]

        full, public = stream_snapshots(stack, token, devs)
        for snapshot, private in ((full, True), (public, False)):
            streamed = {row["upsName"]: row for row in snapshot}
            assert set(streamed) == set(devs)
            for name, row in streamed.items():
                assert _same_readings(row, by_name[name]), name
                assert ("driverDetails" in row) is private

        samples = scrape(stack)
        wrong = []
        for name, row in by_name.items():
            if metric(samples, row["id"], "ups_up", ups=name) != 1:
                wrong.append(f"{name}: powerpulse_ups_up is not 1")
            info = metric_labels(samples, row["id"], "ups_info") or {}
            if info.get("model", "") != (row["model"] or ""):
                wrong.append(f"{name}: ups_info model {info.get('model')!r} != {row['model']!r}")
            for metric_name, variable, _ in READINGS:
                want = exact(served[name].get(variable), NUMERIC_VARIABLES[variable].quantity)
                got = metric(samples, row["id"], f"ups_{metric_name}")
                if (want is None) != (got is None) or (
                    want is not None and got is not None and abs(float(want) - got) > 1e-9
                ):
                    wrong.append(f"{name}: {metric_name} {got!r}, upsd serves {want}")
        assert not wrong, "\n".join(wrong)
        assert "Traceback" not in stack.log("api"), stack.log("api")[-3000:]
