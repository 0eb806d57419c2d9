"""The pure rules of alerting: thresholds' hold and hysteresis, maintenance windows, which
events start and end a condition, and templates escaped for each service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from powerpulse.notify.channels import KINDS
from powerpulse.notify.conditions import clears, condition_of, holds
from powerpulse.notify.messages import (
    EVENT_KINDS,
    THRESHOLD_TEMPLATES,
    Notice,
    Override,
    compose,
)
from powerpulse.notify.mutes import Window, mute_applies, muted_until
from powerpulse.notify.templating import TemplateInvalid, check_template
from powerpulse.poller.thresholds import METRICS, THRESHOLD_KINDS, ThresholdSpec, evaluate

LOAD = ThresholdSpec(7, "load", above=60, hold=10, hysteresis=5)


def run(spec: ThresholdSpec, readings: list[tuple[float, str]]) -> list[tuple[float, str]]:
    """(time, load) polls → (time, phase) of the events they fire."""
    state = None
    fired = []
    for at, load in readings:
        state, events = evaluate(state, (spec,), {"ups.load": load}, at)
        fired += [(at, e.details["phase"]) for e in events]
    return fired


def test_a_threshold_fires_only_after_its_hold_and_once() -> None:
    polls = [(0, "50"), (5, "70"), (10, "72"), (15, "75"), (20, "80"), (25, "90")]
    assert run(LOAD, polls) == [(15, "started")]


def test_a_dip_below_the_limit_restarts_the_hold() -> None:
    polls = [(0, "70"), (5, "55"), (10, "70"), (15, "70"), (20, "70")]
    assert run(LOAD, polls) == [(20, "started")]


def test_clearing_waits_for_the_hysteresis_and_the_hold() -> None:
    polls = [(0, "70"), (10, "70")]  # started at 10
    polls += [(15, "58"), (30, "57"), (40, "54"), (45, "50"), (50, "52")]
    assert run(LOAD, polls) == [(10, "started"), (50, "cleared")]


def test_a_hovering_load_never_storms() -> None:
    polls = [(t, "61" if (t // 5) % 2 else "59") for t in range(0, 300, 5)]
    assert run(LOAD, polls) == []


def test_a_range_fires_on_either_side_and_absurd_readings_are_ignored() -> None:
    volts = ThresholdSpec(1, "input_voltage", above=250, below=200, hold=0)
    state, events = evaluate(None, (volts,), {"input.voltage": "4.6e251"}, 0)
    assert events == []
    state, events = evaluate(state, (volts,), {"input.voltage": "190"}, 1)
    assert [(e.kind, e.details["limit"]) for e in events] == [
        ("input_voltage", "outside 200 to 250 V")
    ]
    state, events = evaluate(state, (volts,), {"input.voltage": "230"}, 2)
    assert [e.details["phase"] for e in events] == ["cleared"]


def test_a_poll_without_the_reading_changes_nothing() -> None:
    state, _ = evaluate(None, (LOAD,), {"ups.load": "70"}, 0)
    again, events = evaluate(state, (LOAD,), {}, 100)
    assert (again, events) == (state, [])


def test_every_threshold_kind_has_wording() -> None:
    assert set(THRESHOLD_KINDS) == set(THRESHOLD_TEMPLATES) == {m.kind for m in METRICS.values()}
    assert set(THRESHOLD_KINDS) <= set(EVENT_KINDS)


# --- maintenance windows -----------------------------------------------------------------------

MONDAY_2300 = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)  # a Monday


def test_a_window_over_midnight_is_open_the_next_morning() -> None:
    window = Window((0,), "22:30", 120)  # Mondays 22:30 to 00:30
    assert window.end_if_open(MONDAY_2300) == datetime(2026, 12, 1, 0, 30, tzinfo=UTC)
    assert window.end_if_open(MONDAY_2300 + timedelta(minutes=89)) is not None
    assert window.end_if_open(MONDAY_2300 + timedelta(minutes=91)) is None
    assert window.end_if_open(MONDAY_2300 - timedelta(minutes=31)) is None


def test_a_window_follows_its_time_zone() -> None:
    paris = Window((0,), "23:30", 60, "Europe/Paris")  # 22:30 UTC in winter
    assert paris.end_if_open(MONDAY_2300) == datetime(2026, 11, 30, 23, 30, tzinfo=UTC)


def test_muted_until_takes_the_latest_of_explicit_mutes_and_open_windows() -> None:
    window = Window((0,), "22:00", 180, ups_id=None)
    other_ups = Window((0,), "22:00", 600, ups_id=99)
    explicit = MONDAY_2300 + timedelta(minutes=30)
    assert muted_until(1, explicit, [window, other_ups], MONDAY_2300) == datetime(
        2026, 12, 1, 1, 0, tzinfo=UTC
    )
    assert muted_until(1, MONDAY_2300 - timedelta(seconds=1), [], MONDAY_2300) is None


def test_low_battery_and_fsd_ignore_mutes_unless_a_rule_says_so() -> None:
    assert not mute_applies("low_battery") and not mute_applies("fsd")
    assert mute_applies("low_battery", mute_critical=True)
    assert mute_applies("on_battery")


# --- conditions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "details", "condition", "state_holding", "state_gone"),
    [
        ("on_battery", {}, "power:OB", {"power": "OB"}, {"power": "OL"}),
        ("overload", {}, "flag:OVER", {"flags": ["OVER"]}, {"flags": []}),
        ("comm_lost", {}, "comm:lost", {"commOk": False}, {"commOk": True}),
        (
            "load_high",
            {"threshold": "7", "phase": "started"},
            "threshold:7",
            {"thresholds": {"7": {"active": True}}},
            {"thresholds": {"7": {"active": False}}},
        ),
    ],
)
def test_a_condition_holds_while_the_stable_state_shows_it(
    kind: str, details: dict, condition: str, state_holding: dict, state_gone: dict
) -> None:
    assert condition_of(kind, details) == condition
    assert holds(condition, state_holding) and not holds(condition, state_gone)


def test_events_that_end_conditions() -> None:
    assert clears("online", {}) == "power:OB"
    assert clears("comm_restored", {}) == "comm:lost"
    assert clears("load_high", {"threshold": "7", "phase": "cleared"}) == "threshold:7"
    assert condition_of("online", {}) is None and condition_of("self_test", {}) is None


# --- templates ---------------------------------------------------------------------------------

EVIL = Notice("on_battery", "<b>*Rack_1*</b> & co", "On Battery", "Online", MONDAY_2300, 50)
TEMPLATE = Override("{{ ups }} lost power", "**{{ ups }}** is at {{ charge }}. {{ status }}")


@pytest.mark.parametrize(
    ("kind", "expected_body"),
    [
        ("discord", r"**<b\>\*Rack\_1\*</b\> & co** is at 50 %. On Battery"),
        ("slack", "**&lt;b&gt;*Rack_1*&lt;/b&gt; &amp; co** is at 50 %. On Battery"),
        ("telegram", "**&lt;b&gt;*Rack_1*&lt;/b&gt; &amp; co** is at 50 %. On Battery"),
    ],
)
def test_template_values_are_escaped_in_the_services_markup(kind: str, expected_body: str) -> None:
    text = compose(EVIL, KINDS[kind].markup, TEMPLATE)
    assert text.title == "<b>*Rack_1*</b> & co lost power"  # titles are plain text
    assert text.body == expected_body


def test_email_html_escapes_template_values_and_keeps_the_plain_part_plain() -> None:
    mail = KINDS["email"].payload(EVIL, TEMPLATE)
    assert "**&lt;b&gt;*Rack_1*&lt;/b&gt; &amp; co** is at 50 %." in mail["html"]
    assert "<b>*Rack_1*</b>" not in mail["html"]
    assert mail["text"].startswith("**<b>*Rack_1*</b> & co** is at 50 %.")


def test_the_sandbox_refuses_attribute_tricks_and_the_built_in_wording_stays() -> None:
    trick = Override("", "{{ ups.__class__.__mro__[1].__subclasses__() }}")
    text = compose(EVIL, KINDS["slack"].markup, trick)
    assert "subclasses" not in text.body and "is now running on battery power" in text.body
    with pytest.raises(TemplateInvalid, match="line 1"):
        check_template("{% if %}")


def test_a_drill_and_an_acknowledgement_say_so_in_every_service() -> None:
    drill = Notice("on_battery", "ups1", "On Battery", "Online", MONDAY_2300, drill=True)
    for kind in KINDS.values():
        text = compose(drill, kind.markup)
        assert text.title.startswith("[DRILL] ") and "fire drill" in text.body
