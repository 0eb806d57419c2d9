"""Status tokens → display words and severity, by the table in powerpulse.nut.status."""

from __future__ import annotations

import pytest

from powerpulse.nut.status import (
    describe_tokens,
    display_status,
    parse_status,
    status_severity,
)

CASES = [
    # raw ups.status, display, severity
    ("OL", "Online", "ok"),
    ("OL CHRG", "Online", "ok"),
    ("OL TRIM", "Online", "info"),
    ("OL BOOST", "Online", "info"),
    ("OB", "On Battery", "warning"),
    ("OB DISCHRG", "On Battery", "warning"),
    ("OB LB", "Low Battery", "critical"),
    ("OB DISCHRG LB", "Low Battery", "critical"),
    ("LB OB", "Low Battery", "critical"),
    ("OL LB", "Low Battery", "critical"),
    ("FSD OB LB", "Forced Shutdown", "critical"),
    ("OL FSD", "Forced Shutdown", "critical"),
    ("OL RB", "Replace Battery", "warning"),
    ("OB RB", "On Battery", "warning"),
    ("OL OVER", "Overload", "critical"),
    ("OL RB OVER", "Replace Battery", "critical"),
    ("OL BYPASS", "Bypass", "warning"),
    ("OFF", "Off", "critical"),
    ("OL CAL", "Calibration", "info"),
    ("OB CAL", "On Battery", "warning"),
    ("OL TEST", "Self Test", "info"),
    ("ALARM", "Alarm", "warning"),
    ("OL ALARM", "Alarm", "warning"),
    ("OL ECO", "Online", "info"),
    ("OL SOMETHINGNEW", "Online", "ok"),
    ("WAIT", "Unknown", "unknown"),
    ("", "Unknown", "unknown"),
    (None, "Unknown", "unknown"),
    ("CHRG", "Unknown", "unknown"),
    ("NEWTOKEN", "Unknown", "unknown"),
    ("  ol   ob  ", "On Battery", "warning"),
]


@pytest.mark.parametrize(("raw", "display", "severity"), CASES)
def test_status_table(raw: str | None, display: str, severity: str) -> None:
    tokens = parse_status(raw)
    assert display_status(tokens) == display
    assert status_severity(tokens) == severity


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


def test_raw_strings_are_accepted_too() -> None:
    assert display_status("OB LB") == "Low Battery"
    assert status_severity("OL") == "ok"
    assert display_status(None) == "Unknown"
    assert [d["token"] for d in describe_tokens("OL CHRG")] == ["OL", "CHRG"]
