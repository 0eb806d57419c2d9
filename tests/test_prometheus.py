"""The Prometheus exposition, read back by the reference parser (prometheus_client)."""

from __future__ import annotations

from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from powerpulse.nut.variables import as_float
from powerpulse.prometheus import STATUS_FLAGS, DeliveryStats, UpsSnapshot, render


def _ups(ups_id: int = 1, **kw: Any) -> UpsSnapshot:
    values: dict[str, Any] = {
        "ups_id": ups_id,
        "ups_name": f"ups{ups_id}",
        "display_name": f"UPS {ups_id}",
        "nut_server_id": 7,
        "site": None,
        "tags": (),
        "variables": {"battery.charge": "87", "battery.runtime": "1260", "ups.load": "23.5"},
        "status_tokens": ("OB", "DISCHRG"),
        "up": True,
        "last_success": 1_795_000_000.25,
        **kw,
    }
    return UpsSnapshot(**values)


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _one(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


def test_readings_flags_and_freshness_parse_back_with_their_labels() -> None:
    text = render([_ups()], DeliveryStats(), version="2.0.0")
    samples = _samples(text)
    ident = {"ups_id": "1", "ups": "ups1", "site": ""}
    assert _one(samples, "powerpulse_ups_battery_charge_percent", **ident) == 87
    assert _one(samples, "powerpulse_ups_battery_runtime_seconds", **ident) == 1260
    assert _one(samples, "powerpulse_ups_load_percent", **ident) == 23.5
    assert _one(samples, "powerpulse_ups_up", **ident) == 1
    assert _one(samples, "powerpulse_ups_last_success_timestamp_seconds", **ident) == (
        1_795_000_000.25
    )
    flags = {f: _one(samples, "powerpulse_ups_status", flag=f, **ident) for f in STATUS_FLAGS}
    assert {f for f, v in flags.items() if v == 1} == {"OB", "DISCHRG"}
    assert flags["OL"] == 0  # written as 0, so `== 1` alerts need no absent()
    assert _one(samples, "powerpulse_build_info", version="2.0.0") == 1
    assert "# TYPE powerpulse_ups_up gauge" in text


def test_a_reading_the_ups_does_not_report_is_left_out_never_zero() -> None:
    quiet = _ups(2, variables={"battery.charge": "n/a", "ups.load": "nan"})
    text = render([_ups(1), quiet], DeliveryStats(), version="x")
    samples = _samples(text)
    charge = {k[1]: v for k, v in samples.items() if k[0].endswith("battery_charge_percent")}
    assert list(charge.values()) == [87]
    assert not any(k[0].endswith("input_voltage_volts") for k in samples)
    assert "powerpulse_ups_input_voltage_volts" not in text  # no family without a sample
    assert as_float("  230.4 ") == 230.4 and as_float("inf") is None and as_float(None) is None


def test_names_that_users_choose_are_escaped_and_only_on_the_info_series() -> None:
    tricky = 'Rack "A" \\ row\n2'
    text = render(
        [_ups(display_name=tricky, variables={"ups.model": "Smart-UPS 1500"})],
        DeliveryStats(),
        version="x",
    )
    samples = _samples(text)
    info = [k for k in samples if k[0] == "powerpulse_ups_info"]
    # Quotes and backslashes survive the exposition; a line break is shown escaped, as
    # everywhere a name is displayed.
    assert dict(info[0][1])["name"] == 'Rack "A" \\ row\\x0a2'
    assert dict(info[0][1])["model"] == "Smart-UPS 1500"
    assert all("name" not in dict(k[1]) for k in samples if k[0] != "powerpulse_ups_info")


def test_a_ups_never_polled_is_down_without_a_timestamp() -> None:
    text = render(
        [_ups(variables={}, status_tokens=(), up=False, last_success=None)],
        DeliveryStats(),
        version="x",
    )
    samples = _samples(text)
    assert _one(samples, "powerpulse_ups_up", ups_id="1", ups="ups1", site="") == 0
    assert not any(k[0].endswith("last_success_timestamp_seconds") for k in samples)


def test_notification_delivery_counts_and_the_oldest_pending_age() -> None:
    stats = DeliveryStats({("discord", "delivered"): 4, ("email", "failed"): 1}, 42.5)
    samples = _samples(render([], stats, version="x"))
    assert _one(samples, "powerpulse_notification_deliveries", channel="email", state="failed") == 1
    assert (
        _one(samples, "powerpulse_notification_deliveries", channel="discord", state="delivered")
        == 4
    )
    assert _one(samples, "powerpulse_notification_oldest_pending_seconds") == 42.5
    idle = _samples(render([], DeliveryStats(), version="x"))
    assert _one(idle, "powerpulse_notification_oldest_pending_seconds") == 0


def test_absurd_readings_are_left_out_and_labels_are_display_safe() -> None:
    absurd = _ups(
        2,
        display_name="Rack\x1b[31m \u202e" + "x" * 5000,
        variables={
            "ups.load": "4.6e251",
            "battery.charge": "1" + "0" * 30,
            "battery.runtime": "99999999999999999999",
            "input.voltage": "-230",
            "output.voltage": "nan",
            "ups.temperature": "302",
            "battery.voltage": "480.0",  # a real 480 V DC string stays
            "device.model": "Smart\x07UPS",
            "ups.model": "ignored: device.model comes first, as in the API",
        },
    )
    text = render([_ups(1), absurd], DeliveryStats(), version="x")
    samples = _samples(text)  # the reference parser reads all of it
    of_two = {k[0] for k in samples if ("ups_id", "2") in k[1]}
    assert "powerpulse_ups_battery_voltage_volts" in of_two
    for gone in ("load_percent", "battery_charge_percent", "battery_runtime_seconds",
                 "input_voltage_volts", "output_voltage_volts", "temperature_celsius"):  # fmt: skip
        assert f"powerpulse_ups_{gone}" not in of_two, gone
    assert _one(samples, "powerpulse_ups_load_percent", ups_id="1", ups="ups1", site="") == 23.5
    info = dict(
        next(k[1] for k in samples if k[0] == "powerpulse_ups_info" and ("ups_id", "2") in k[1])
    )
    assert info["model"] == "Smart\\x07UPS"
    assert info["name"].startswith("Rack\\x1b[31m \\u202e") and len(info["name"]) == 256
