"""`ups.status` tokens → one power state, a list of conditions, a severity and a summary bucket.

This module is the only status table in PowerPulse: the API serves it (`GET /api/status-model`
and each UPS's `status`/`powerState`/`conditions`/`severity`/`summaryBucket`), the poller's
event detection and the notifications use its words, and the web UI renders what the API says.

The headline (`status`, the seed's field) is the *power state* only; battery and alarm
conditions never replace it ("OL RB" is Online with a Replace Battery condition). Decided:

    tokens present (first match wins)         power state        severity
    FSD                                       Forced Shutdown    critical
    OB (or LB without OL) with LB             Low Battery        critical
    OB with CAL                               Calibration        info   (a test, not lost mains)
    OB with TEST                              Self Test          info
    OB                                        On Battery         warning
    OFF                                       Off                critical (load not fed)
    OL or BYPASS, with CAL / TEST             Calibration / Self Test  info
    OL or BYPASS                              Online             ok
    CAL / TEST alone                          Calibration / Self Test  info
    WAIT, nothing, or only other tokens       Unknown            unknown

Every other token is a condition (table `CONDITIONS`); a token PowerPulse does not know is kept
as an `unknown_flag` condition and never makes the status unknown. `severity` is the worst of
the power state and its conditions. Each UPS falls in exactly one summary bucket.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Ranked from best to worst. Not knowing the power state is worse than any good news (a
# lone CHRG must not look green) and better than a warning (RB alone is still a warning).
SEVERITIES = ("ok", "info", "unknown", "warning", "critical")
UNKNOWN = "Unknown"
ALARM_TEXT_MAX = 200


@dataclass(frozen=True)
class PowerState:
    code: str
    label: str
    severity: str
    # The summary bucket when no condition is worse than the power state itself.
    bucket: str


ONLINE = PowerState("online", "Online", "ok", "online")
ON_BATTERY = PowerState("on_battery", "On Battery", "warning", "onBattery")
LOW_BATTERY = PowerState("low_battery", "Low Battery", "critical", "onBattery")
FSD = PowerState("fsd", "Forced Shutdown", "critical", "alarm")
CALIBRATION = PowerState("calibration", "Calibration", "info", "online")
SELF_TEST = PowerState("self_test", "Self Test", "info", "online")
OFF = PowerState("off", "Off", "critical", "alarm")
UNKNOWN_STATE = PowerState("unknown", UNKNOWN, "unknown", "unknown")

POWER_STATES: tuple[PowerState, ...] = (
    ONLINE,
    ON_BATTERY,
    LOW_BATTERY,
    FSD,
    CALIBRATION,
    SELF_TEST,
    OFF,
    UNKNOWN_STATE,
)
_BY_CODE = {state.code: state for state in POWER_STATES}


def runs_on_battery(power_state: str | None) -> bool:
    """Whether a power state (its code) means the mains are lost (on battery, low battery)."""
    state = _BY_CODE.get(power_state or "")
    return state is not None and state.bucket == ON_BATTERY.bucket


# Summary buckets, in display order: every UPS counts in exactly one.
BUCKETS: tuple[tuple[str, str], ...] = (
    ("online", "Online"),
    ("onBattery", "On battery"),
    ("alarm", "Needs attention"),
    ("unknown", "Unknown"),
)


@dataclass(frozen=True)
class ConditionKind:
    token: str
    code: str
    label: str
    severity: str


# Tokens that qualify the power state. LB, CAL, TEST and OFF are conditions only when the power
# state does not already say them (e.g. "OL LB": charging from empty with mains present).
CONDITIONS: tuple[ConditionKind, ...] = (
    ConditionKind("OVER", "overload", "Overload", "critical"),
    ConditionKind("OFF", "off", "Output off", "critical"),
    ConditionKind("RB", "replace_battery", "Replace Battery", "warning"),
    ConditionKind("BYPASS", "bypass", "Bypass", "warning"),
    ConditionKind("ALARM", "alarm", "Alarm", "warning"),
    ConditionKind("LB", "low_battery", "Low Battery", "warning"),
    ConditionKind("CAL", "calibration", "Calibration", "info"),
    ConditionKind("TEST", "self_test", "Self Test", "info"),
    ConditionKind("TRIM", "trimming", "Trimming Voltage", "info"),
    ConditionKind("BOOST", "boosting", "Boosting Voltage", "info"),
    ConditionKind("HB", "high_battery", "High Battery", "info"),
    ConditionKind("ECO", "eco", "ECO Mode", "info"),
    ConditionKind("HE", "eco", "ECO Mode", "info"),
    ConditionKind("DISCHRG", "discharging", "Discharging", "info"),
    ConditionKind("CHRG", "charging", "Charging", "ok"),
)
_CONDITION_BY_TOKEN = {c.token: c for c in CONDITIONS}
UNKNOWN_FLAG = ConditionKind("", "unknown_flag", "Flag {token}", "info")
# Tokens that only ever speak about the power state.
_POWER_TOKENS = frozenset({"OL", "OB", "FSD", "WAIT"})
# Which condition token the power state already expresses.
_EXPRESSED = {"low_battery": "LB", "calibration": "CAL", "self_test": "TEST", "off": "OFF"}

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


@dataclass(frozen=True)
class Condition:
    code: str
    label: str
    severity: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "label": self.label, "severity": self.severity}


@dataclass(frozen=True)
class StatusView:
    """Everything the product says about one `ups.status`."""

    tokens: tuple[str, ...]
    power: PowerState
    conditions: tuple[Condition, ...]

    @property
    def severity(self) -> str:
        ranks = [SEVERITIES.index(self.power.severity)]
        ranks += [SEVERITIES.index(c.severity) for c in self.conditions]
        return SEVERITIES[max(ranks)]

    @property
    def bucket(self) -> str:
        if self.power is UNKNOWN_STATE:
            return "unknown"
        if self.power.bucket == "onBattery":
            return "onBattery"
        return "alarm" if self.severity in ("warning", "critical") else self.power.bucket

    @property
    def testing(self) -> bool:
        """A battery test or calibration is running (on battery or not)."""
        return "CAL" in self.tokens or "TEST" in self.tokens


def parse_status(raw: str | None) -> tuple[str, ...]:
    """Split a raw `ups.status` value into upper-case tokens, duplicates dropped."""
    if not raw:
        return ()
    return tuple(dict.fromkeys(token.upper() for token in raw.split()))


def _tokens(tokens: Iterable[str] | str | None) -> tuple[str, ...]:
    # A raw "OB LB" string is accepted too: iterating it would give letters.
    if tokens is None or isinstance(tokens, str):
        return parse_status(tokens)
    return tuple(tokens)


def power_state(tokens: Iterable[str] | str | None) -> PowerState:
    """The headline power state (see the module table)."""
    present = set(_tokens(tokens))
    if "FSD" in present:
        return FSD
    on_battery = "OB" in present
    if "LB" in present and (on_battery or "OL" not in present):
        return LOW_BATTERY
    if on_battery:
        return _test_state(present) or ON_BATTERY
    if "OFF" in present:
        return OFF
    if "OL" in present or "BYPASS" in present:
        return _test_state(present) or ONLINE
    return _test_state(present) or UNKNOWN_STATE


def _test_state(present: set[str]) -> PowerState | None:
    if "CAL" in present:
        return CALIBRATION
    if "TEST" in present:
        return SELF_TEST
    return None


def classify(tokens: Iterable[str] | str | None, alarm: str | None = None) -> StatusView:
    """Power state plus conditions. `alarm` is `ups.alarm`'s text, shown in the Alarm label."""
    present = _tokens(tokens)
    power = power_state(present)
    expressed = _EXPRESSED.get(power.code)
    conditions: dict[str, Condition] = {}
    for token in present:
        if token in _POWER_TOKENS or token == expressed:
            continue
        kind = _CONDITION_BY_TOKEN.get(token)
        if kind is None:
            conditions[f"?{token}"] = Condition(
                UNKNOWN_FLAG.code, UNKNOWN_FLAG.label.format(token=token), UNKNOWN_FLAG.severity
            )
            continue
        label = kind.label
        if kind.code == "alarm" and alarm and alarm.strip():
            label = f"Alarm: {alarm.strip()[:ALARM_TEXT_MAX]}"
        conditions.setdefault(kind.code, Condition(kind.code, label, kind.severity))
    ordered = sorted(conditions.values(), key=lambda c: -SEVERITIES.index(c.severity))
    return StatusView(present, power, tuple(ordered))


