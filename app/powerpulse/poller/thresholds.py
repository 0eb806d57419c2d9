"""Threshold conditions as events: pure functions over (stored state, one poll's readings).

A threshold watches one reading of a UPS (`METRICS`) against a limit: `above` (fires above it),
`below` (fires below it), or both (fires outside the range). It fires — an event of its
metric's kind with `details.phase` "started" — once the reading has been past the limit for
`hold` seconds on consecutive polls, and clears ("cleared") once it has been back inside by
`hysteresis` for as long. So a load hovering around its limit gives one message when it starts
and one when it clears, never a storm. A poll without the reading changes nothing.

The state lives in `event_state["thresholds"][id]` beside `poller.events`' own, and follows its
rule: waiting counts polls, so a settled state (no change, no event) stays settled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from powerpulse.nut.variables import CHARGE, LOAD, RUNTIME, TEMPERATURE, VOLTAGE, Quantity, physical


@dataclass(frozen=True)
class Metric:
    variables: tuple[str, ...]  # NUT variables to read, the first with a value wins
    kind: str  # the event kind it fires
    quantity: Quantity  # readings outside its physical range are ignored, as everywhere


METRICS: dict[str, Metric] = {
    "load": Metric(("ups.load",), "load_high", LOAD),
    "runtime": Metric(("battery.runtime",), "runtime_low", RUNTIME),
    "charge": Metric(("battery.charge",), "charge_low", CHARGE),
    "input_voltage": Metric(("input.voltage",), "input_voltage", VOLTAGE),
    "temperature": Metric(
        ("ups.temperature", "battery.temperature"), "temperature_high", TEMPERATURE
    ),
}
THRESHOLD_KINDS = tuple(dict.fromkeys(m.kind for m in METRICS.values()))


@dataclass(frozen=True)
class ThresholdSpec:
    id: int
    metric: str
    above: float | None = None
    below: float | None = None
    hold: float = 30.0
    hysteresis: float = 0.0
    name: str = ""

    @property
    def kind(self) -> str:
        return METRICS[self.metric].kind

    def reading(self, variables: Mapping[str, str]) -> float | None:
        metric = METRICS[self.metric]
        for name in metric.variables:
            if (value := physical(variables.get(name), metric.quantity)) is not None:
                return value
        return None

    def beyond(self, value: float) -> bool:
        return (self.above is not None and value > self.above) or (
            self.below is not None and value < self.below
        )

    def back_inside(self, value: float) -> bool:
        """Inside the limits by at least the hysteresis (what clearing waits for)."""
        h = self.hysteresis
        return (self.above is None or value <= self.above - h) and (
            self.below is None or value >= self.below + h
        )

    def limit_text(self) -> str:
        unit = METRICS[self.metric].quantity.unit
        if self.above is not None and self.below is not None:
            return f"outside {self.below:g} to {self.above:g} {unit}"
        if self.above is not None:
            return f"above {self.above:g} {unit}"
        return f"below {self.below:g} {unit}"


@dataclass(frozen=True)
class ThresholdEvent:
    kind: str
    details: dict[str, Any]


def evaluate(
    stored: Mapping[str, Any] | None,
    specs: tuple[ThresholdSpec, ...],
    variables: Mapping[str, str],
    now: float,
) -> tuple[dict[str, Any] | None, list[ThresholdEvent]]:
    """The new `thresholds` state and the events of this poll. None when no threshold applies
    and none was stored (the state then has no `thresholds` key at all)."""
    if not specs and not stored:
        return None, []
    known = {str(s.id) for s in specs}
    state = {k: dict(v) for k, v in (stored or {}).items() if k in known}
    events: list[ThresholdEvent] = []
    for spec in specs:
        value = spec.reading(variables)
        if value is None:
            continue
        entry = state.setdefault(str(spec.id), {"active": False, "since": None, "polls": 0})
        moving = spec.back_inside(value) if entry["active"] else spec.beyond(value)
        if not moving:
            entry["since"], entry["polls"] = None, 0
            continue
        if entry["since"] is None:
            entry["since"] = now
        entry["polls"] += 1
        if now - entry["since"] >= spec.hold:
            entry["active"] = not entry["active"]
            entry["since"], entry["polls"] = None, 0
            events.append(
                ThresholdEvent(
                    spec.kind,
                    {
                        "threshold": str(spec.id),
                        "thresholdName": spec.name,
                        "metric": spec.metric,
                        "value": value,
                        "limit": spec.limit_text(),
                        "phase": "started" if entry["active"] else "cleared",
                    },
                )
            )
    return state, events
