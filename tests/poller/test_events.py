"""Table-driven tests of the pure event detection: a sequence of polls in, the events out."""

from __future__ import annotations

import json

import pytest

from powerpulse.nut.status import display_status
from powerpulse.poller.events import Observation, Rules, detect

# Polls 5 s apart in the tables: "OL held 5 s over 2 polls" = the second consecutive OL poll.
RULES = Rules(comm_grace=30.0, restore_hold=5.0, restore_polls=2)


def obs(status: str, **kw: float | str | None) -> Observation:
    if status.startswith("ERR "):
        return Observation(error_code=status[4:], error_message="no data")
    return Observation(tokens=tuple(status.split()), display=display_status(status), **kw)  # type: ignore[arg-type]


def run(steps: list[tuple[float, Observation]], rules: Rules = RULES) -> list[tuple[float, str]]:
    """Feed (time, observation) pairs; return (time, kind) of every event. State goes through
    JSON each step, as it does through the database."""
    state = None
    fired: list[tuple[float, str]] = []
    for now, ob in steps:
        new, events = detect(state, ob, now, rules)
        state = json.loads(json.dumps(new))
        fired += [(now, e.kind) for e in events]
    return fired


def every(interval: float, *statuses: str) -> list[tuple[float, Observation]]:
    return [(i * interval, obs(s)) for i, s in enumerate(statuses)]


CASES: list[tuple[str, list[str], list[tuple[int, str]]]] = [
    # (name, status per poll 5 s apart, expected [(poll index, kind)])
    ("first poll sets state silently", ["OB"], []),
    ("first poll of OB LB RB is silent", ["OB LB", "OB LB"], []),
    ("steady online", ["OL", "OL", "OL CHRG", "OL"], []),
    (
        "outage then restore",
        ["OL", "OB", "OB", "OL", "OL", "OL"],
        [(1, "on_battery"), (4, "online")],
    ),
    (
        "OL -> OB -> OB LB -> OL, each once",
        ["OL", "OB DISCHRG", "OB LB", "OB LB", "OL CHRG", "OL CHRG", "OL", "OL"],
        [(1, "on_battery"), (2, "low_battery"), (5, "online")],
    ),
    (
        "straight to low battery",
        ["OL", "OB LB", "OL", "OL"],
        [(1, "on_battery"), (1, "low_battery"), (3, "online")],
    ),
    ("WAIT between OLs is no restore", ["OL", "WAIT", "WAIT", "OL", "OL"], []),
    ("empty status between OLs", ["OL", "", "OL"], []),
    ("transient errors between OLs", ["OL", "ERR unreachable", "OL", "ERR data-stale", "OL"], []),
    (
        "flapping gives one pair",
        ["OL", "OB", "OL", "OB", "OL", "OB", "OL", "OL", "OL"],
        [(1, "on_battery"), (7, "online")],
    ),
    (
        "WAIT during a restore restarts the hold",
        ["OL", "OB", "OL", "WAIT", "OL", "OL", "OL"],
        [(1, "on_battery"), (5, "online")],
    ),
    ("replace battery once", ["OL", "OL RB", "OL RB", "OL RB"], [(1, "replace_battery")]),
    (
        "replace battery re-arms only after it cleared for the hold",
        ["OL", "OL RB", "OL", "OL RB", "OL", "OL", "OL", "OL RB"],
        [(1, "replace_battery"), (7, "replace_battery")],
    ),
    ("fsd", ["OB LB", "OB LB FSD"], [(1, "fsd")]),
    ("overload", ["OL", "OL OVER", "OL OVER"], [(1, "overload")]),
    ("bypass", ["OL", "OL BYPASS"], [(1, "bypass")]),
    ("off", ["OL", "OFF", "OFF"], [(1, "off")]),
    ("OFF then OL is not an outage", ["OFF", "OL", "OL"], []),
    # Battery tests: deliberate, so never "power lost" and never "power restored".
    (
        "self-test on battery is not an outage",
        ["OL", "OB TEST", "OB TEST", "OL", "OL", "OL"],
        [(1, "self_test"), (3, "self_test")],
    ),
    (
        "calibration is not an outage",
        ["OL", "OB CAL", "OB DISCHRG CAL", "OL CHRG", "OL", "OL"],
        [(1, "self_test"), (3, "self_test")],
    ),
    (
        "low battery during a test still alerts",
        ["OL", "OB TEST", "OB TEST LB", "OL", "OL", "OL"],
        [(1, "self_test"), (2, "low_battery"), (3, "self_test")],
    ),
    (
        "fsd during a test still alerts",
        ["OL", "OB CAL", "OB CAL FSD"],
        [(1, "self_test"), (2, "fsd")],
    ),
    (
        "plain OB after the test flag has gone is a real power failure",
        ["OL", "OB TEST", "OB", "OB", "OL", "OL", "OL"],
        [(1, "self_test"), (2, "self_test"), (2, "on_battery"), (5, "online")],
    ),
    ("a test seen at the first poll ends silently started", ["OB TEST", "OL"], [(1, "self_test")]),
    (
        "an online condition never names the power state",
        ["OL", "OB", "OL RB", "OL RB", "OL RB"],
        [(1, "on_battery"), (2, "replace_battery"), (3, "online")],
    ),
]


