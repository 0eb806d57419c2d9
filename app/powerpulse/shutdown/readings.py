"""What a shutdown plan needs to know of one UPS, read from its live row: pure.

The stable power state comes from event detection (`poller.events`), so a battery self-test or
calibration is never "on battery" here, and a one-poll OB glitch is already an event there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from powerpulse.nut.variables import as_float


@dataclass(frozen=True)
class Reading:
    ups_id: int
    name: str
    known: bool = False  # the poller has read it at least once
    power: str | None = None  # stable "OL" / "OB", None when never seen
    on_battery_since: float | None = None  # epoch seconds
    testing: bool = False  # a self-test or calibration is running
    tokens: frozenset[str] = frozenset()
    flags: frozenset[str] = frozenset()  # stable FSD / LB (LB also from charge.low, runtime.low)
    charge: float | None = None  # %
    runtime: float | None = None  # seconds
    comm_ok: bool = True
    failing_since: float | None = None  # the first failed poll of the current failure

    @property
    def on_battery(self) -> bool:
        return self.power == "OB" and not self.testing

    @property
    def on_line(self) -> bool:
        return self.power == "OL" and self.comm_ok and self.failing_since is None


def _number(variables: Mapping[str, Any], name: str, lo: float, hi: float) -> float | None:
    value = as_float(variables.get(name))
    return value if value is not None and lo <= value <= hi else None


def from_live(
    ups_id: int,
    name: str,
    variables: Mapping[str, Any] | None,
    status_tokens: str,
    event_state: Mapping[str, Any] | None,
    now: float,
) -> Reading:
    """A reading from a live row's columns (absurd numbers are no reading)."""
    if not event_state:
        return Reading(ups_id, name)
    variables = variables or {}
    tokens = frozenset(status_tokens.split())
    power = event_state.get("power")
    since, failing = event_state.get("obSince"), event_state.get("failSince")
    ob_since: float | None = None
    if power == "OB":
        # A state written before obSince existed: count from now.
        ob_since = float(since) if isinstance(since, int | float) else now
    return Reading(
        ups_id=ups_id,
        name=name,
        known=power is not None or bool(tokens),
        power=power if power in ("OL", "OB") else None,
        on_battery_since=ob_since,
        testing=event_state.get("test") is not None or bool(tokens & {"CAL", "TEST"}),
        tokens=tokens,
        flags=frozenset(event_state.get("flags") or ()) & {"FSD", "LB"},
        charge=_number(variables, "battery.charge", 0, 100),
        runtime=_number(variables, "battery.runtime", 0, 8_640_000),
        comm_ok=bool(event_state.get("commOk", True)),
        failing_since=float(failing) if isinstance(failing, int | float) else None,
    )


def from_row(row: Any, name: str, now: float) -> Reading:
    """A reading from a `UpsLiveState` row."""
    return from_live(row.ups_id, name, row.variables, row.status_tokens, row.event_state, now)
