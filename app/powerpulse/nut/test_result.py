"""`ups.test.result` in the drivers' own words → passed / failed / aborted / unknown.

Drivers word it differently: usbhid-ups "Done and passed" / "Done and warning" / "Done and
error" / "Aborted", apcsmart "OK" / "failed" / "aborted" / "invalid", blazer/nutdrv_qx
"Done and error", bcmxcp "Passed" / "Failed", others "No test initiated" or a vendor code.
A warning counts as passed (the test ran to its end); anything not recognised is "unknown".
"""

from __future__ import annotations

import re

_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("aborted", re.compile(r"\babort|\bcancel|\binterrupt")),
    ("failed", re.compile(r"fail|error|\bbad\b|\binvalid\b|\bnot passed\b")),
    ("passed", re.compile(r"pass|\bok\b|\bgood\b|\bsuccess|done and warning")),
)


def normalise_test_result(raw: str | None) -> str:
    """One of "passed", "failed", "aborted", "unknown"."""
    text = (raw or "").strip().lower()
    for outcome, pattern in _RULES:
        if pattern.search(text):
            return outcome
    return "unknown"