def display_status(tokens: Iterable[str] | str | None) -> str:
    """The seed's `status` word: the power state's label."""
    return power_state(tokens).label


def status_severity(tokens: Iterable[str] | str | None) -> str:
    """The worst severity of the power state and its conditions."""
    return classify(tokens).severity


def state_by_code(code: str) -> PowerState:
    return _BY_CODE.get(code, UNKNOWN_STATE)


def describe_tokens(tokens: Sequence[str] | str | None) -> list[dict[str, str]]:
    """Each raw token with its meaning, for the UI (unknown tokens say so)."""
    return [
        {"token": t, "meaning": TOKEN_MEANINGS.get(t, "Status flag not known to PowerPulse")}
        for t in _tokens(tokens)
    ]


def status_model() -> dict[str, object]:
    """The whole model, as `GET /api/status-model` serves it to the UI."""
    seen: set[str] = set()
    conditions = []
    for kind in (*CONDITIONS, UNKNOWN_FLAG):
        if kind.code in seen:
            continue
        seen.add(kind.code)
        conditions.append(
            {"code": kind.code, "label": kind.label, "severity": kind.severity, "token": kind.token}
        )
    return {
        "severities": list(SEVERITIES),
        "powerStates": [
            {"code": s.code, "label": s.label, "severity": s.severity, "bucket": s.bucket}
            for s in POWER_STATES
        ],
        "conditions": conditions,
        "buckets": [{"code": code, "label": label} for code, label in BUCKETS],
        "tokens": [{"token": t, "meaning": m} for t, m in TOKEN_MEANINGS.items()],
    }
