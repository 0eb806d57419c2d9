"""The outage loop as a user of the demo sees it: statuses in order, numbers that make sense."""

from __future__ import annotations

import pytest

from powerpulse.simulator.scenario import build_specs, variables_at

CYCLE = 100.0


def _statuses(name: str, count: int = 3) -> list[str]:
    spec = next(s for s in build_specs(count) if s.name == name)
    seen: list[str] = []
    for step in range(0, 2000):
        status = variables_at(spec, step * CYCLE / 2000, CYCLE)["ups.status"]
        if not seen or seen[-1] != status:
            seen.append(status)
    return seen


def test_rack_a_goes_through_outage_low_battery_and_restore_in_order() -> None:
    assert _statuses("rack-a") == ["OL", "OB DISCHRG", "OB DISCHRG LB", "OL CHRG", "OL"]


def test_closet_always_reports_replace_battery() -> None:
    statuses = _statuses("closet")
    assert all(s.split()[-1] == "RB" for s in statuses)
    assert {s.replace(" RB", "") for s in statuses} == {
        "OL",
        "OB DISCHRG",
        "OB DISCHRG LB",
        "OL CHRG",
    }


def test_on_battery_charge_and_runtime_fall_while_load_stays_steady() -> None:
    spec = build_specs(3)[0]
    samples = [variables_at(spec, t, CYCLE) for t in (22.0, 30.0, 40.0, 50.0)]
    assert all(s["ups.status"] == "OB DISCHRG" for s in samples)
    charges = [float(s["battery.charge"]) for s in samples]
    runtimes = [float(s["battery.runtime"]) for s in samples]
    loads = [float(s["ups.load"]) for s in samples]
    assert charges == sorted(charges, reverse=True) and charges[0] > charges[-1] + 20
    assert runtimes == sorted(runtimes, reverse=True)
    assert max(loads) - min(loads) <= 3
    assert all(float(s["input.voltage"]) == 0 for s in samples)
    assert all(s["battery.charger.status"] == "discharging" for s in samples)


def test_low_battery_only_below_the_reported_threshold_and_charging_rises() -> None:
    spec = build_specs(3)[0]
    for step in range(1000):
        v = variables_at(spec, step / 10, CYCLE)
        if "LB" in v["ups.status"].split():
            assert float(v["battery.charge"]) <= float(v["battery.charge.low"])
    charging = [variables_at(spec, t, CYCLE) for t in (70.0, 80.0, 90.0)]
    assert all(v["ups.status"] == "OL CHRG" for v in charging)
    assert [float(v["battery.charge"]) for v in charging] == sorted(
        float(v["battery.charge"]) for v in charging
    )
    assert all(float(v["input.voltage"]) > 200 for v in charging)


def test_ups_are_staggered_and_the_loop_repeats() -> None:
    specs = build_specs(3)
    for t in (5.0, 40.0, 75.0):
        statuses = {variables_at(s, t, CYCLE)["ups.status"].replace(" RB", "") for s in specs}
        assert len(statuses) > 1, f"all UPS in the same phase at t={t}"
    for s in specs:
        assert (
            variables_at(s, 33.0, CYCLE)["ups.status"]
            == variables_at(s, 133.0, CYCLE)["ups.status"]
        )


def test_build_specs_names_and_bounds() -> None:
    assert [s.name for s in build_specs(5)] == ["rack-a", "rack-b", "closet", "ups-4", "ups-5"]
    assert len({s.serial for s in build_specs(50)}) == 50
    with pytest.raises(ValueError):
        build_specs(0)
