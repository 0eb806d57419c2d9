"""Which commands need a confirmation, and how a new variable value is checked (pure)."""

from __future__ import annotations

import pytest

from powerpulse.nut.controls import check_value, describe, warning


@pytest.mark.parametrize(
    "command",
    ["load.off", "load.off.delay", "load.cycle", "outlet.2.load.off", "outlet.1.load.cycle",
     "shutdown.return", "shutdown.stayoff", "bypass.start", "test.failure.start",
     "calibrate.start"],
)  # fmt: skip
def test_commands_that_cut_or_risk_the_load_need_a_confirmation(command: str) -> None:
    reason = warning(command)
    assert reason is not None and reason.startswith(command)


@pytest.mark.parametrize(
    "command",
    ["beeper.mute", "beeper.disable", "test.battery.start.quick", "test.battery.stop",
     "load.on", "outlet.1.load.on", "shutdown.stop", "reset.input.minmax", "load.offset"],
)  # fmt: skip
def test_harmless_commands_run_on_one_click(command: str) -> None:
    assert warning(command) is None


def test_types_from_get_type_words() -> None:
    assert describe("battery.type", "PbAc", ["RW", "STRING:32"]).max_length == 32
    assert describe("ups.delay.shutdown", "20", ["RW", "NUMBER"]).kind == "number"
    enum = describe("input.sensitivity", "normal", ["RW", "ENUM"], options=["low", "normal"])
    assert (enum.kind, enum.options) == ("enum", ("low", "normal"))
    ranged = describe("input.transfer.low", "180", ["RW", "RANGE"], ranges=[("160", "190")])
    assert (ranged.kind, ranged.ranges) == ("range", ((160.0, 190.0),))
    # No enum values or usable ranges listed: fall back to what can still be checked.
    assert describe("x", "1", ["RW", "ENUM"]).kind == "string"
    assert describe("x", "1", ["RW", "RANGE", "NUMBER"], ranges=[("a", "b")]).kind == "number"
    assert describe("x", "1", ["RW"]).kind == "string"


def test_values_are_checked_before_anything_is_sent() -> None:
    number = describe("ups.delay.shutdown", "20", ["RW", "NUMBER"])
    assert check_value(number, "30") is None
    assert check_value(number, "soon") == "Must be a number"
    assert check_value(number, "nan") == "Must be a finite number"
    assert check_value(number, " ") == "A value is required"
    text = describe("battery.type", "PbAc", ["RW", "STRING:4"])
    assert check_value(text, "LiFe") is None
    assert check_value(text, "LiFePO4") == "At most 4 characters"
    enum = describe("s", "normal", ["RW", "ENUM"], options=["low", "normal"])
    assert check_value(enum, "high") == "Must be one of: low, normal"
    ranged = describe("t", "180", ["RW", "RANGE"], ranges=[("160", "190"), ("200", "210")])
    assert check_value(ranged, "205") is None
    assert check_value(ranged, "195") == "Must be within 160 to 190, 200 to 210"
