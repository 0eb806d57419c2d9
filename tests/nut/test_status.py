"""Status tokens → power state, conditions, severity and bucket, by the table in nut.status."""

from __future__ import annotations

import pytest

from powerpulse.nut.status import (
    classify,
    describe_tokens,
    display_status,
    parse_status,
    status_model,
    status_severity,
)

CASES = [
    # raw ups.status, headline, condition codes (worst first), severity, summary bucket
    ("OL", "Online", [], "ok", "online"),
    ("OL CHRG", "Online", ["charging"], "ok", "online"),
    ("OL TRIM", "Online", ["trimming"], "info", "online"),
    ("OL BOOST", "Online", ["boosting"], "info", "online"),
    ("OB", "On Battery", [], "warning", "onBattery"),
    ("OB DISCHRG", "On Battery", ["discharging"], "warning", "onBattery"),
    ("OB LB", "Low Battery", [], "critical", "onBattery"),
    ("OB DISCHRG LB", "Low Battery", ["discharging"], "critical", "onBattery"),
    ("LB OB", "Low Battery", [], "critical", "onBattery"),
    ("LB", "Low Battery", [], "critical", "onBattery"),
    # Charging from empty with mains present: a battery condition, not a power state.
    ("OL LB", "Online", ["low_battery"], "warning", "alarm"),
    ("FSD OB LB", "Forced Shutdown", ["low_battery"], "critical", "alarm"),
    ("OL FSD", "Forced Shutdown", [], "critical", "alarm"),
    ("OL RB", "Online", ["replace_battery"], "warning", "alarm"),
    ("OB RB", "On Battery", ["replace_battery"], "warning", "onBattery"),
    ("OL OVER", "Online", ["overload"], "critical", "alarm"),
    ("OB OVER", "On Battery", ["overload"], "critical", "onBattery"),
    ("OL RB OVER", "Online", ["overload", "replace_battery"], "critical", "alarm"),
    ("OL BYPASS", "Online", ["bypass"], "warning", "alarm"),
    ("BYPASS", "Online", ["bypass"], "warning", "alarm"),
    ("OFF", "Off", [], "critical", "alarm"),
    ("OL OFF", "Off", [], "critical", "alarm"),
    # Battery tests are not lost mains.
    ("OL CAL", "Calibration", [], "info", "online"),
    ("OB CAL", "Calibration", [], "info", "online"),
    ("OB DISCHRG CAL", "Calibration", ["discharging"], "info", "online"),
    ("OL TEST", "Self Test", [], "info", "online"),
    ("OB TEST", "Self Test", [], "info", "online"),
    ("OL TEST ALARM", "Self Test", ["alarm"], "warning", "alarm"),
    # ...but a low battery during a test is still a low battery.
    ("OB TEST LB", "Low Battery", ["self_test"], "critical", "onBattery"),
    ("ALARM", "Unknown", ["alarm"], "warning", "unknown"),
    ("OL ALARM", "Online", ["alarm"], "warning", "alarm"),
    ("OL ECO", "Online", ["eco"], "info", "online"),
    ("OL HE", "Online", ["eco"], "info", "online"),
    ("OL SOMETHINGNEW", "Online", ["unknown_flag"], "info", "online"),
    ("WAIT", "Unknown", [], "unknown", "unknown"),
    ("", "Unknown", [], "unknown", "unknown"),
    (None, "Unknown", [], "unknown", "unknown"),
    # Only good news about the charger must not look green.
    ("CHRG", "Unknown", ["charging"], "unknown", "unknown"),
    ("RB", "Unknown", ["replace_battery"], "warning", "unknown"),
    ("NEWTOKEN", "Unknown", ["unknown_flag"], "unknown", "unknown"),
    ("  ol   ob  ", "On Battery", [], "warning", "onBattery"),
]


@pytest.mark.parametrize(("raw", "headline", "conditions", "severity", "bucket"), CASES)
def test_status_table(
    raw: str | None, headline: str, conditions: list[str], severity: str, bucket: str
) -> None:
    view = classify(parse_status(raw))
    assert view.power.label == headline
    assert [c.code for c in view.conditions] == conditions
    assert view.severity == severity
    assert view.bucket == bucket
    assert display_status(raw) == headline
    assert status_severity(raw) == severity


def test_headline_is_never_a_battery_condition() -> None:
    """Events and messages name power states: no token combination headlines a condition."""
    labels = {s["label"] for s in status_model()["powerStates"]}  # type: ignore[index]
    for raw, *_ in CASES:
        assert display_status(raw) in labels
    assert "Replace Battery" not in labels and "Overload" not in labels


def test_alarm_condition_carries_the_alarm_text() -> None:
    view = classify("OL ALARM", alarm="Fan failure")
    assert view.conditions[0].as_dict() == {
        "code": "alarm",
        "label": "Alarm: Fan failure",
        "severity": "warning",
    }
    assert classify("OL ALARM", alarm="x" * 5000).conditions[0].label == "Alarm: " + "x" * 200


def test_unknown_flag_names_its_token_and_duplicates_are_dropped() -> None:
    view = classify("OL XYZ XYZ")
    assert [c.label for c in view.conditions] == ["Flag XYZ"]
    assert parse_status("OL OL CHRG") == ("OL", "CHRG")


def test_status_model_lists_every_state_condition_and_bucket_once() -> None:
    model = status_model()
    codes = [s["code"] for s in model["powerStates"]]  # type: ignore[index]
    assert codes == [
        "online",
        "on_battery",
        "low_battery",
        "fsd",
        "calibration",
        "self_test",
        "off",
        "unknown",
    ]
    conditions = [c["code"] for c in model["conditions"]]  # type: ignore[index]
    assert len(conditions) == len(set(conditions))
    assert {"replace_battery", "overload", "alarm", "unknown_flag"} <= set(conditions)
    assert [b["code"] for b in model["buckets"]] == ["online", "onBattery", "alarm", "unknown"]  # type: ignore[index]
    assert model["severities"] == ["ok", "info", "unknown", "warning", "critical"]


def test_parse_status_keeps_raw_tokens_in_order() -> None:
    assert parse_status("OB DISCHRG LB") == ("OB", "DISCHRG", "LB")
    assert parse_status(None) == ()
    assert parse_status("   ") == ()


def test_describe_tokens_names_each_token_and_tolerates_unknown() -> None:
    described = describe_tokens(parse_status("OB LB XYZ"))
    assert [d["token"] for d in described] == ["OB", "LB", "XYZ"]
    assert described[0]["meaning"].startswith("On battery")
    assert described[1]["meaning"] == "Low battery"
    assert "not known" in described[2]["meaning"]