@pytest.mark.parametrize(
    ("statuses", "expected"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES]
)
def test_status_sequences(statuses: list[str], expected: list[tuple[int, str]]) -> None:
    fired = run(every(5.0, *statuses))
    assert fired == [(i * 5.0, kind) for i, kind in expected]


def test_online_needs_the_hold_time_not_only_two_polls() -> None:
    # Polls 1 s apart with a 5 s hold: two OL polls are not enough, five seconds of OL are.
    steps = [(0.0, obs("OL")), (1.0, obs("OB"))] + [(2.0 + i, obs("OL")) for i in range(12)]
    assert run(steps) == [(1.0, "on_battery"), (7.0, "online")]


def test_comm_lost_after_grace_and_restored_once() -> None:
    steps = [(0.0, obs("OL"))] + [(t, obs("ERR unreachable")) for t in (5, 10, 20, 34, 40, 50)]
    steps += [(55.0, obs("OL")), (60.0, obs("OL"))]
    assert run(steps) == [(40, "comm_lost"), (55.0, "comm_restored")]


def test_short_outage_under_grace_is_silent() -> None:
    steps = [
        (0.0, obs("OL")),
        (5.0, obs("ERR driver-not-connected")),
        (30.0, obs("ERR data-stale")),
    ]
    steps.append((31.0, obs("OL")))
    assert run(steps) == []


def test_zero_grace_reports_at_the_first_failure() -> None:
    rules = Rules(comm_grace=0.0, restore_hold=0.0, restore_polls=1)
    assert run([(0.0, obs("OL")), (1.0, obs("ERR timeout"))], rules) == [(1.0, "comm_lost")]


def test_outage_during_comm_loss_reports_restore_after() -> None:
    steps = [(0.0, obs("OB"))] + [(float(t), obs("ERR unreachable")) for t in range(5, 50, 5)]
    steps += [(50.0, obs("OL")), (55.0, obs("OL")), (60.0, obs("OL"))]
    assert run(steps) == [(35.0, "comm_lost"), (50.0, "comm_restored"), (55.0, "online")]


@pytest.mark.parametrize(
    ("extra", "fires"),
    [
        ({"charge": 15.0, "charge_low": 20.0}, True),
        ({"charge": 25.0, "charge_low": 20.0}, False),
        ({"runtime": 100.0, "runtime_low": 120.0}, True),
        ({"runtime": 100.0, "runtime_low": None}, False),
        ({"charge": None, "charge_low": 20.0}, False),
    ],
)
def test_low_battery_from_thresholds_while_on_battery(extra: dict, fires: bool) -> None:
    steps = [(0.0, obs("OL")), (5.0, obs("OB")), (10.0, obs("OB", **extra))]
    expected = [(5.0, "on_battery")] + ([(10.0, "low_battery")] if fires else [])
    assert run(steps) == expected


def test_low_charge_while_online_is_not_low_battery() -> None:
    # After an outage the battery recharges from below the threshold: that is not an alert.
    steps = [(0.0, obs("OL")), (5.0, obs("OL CHRG", charge=10.0, charge_low=20.0))]
    assert run(steps) == []


