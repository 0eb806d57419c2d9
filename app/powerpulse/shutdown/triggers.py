"""Whether a plan's triggers hold for the current readings: pure, no clock (the caller passes
`now`, epoch seconds).

Per UPS, a trigger holds when (any of the plan's):

- `on_battery_seconds`: on battery (the stable state: a self-test is not) for at least T;
- `runtime_below_minutes` / `charge_below_percent`: on battery and the reading below the limit;
- `low_battery`: on battery with the LB flag (the LB token, or charge/runtime below the UPS's
  own low marks) — not on mains (a battery recharging) nor during a battery test;
- `fsd`: the FSD flag (an upsd primary is shutting its clients down; never part of a test);
- `comm_lost_on_battery_seconds`: no successful poll for T while the UPS was on battery.

Without `min_healthy` the plan triggers when any trigger holds for any watched UPS. With it
("at least N of these M UPS healthy"), a UPS is failing when one of its triggers holds — or,
when the plan lists no per-UPS trigger, when it is not healthy (on line power, in contact, no
FSD or LB) — and the plan triggers when fewer than N UPS are not failing.

A UPS never read (no live row yet) is neither failing nor healthy: it does not start a plan,
and it does not count towards `min_healthy`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from powerpulse.shutdown.plan import Plan, Triggers
from powerpulse.shutdown.readings import Reading


@dataclass(frozen=True)
class UpsVerdict:
    ups_id: int
    name: str
    failing: bool
    reasons: tuple[str, ...]  # the triggers that hold, in words
    # Seconds until a time-based trigger would hold if nothing else changes (the plan view).
    due_in: float | None


@dataclass(frozen=True)
class Verdict:
    holds: bool
    reason: str  # one line: why it holds (or why not)
    ups: tuple[UpsVerdict, ...]
    healthy: int  # UPS not failing (known ones only)
    due_in: float | None  # seconds until the plan would trigger if nothing changes

    def failing(self) -> list[UpsVerdict]:
        return [u for u in self.ups if u.failing]


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 120 else f"{seconds:.0f} s"


def _ups(triggers: Triggers, r: Reading, now: float, any_trigger: bool) -> UpsVerdict:
    reasons: list[str] = []
    due: list[float] = []
    if not r.known:
        return UpsVerdict(r.ups_id, r.name, False, (), None)
    if triggers.on_battery_seconds is not None and r.on_battery:
        held = now - (r.on_battery_since or now)
        if held >= triggers.on_battery_seconds:
            reasons.append(
                f"on battery for {_minutes(held)} (limit {_minutes(triggers.on_battery_seconds)})"
            )
        else:
            due.append(triggers.on_battery_seconds - held)
    limit = triggers.runtime_below_minutes
    if limit is not None and r.on_battery and r.runtime is not None and r.runtime < limit * 60:
        reasons.append(f"runtime {_minutes(r.runtime)} is below {limit:g} min")
    limit = triggers.charge_below_percent
    if limit is not None and r.on_battery and r.charge is not None and r.charge < limit:
        reasons.append(f"charge {r.charge:g}% is below {limit:g}%")
    # Only on battery, as upsmon: LB on mains (a flat battery recharging after an outage) or
    # the stable flag lingering after a calibration must not shut anything down.
    if triggers.low_battery and r.on_battery and ("LB" in r.flags or "LB" in r.tokens):
        reasons.append("low battery")
    if triggers.fsd and ("FSD" in r.flags or "FSD" in r.tokens):
        reasons.append("forced shutdown (FSD)")
    limit = triggers.comm_lost_on_battery_seconds
    if limit is not None and r.power == "OB" and r.failing_since is not None:
        lost = now - r.failing_since
        if lost >= limit:
            reasons.append(f"no contact for {_minutes(lost)} while on battery")
        else:
            due.append(limit - lost)
    failing = bool(reasons)
    if not any_trigger and not failing:
        unhealthy = []
        if r.on_battery:
            unhealthy.append("on battery")
        if not r.comm_ok:
            unhealthy.append("no contact")
        if r.flags & {"FSD", "LB"}:
            unhealthy.append(" and ".join(sorted(r.flags & {"FSD", "LB"})))
        reasons, failing = unhealthy, bool(unhealthy)
    return UpsVerdict(r.ups_id, r.name, failing, tuple(reasons), min(due) if due else None)


def evaluate(plan: Plan, readings: Mapping[int, Reading], now: float) -> Verdict:
    """Whether `plan` triggers for `readings` (by UPS id; a missing UPS is unknown)."""
    any_trigger = plan.triggers.any()
    verdicts = tuple(
        _ups(plan.triggers, readings.get(u) or Reading(u, f"UPS {u}"), now, any_trigger)
        for u in plan.ups
    )
    known = [
        v
        for v, u in zip(verdicts, plan.ups, strict=True)
        if (readings.get(u) or Reading(u, "")).known
    ]
    healthy = sum(1 for v in known if not v.failing)
    failing = [v for v in verdicts if v.failing]
    dues = [v.due_in for v in verdicts if v.due_in is not None and not v.failing]
    if plan.min_healthy is None:
        holds = bool(failing)
        reason = "; ".join(f"{v.name}: {', '.join(v.reasons)}" for v in failing)
        due = min(dues) if dues and not holds else None
    else:
        holds = bool(failing) and healthy < plan.min_healthy
        detail = "; ".join(f"{v.name}: {', '.join(v.reasons)}" for v in failing)
        reason = (
            f"redundancy lost: {healthy} of {len(plan.ups)} UPS healthy, "
            f"{plan.min_healthy} needed ({detail})"
            if holds
            else detail
        )
        # The group triggers when enough more UPS fail: the soonest of them is a lower bound.
        due = min(dues) if dues and not holds and healthy - 1 < plan.min_healthy else None
    if not holds and not reason:
        reason = "no trigger holds"
    return Verdict(holds, reason, verdicts, healthy, due)


def mains_back(plan: Plan, readings: Mapping[int, Reading]) -> bool:
    """The power has returned for this plan: no watched UPS on battery or in FSD, and enough of
    those read (all, or `min_healthy`) on line power and in contact. FSD keeps it "not back":
    upsd holds FSD until the UPS restarts, and a host woken then would shut down again."""
    rows = [r for u in plan.ups if (r := readings.get(u)) is not None and r.known]
    if any(r.on_battery or "FSD" in r.flags for r in rows):
        return False
    # A UPS never read (or deleted) cannot say the mains are back, nor keep them from it.
    needed = max(1, plan.min_healthy or len(rows))
    return sum(1 for r in rows if r.on_line) >= needed


def charge_of(plan: Plan, readings: Mapping[int, Reading]) -> float | None:
    """The lowest charge of the watched UPS that report one (the restore sequence's rule)."""
    charges = [r.charge for u in plan.ups if (r := readings.get(u)) and r.charge is not None]
    return min(charges) if charges else None
