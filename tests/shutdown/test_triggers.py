"""When a plan triggers: each trigger, self-tests, redundancy groups, and when mains are back."""

from __future__ import annotations

from typing import Any

import pytest

from powerpulse.shutdown import triggers
from powerpulse.shutdown.plan import parse_plan
from powerpulse.shutdown.readings import Reading, from_live

NOW = 10_000.0


def plan(**fields: Any):
    body = {"name": "p", "ups": [1], "phases": [{"name": "hosts"}], **fields}
    return parse_plan(body)


def ob(ups_id: int = 1, since: float = NOW - 30, **kw: Any) -> Reading:
    return Reading(ups_id, f"ups{ups_id}", known=True, power="OB", on_battery_since=since, **kw)


def ol(ups_id: int = 1, **kw: Any) -> Reading:
    return Reading(ups_id, f"ups{ups_id}", known=True, power="OL", **kw)


@pytest.mark.parametrize(
    ("trigger", "reading", "holds"),
    [
        ({"on_battery_seconds": 20}, ob(), True),
        ({"on_battery_seconds": 60}, ob(), False),
        ({"runtime_below_minutes": 5}, ob(runtime=240.0), True),
        ({"runtime_below_minutes": 5}, ob(runtime=400.0), False),
        ({"runtime_below_minutes": 5}, ol(runtime=60.0), False),  # charging, not on battery
        ({"charge_below_percent": 50}, ob(charge=40.0), True),
        ({"charge_below_percent": 50}, ol(charge=10.0), False),
        ({"low_battery": True}, ob(flags=frozenset({"LB"})), True),
        ({"fsd": True}, ol(tokens=frozenset({"OL", "FSD"})), True),
        ({"comm_lost_on_battery_seconds": 60}, ob(failing_since=NOW - 61, comm_ok=False), True),
        ({"comm_lost_on_battery_seconds": 60}, ob(failing_since=NOW - 10), False),
        ({"comm_lost_on_battery_seconds": 60}, ol(failing_since=NOW - 600), False),
    ],
)
def test_each_trigger(trigger: dict[str, Any], reading: Reading, holds: bool) -> None:
    verdict = triggers.evaluate(plan(triggers=trigger), {1: reading}, NOW)
    assert verdict.holds is holds, verdict.reason


def test_a_battery_test_never_triggers() -> None:
    every = {
        "on_battery_seconds": 0,
        "runtime_below_minutes": 60,
        "charge_below_percent": 100,
        "low_battery": True,
    }
    # What a live row holds during `OB CAL LB` (detection leaves the stable power OL and sets
    # the LB flag), and just after it (`OL CHRG`, the flag still held for its clear window).
    testing = from_live(
        1,
        "ups1",
        {"battery.charge": "20", "battery.runtime": "60"},
        "OB CAL LB",
        {"power": "OL", "flags": ["LB"], "test": {"mode": "calibration", "since": NOW}},
        NOW,
    )
    after = from_live(
        1, "ups1", {"battery.charge": "20"}, "OL CHRG", {"power": "OL", "flags": ["LB"]}, NOW
    )
    for reading in (testing, after):
        verdict = triggers.evaluate(plan(triggers=every), {1: reading}, NOW)
        assert not verdict.holds, verdict.reason


def test_low_battery_on_mains_is_a_recharge_not_a_trigger() -> None:
    p = plan(triggers={"low_battery": True})
    recharging = ol(tokens=frozenset({"OL", "CHRG", "LB"}), flags=frozenset({"LB"}))
    assert not triggers.evaluate(p, {1: recharging}, NOW).holds
    assert triggers.evaluate(p, {1: ob(tokens=frozenset({"OB", "LB"}))}, NOW).holds


def test_reasons_name_the_ups_and_the_limit() -> None:
    verdict = triggers.evaluate(
        plan(triggers={"runtime_below_minutes": 5}), {1: ob(runtime=90.0)}, NOW
    )
    assert verdict.reason == "ups1: runtime 90 s is below 5 min"