def test_event_statuses_and_details() -> None:
    state, _ = detect(None, obs("OL"), 0.0, RULES)
    state, events = detect(state, obs("OB", charge=97.0, runtime=1700.0, load=31.0), 5.0, RULES)
    assert [(e.kind, e.previous_status, e.new_status) for e in events] == [
        ("on_battery", "Online", "On Battery")
    ]
    assert events[0].details == {"charge": 97.0, "runtime": 1700.0, "load": 31.0}
    state, events = detect(state, obs("OL"), 10.0, RULES)
    assert events == []
    state, events = detect(state, obs("OL"), 20.0, RULES)
    assert [(e.kind, e.previous_status, e.new_status) for e in events] == [
        ("online", "On Battery", "Online")
    ]


def test_restart_neither_repeats_nor_misses() -> None:
    # The state that survives a restart (JSON in the database) remembers the outage.
    state, _ = detect(None, obs("OL"), 0.0, RULES)
    state, events = detect(state, obs("OB"), 5.0, RULES)
    assert [e.kind for e in events] == ["on_battery"]
    saved = json.loads(json.dumps(state))
    _, events = detect(saved, obs("OB"), 100.0, RULES)
    assert events == []  # not repeated
    state, _ = detect(saved, obs("OL"), 100.0, RULES)
    _, events = detect(state, obs("OL"), 110.0, RULES)
    assert [e.kind for e in events] == ["online"]  # not missed


def test_comm_lost_details_carry_the_error() -> None:
    state, _ = detect(None, obs("OL"), 0.0, RULES)
    state, events = detect(state, obs("ERR driver-not-connected"), 40.0, RULES)
    state, events = detect(state, obs("ERR driver-not-connected"), 71.0, RULES)
    assert [(e.kind, e.previous_status, e.new_status) for e in events] == [
        ("comm_lost", "Online", "Unknown")
    ]
    assert events[0].details["error"] == "driver-not-connected"


def test_default_rules_restore_on_the_third_ol_poll() -> None:
    rules = Rules.for_interval(poll_interval=5.0, comm_grace=30.0)
    # Polls arrive a little early or late: the restore still comes on the third OL poll.
    steps = [(0.0, obs("OL")), (5.0, obs("OB")), (10.0, obs("OL")), (14.97, obs("OL"))]
    steps += [(19.95, obs("OL")), (25.0, obs("OL"))]
    assert run(steps, rules) == [(5.0, "on_battery"), (19.95, "online")]


def test_self_test_records_start_end_result_and_duration() -> None:
    state, _ = detect(None, obs("OL"), 0.0, RULES)
    state, started = detect(state, obs("OB TEST", charge=100.0), 5.0, RULES)
    assert [(e.kind, e.previous_status, e.new_status) for e in started] == [
        ("self_test", "Online", "Self Test")
    ]
    assert started[0].details["phase"] == "started"
    assert started[0].details["mode"] == "self_test"
    state, _ = detect(state, obs("OB TEST"), 10.0, RULES)
    state, ended = detect(state, obs("OL", test_result="Done and passed"), 50.0, RULES)
    assert [(e.kind, e.previous_status, e.new_status) for e in ended] == [
        ("self_test", "Self Test", "Online")
    ]
    assert ended[0].details["phase"] == "ended"
    assert ended[0].details["result"] == "Done and passed"
    assert ended[0].details["durationSeconds"] == 45
    # The stable power state never left OL: a later outage is a normal one.
    assert state["power"] == "OL"


def test_restore_after_an_outage_names_power_states_only() -> None:
    state, _ = detect(None, obs("OL"), 0.0, RULES)
    state, _ = detect(state, obs("OB LB"), 5.0, RULES)
    state, _ = detect(state, obs("OL RB"), 10.0, RULES)
    state, events = detect(state, obs("OL RB"), 15.0, RULES)
    restored = [e for e in events if e.kind == "online"]
    assert [(e.previous_status, e.new_status) for e in restored] == [("Low Battery", "Online")]
