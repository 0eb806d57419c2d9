"""`ups.status` tokens → the seed's display words and a severity.

The display word is the first row of `_DISPLAY` whose tokens are all present (most severe
first); the severity is the worst severity of any token present. Decided table:

    row  tokens present   display            token severity
    1    FSD              "Forced Shutdown"  critical
    2    LB               "Low Battery"      critical  (OB LB is the shutdown trigger)
    3    OB               "On Battery"       warning
    4    RB               "Replace Battery"  warning
    5    OVER             "Overload"         critical
    6    BYPASS           "Bypass"           warning   (no battery protection)
    7    OFF              "Off"              critical  (the UPS is not feeding the load)
    8    CAL              "Calibration"      info
    9    TEST             "Self Test"        info
    10   ALARM            "Alarm"            warning   (details are in ups.alarm)
    11   OL               "Online"           ok        (TRIM/BOOST/HB/ECO/HE: info, still Online)
    -    WAIT, nothing, or only tokens we do not know → "Unknown", severity "unknown"

Unknown tokens are kept and never fatal; CHRG/DISCHRG only describe the charger.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

SEVERITIES = ("ok", "info", "warning", "critical")

_DISPLAY: tuple[tuple[str, str], ...] = (
    ("FSD", "Forced Shutdown"),
    ("LB", "Low Battery"),
    ("OB", "On Battery"),
    ("RB", "Replace Battery"),
    ("OVER", "Overload"),
    ("BYPASS", "Bypass"),
    ("OFF", "Off"),
    ("CAL", "Calibration"),
    ("TEST", "Self Test"),
    ("ALARM", "Alarm"),
    ("OL", "Online"),
)

_SEVERITY: dict[str, str] = {
    "FSD": "critical",
    "LB": "critical",
    "OVER": "critical",
    "OFF": "critical",
    "OB": "warning",
    "RB": "warning",
    "BYPASS": "warning",
    "ALARM": "warning",
    "CAL": "info",
    "TEST": "info",
    "TRIM": "info",
    "BOOST": "info",
    "HB": "info",
    "ECO": "info",
    "HE": "info",
    "OL": "ok",
    "CHRG": "ok",
    "DISCHRG": "ok",
}

TOKEN_MEANINGS: dict[str, str] = {
    "OL": "On line: mains power present",
    "OB": "On battery: mains power absent",
    "LB": "Low battery",
    "HB": "High battery",
    "RB": "Battery needs replacement",
    "CHRG": "Battery charging",
    "DISCHRG": "Battery discharging",
    "BYPASS": "Bypass active: no battery protection",
    "CAL": "Runtime calibration in progress",
    "OFF": "UPS is off: not supplying the load",
    "OVER": "Overloaded",
    "TRIM": "Trimming high input voltage",
    "BOOST": "Boosting low input voltage",
    "FSD": "Forced shutdown",
    "ALARM": "Alarm (see ups.alarm)",
    "WAIT": "Waiting for the driver's first data",
    "TEST": "Self-test running",
    "ECO": "High-efficiency (ECO) mode",
    "HE": "High-efficiency (ECO) mode",
}

UNKNOWN = "Unknown"


def parse_status(raw: str | None) -> tuple[str, ...]:
    """Split a raw `ups.status` value into upper-case tokens (None/blank → ())."""
    if not raw:
        return ()
    return tuple(token.upper() for token in raw.split())


def _tokens(tokens: Iterable[str] | str | None) -> tuple[str, ...]:
    # A raw "OB LB" string is accepted too: iterating it would give letters.
    if tokens is None or isinstance(tokens, str):
        return parse_status(tokens)
    return tuple(tokens)


def display_status(tokens: Iterable[str] | str | None) -> str:
    """The seed's display word for a status (see the module table)."""
    present = set(_tokens(tokens))
    for token, word in _DISPLAY:
        if token in present:
            return word
    return UNKNOWN


def status_severity(tokens: Iterable[str] | str | None) -> str:
    """One of "ok", "info", "warning", "critical"; "unknown" when the status is Unknown."""
    present = _tokens(tokens)
    if display_status(present) == UNKNOWN:
        return "unknown"
    ranks = [SEVERITIES.index(_SEVERITY[t]) for t in present if t in _SEVERITY]
    return SEVERITIES[max(ranks)] if ranks else "unknown"


def describe_tokens(tokens: Sequence[str] | str | None) -> list[dict[str, str]]:
    """Each raw token with its meaning, for the UI (unknown tokens say so)."""
    return [
        {"token": t, "meaning": TOKEN_MEANINGS.get(t, "Status flag not known to PowerPulse")}
        for t in _tokens(tokens)
    ]