def test_due_in_counts_down_to_an_on_battery_trigger() -> None:
    verdict = triggers.evaluate(plan(triggers={"on_battery_seconds": 120}), {1: ob()}, NOW)
    assert not verdict.holds
    assert verdict.due_in == pytest.approx(90)


def test_a_redundancy_group_triggers_only_when_too_few_are_healthy() -> None:
    group = plan(ups=[1, 2], min_healthy=1, triggers={"on_battery_seconds": 10})
    one_down = triggers.evaluate(group, {1: ob(1), 2: ol(2)}, NOW)
    assert not one_down.holds and one_down.healthy == 1
    both_down = triggers.evaluate(group, {1: ob(1), 2: ob(2)}, NOW)
    assert both_down.holds
    assert both_down.reason.startswith("redundancy lost: 0 of 2 UPS healthy, 1 needed")


def test_min_healthy_alone_counts_unhealthy_ups() -> None:
    group = plan(ups=[1, 2, 3], min_healthy=2)
    assert not triggers.evaluate(group, {1: ob(1), 2: ol(2), 3: ol(3)}, NOW).holds
    lost = Reading(3, "ups3", known=True, power="OL", comm_ok=False, failing_since=NOW - 99)
    verdict = triggers.evaluate(group, {1: ob(1), 2: ol(2), 3: lost}, NOW)
    assert verdict.holds and "ups3: no contact" in verdict.reason


def test_a_ups_never_read_neither_triggers_nor_counts_as_healthy() -> None:
    group = plan(ups=[1, 2], min_healthy=1, triggers={"on_battery_seconds": 0})
    verdict = triggers.evaluate(group, {1: ob(1)}, NOW)
    assert verdict.holds and verdict.healthy == 0


def test_a_plan_needs_a_trigger() -> None:
    with pytest.raises(ValueError, match="at least one trigger"):
        plan()


def test_mains_back_needs_every_watched_ups_on_line() -> None:
    p = plan(ups=[1, 2], triggers={"on_battery_seconds": 0})
    assert not triggers.mains_back(p, {1: ol(1), 2: ob(2)})
    assert not triggers.mains_back(p, {1: ol(1), 2: ol(2, failing_since=NOW)})
    assert triggers.mains_back(p, {1: ol(1), 2: ol(2)})
    group = plan(ups=[1, 2], min_healthy=1)
    assert triggers.mains_back(group, {1: ol(1), 2: Reading(2, "ups2")})
    # A UPS never read (or deleted) does not hold the restore back forever.
    assert triggers.mains_back(p, {1: ol(1)})
    assert not triggers.mains_back(p, {})
    assert not triggers.mains_back(p, {1: ol(1, flags=frozenset({"FSD"})), 2: ol(2)})


def test_charge_of_is_the_lowest_reported() -> None:
    p = plan(ups=[1, 2], triggers={"on_battery_seconds": 0})
    assert triggers.charge_of(p, {1: ol(1, charge=80.0), 2: ol(2)}) == 80.0
    assert triggers.charge_of(p, {}) is None


def test_absurd_readings_are_no_reading() -> None:
    reading = from_live(
        1,
        "ups1",
        {"battery.charge": "4.6e251", "battery.runtime": "-5"},
        "OB",
        {"power": "OB"},
        NOW,
    )
    assert reading.charge is None and reading.runtime is None
    assert reading.on_battery_since == NOW  # a state from before obSince: counted from now


def test_a_zero_trigger_is_a_trigger_and_survives_a_round_trip() -> None:
    from powerpulse.shutdown.plan import load_plan, plan_json

    p = plan(triggers={"on_battery_seconds": 0})
    again = load_plan(plan_json(p, masked=False))
    assert again.triggers.on_battery_seconds == 0
    assert triggers.evaluate(again, {1: ob(since=NOW)}, NOW).holds
