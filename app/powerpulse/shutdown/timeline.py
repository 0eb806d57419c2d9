"""What a plan would run when, and what looks wrong with it: pure (the plan view, the dry run).

Offsets are seconds after the run starts (its trigger having held for `stabilise_seconds`), in
the worst case, as the engine runs a plan: phases one after the other, the actions of a phase
all at once when it starts. Each action may take its own timeout (the default phase timeout when
it has none), never more than its phase's timeout. Phase k starts once every earlier phase took
its delay and its whole timeout, plus its own delay. A phase ends as soon as all its actions are
done, and the next one then starts sooner: these offsets are the latest a step starts, not when
it will.

The restore sequence's offsets count from the moment the mains are back: its actions start
together after `restore.after_seconds` of steady mains (later while the charge is below its
minimum), each within its own timeout.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from powerpulse.shutdown.plan import DEFAULT_PHASE_TIMEOUT, Action, Plan
from powerpulse.shutdown.readings import Reading


@dataclass(frozen=True)
class Step:
    section: str  # "phase" or "restore"
    phase: int  # the phase's index (0 for the restore sequence)
    phase_name: str
    action: Action
    starts_at: float  # seconds after the run starts (restore: after the mains are back)
    timeout: float  # the most it may take: its own timeout within its phase's
    destructive: str | None  # why testing it needs a confirmation, or None


@dataclass(frozen=True)
class Timeline:
    steps: tuple[Step, ...]
    total_seconds: float  # the worst case from the run's start to the end of the last phase

    def phase_steps(self) -> list[Step]:
        return [s for s in self.steps if s.section == "phase"]


def own_timeout(action: Action) -> float:
    """The action's own limit, as the engine applies it (the default phase timeout if none)."""
    own = action.kind.timeout(action.params)
    return float(own) if own else DEFAULT_PHASE_TIMEOUT


def _together(
    section: str, phase: int, name: str, actions: Iterable[Action], start: float, limit: float
) -> list[Step]:
    """Actions started together at `start`, each bounded by `limit` as well as its own."""
    return [
        Step(
            section,
            phase,
            name,
            action,
            start,
            min(own_timeout(action), limit),
            action.kind.destructive(action.params),
        )
        for action in actions
    ]


def walk(plan: Plan) -> Timeline:
    """Every step of `plan` with its worst-case start."""
    steps: list[Step] = []
    at = 0.0
    for index, phase in enumerate(plan.phases):
        at += phase.delay_seconds
        steps += _together("phase", index, phase.name, phase.actions, at, phase.timeout_seconds)
        at += phase.timeout_seconds
    if plan.restore is not None:
        after = plan.restore.after_seconds
        steps += _together("restore", 0, "Restore", plan.restore.actions, after, math.inf)
    return Timeline(tuple(steps), at)


def _minutes(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.1f}".removesuffix(".0") + " min"


def warnings(
    plan: Plan,
    timeline: Timeline,
    readings: Mapping[int, Reading],
    existing_ups: Collection[int],
) -> list[str]:
    """What the plan view flags: limits that cut actions short, a battery that will not last,
    UPS that no longer exist, an FSD sent to a UPS the plan does not watch, SSH without a
    pinned host key."""
    out: list[str] = []
    for phase in plan.phases:
        for action in phase.actions:
            own = action.kind.timeout(action.params)
            if own is not None and own > phase.timeout_seconds:
                out.append(
                    f"Phase {phase.name!r}: {action.describe()!r} may take up to "
                    f"{_minutes(own)}, more than the phase's {_minutes(phase.timeout_seconds)} "
                    "timeout (it is stopped then)"
                )
    if not plan.enabled:
        out.append("The plan is disabled: it never starts")
    # The battery drains while the trigger stabilises too.
    total = plan.stabilise_seconds + timeline.total_seconds
    limit = plan.triggers.runtime_below_minutes
    if limit is not None and limit * 60 < total:
        out.append(
            f"The plan needs up to {_minutes(total)}, but its runtime trigger fires at "
            f"{_minutes(limit * 60)} of runtime left"
        )
    for ups_id in plan.ups:
        r = readings.get(ups_id)
        if r is not None and r.runtime is not None and r.runtime < total:
            out.append(
                f"The plan needs up to {_minutes(total)}, {r.name} reports "
                f"{_minutes(r.runtime)} of runtime"
            )
    for ups_id in sorted(plan.ups_ids() - set(existing_ups)):
        out.append(f"UPS {ups_id} no longer exists (the plan still names it)")
    for action in plan.actions():
        json = action.kind.to_json(action.params)
        if action.type == "nut_fsd" and json.get("ups_id") not in plan.ups:
            out.append(
                f"Action {action.describe()!r} sets FSD on UPS {json.get('ups_id')}, "
                "which the plan does not watch"
            )
        if action.type == "ssh" and not json.get("host_key"):
            out.append(
                f"Action {action.describe()!r} has no pinned host key: any server answering at "
                "that address is trusted (fetch and confirm its key)"
            )
    return out
