"""Drivers' wordings of `ups.test.result`, normalised."""

from __future__ import annotations

import pytest

from powerpulse.nut.test_result import normalise_test_result


@pytest.mark.parametrize(
    ("raw", "outcome"),
    [
        ("Done and passed", "passed"),
        ("Done and warning", "passed"),
        ("Done and error", "failed"),
        ("Aborted", "aborted"),
        ("OK", "passed"),
        ("failed", "failed"),
        ("aborted", "aborted"),
        ("invalid", "failed"),
        ("Passed", "passed"),
        ("Failed - battery bad", "failed"),
        ("No test initiated", "unknown"),
        ("In progress", "unknown"),
        ("", "unknown"),
        (None, "unknown"),
    ],
)
def test_driver_wordings(raw: str | None, outcome: str) -> None:
    assert normalise_test_result(raw) == outcome
