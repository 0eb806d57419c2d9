"""What to do next with a shutdown run: pure decisions the engine (`shutdown.engine`) applies.

`decide(plan, run, steps, mains_back=…, charge=…, running_here=…, now=…)` takes a run's state,
its steps, whether the mains are back (`triggers.mains_back`), the lowest charge
(`triggers.charge_of`), the steps with a task in this engine and `now` (epoch seconds), and says
what to change on the run, which steps to start (with their time limits) and which to stop. No
I/O, no clock. `Stabiliser` is the per-plan window a trigger must hold for before a run starts.
The rules are in the engine's module docstring.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from powerpulse.shutdown import states, triggers
from powerpulse.shutdown.plan import DEFAULT_PHASE_TIMEOUT, Action, Plan
from powerpulse.timeutil import iso

OPEN_STEP = ("pending", "running")


@dataclass(frozen=True)
class RunView:
    """What a decision needs of a run row (times in epoch seconds)."""

    id: int
    state: str
    phase: int
    phase_due_at: float | None
    phase_started_at: float | None
    restore_since: float | None
    reason: str | None = None


@dataclass(frozen=True)
class StepView:
    id: int
    section: str
    phase: int
    position: int
    state: str


@dataclass(frozen=True)
class Decision:
    """What to do with a run now. `changes` are run fields (epoch seconds for times); `start`
    the steps to run here (with their time limits); `stop` (step id, state, error) the steps
    to end; `finish` ends the run in `changes["state"]`; `wake_at` when to look again."""

    changes: dict[str, Any] = field(default_factory=dict)
    start: tuple[tuple[int, float], ...] = ()
    stop: tuple[tuple[int, str, str | None], ...] = ()
    finish: bool = False
    wake_at: float | None = None

    @property
    def idle(self) -> bool:
        return not (self.changes or self.start or self.stop or self.finish)


def _open(steps: Iterable[StepView]) -> list[StepView]:
    return [s for s in steps if s.state in OPEN_STEP]


def _phase_steps(steps: Sequence[StepView], phase: int) -> list[StepView]:
    return [s for s in steps if s.section == "phase" and s.phase == phase]


def _restore_steps(steps: Sequence[StepView]) -> list[StepView]:
    return [s for s in steps if s.section == "restore"]


def action_of(plan: Plan, step: StepView) -> Action | None:
    try:
        if step.section == "restore":
            return plan.restore.actions[step.position] if plan.restore else None
        return plan.phases[step.phase].actions[step.position]
    except IndexError:
        return None


def _own_timeout(action: Action | None) -> float:
    if action is None:
        return DEFAULT_PHASE_TIMEOUT
    try:
        own = action.kind.timeout(action.params)
    except Exception:  # a broken type: the default limit still applies
        own = None
    return float(own) if own else DEFAULT_PHASE_TIMEOUT


def _final_state(plan: Plan, run: RunView) -> str:
    return "completed" if run.phase >= len(plan.phases) else "cancelled"


def _has_restore(plan: Plan) -> bool:
    return plan.restore is not None and bool(plan.restore.actions)


def _finish(
    plan: Plan, run: RunView, steps: Sequence[StepView], reason: str, now: float
) -> Decision:
    """End the run: whatever still runs is stopped (pending steps are skipped by the store)."""
    stop = tuple(
        (s.id, "failed", "the run ended before it finished") for s in steps if s.state == "running"
    )
    return Decision(
        changes={
            "state": _final_state(plan, run) if run.state != "cancelled" else "cancelled",
            "reason": reason,
        },
        stop=stop,
        finish=True,
    )


def decide(
    plan: Plan,
    run: RunView,
    steps: Sequence[StepView],
    *,
    mains_back: bool,
    charge: float | None,
    running_here: frozenset[int],
    now: float,
    failed_again: bool = False,
) -> Decision:
    """The next move of `run` (see the module docstring). `running_here` are the steps with a
    task in this engine; a "running" step without one was left by a dead engine: run again.
    `failed_again`: the mains came back after the run started and the plan's trigger holds
    again — a run waiting to restore (or restoring) ends, so that a new run protects the hosts
    through this new outage instead of the old run blocking the plan."""
    if run.state == "cancelled":  # by the API: stop what runs, end it
        return _finish(plan, run, steps, run.reason or "cancelled", now)
    if run.state == "running":
        return _running(plan, run, steps, mains_back=mains_back, running_here=running_here, now=now)
    if failed_again and run.state in states.RESTORE:
        return _finish(plan, run, steps, "the power failed again before the hosts were back", now)
    if run.state == "waiting_restore":
        return _waiting_restore(plan, run, mains_back=mains_back, charge=charge, now=now)
    if run.state == "restoring":
        pending = _open(_restore_steps(steps))
        if not pending:
            return _finish(plan, run, steps, _restored_reason(plan, run), now)
        start = tuple(
            (s.id, _own_timeout(action_of(plan, s))) for s in pending if s.id not in running_here
        )
        return Decision(start=start)
    return Decision()  # completed / cancelled rows are not active: nothing to do


def _restored_reason(plan: Plan, run: RunView) -> str:
    if run.phase >= len(plan.phases):
        return "every phase ran; the restore sequence ran"
    return f"{run.reason or 'cancelled'}; the restore sequence ran"


def _running(
    plan: Plan,
    run: RunView,
    steps: Sequence[StepView],
    *,
    mains_back: bool,
    running_here: frozenset[int],
    now: float,
) -> Decision:
    index = run.phase
    if index >= len(plan.phases):  # every phase ran
        if _has_restore(plan):
            return Decision(
                changes={
                    "state": "waiting_restore",
                    "restore_since": now if mains_back else None,
                    "reason": "every phase ran; waiting for the mains to return",
                }
            )
        return _finish(plan, run, steps, f"every phase ran ({len(plan.phases)})", now)
    phase = plan.phases[index]
    mine = _phase_steps(steps, index)
    if run.phase_started_at is None:
        if mains_back and plan.cancel_on_restore:
            reason = f"power returned before phase '{phase.name}'"
            skipped = tuple(
                (s.id, "skipped", None)
                for s in steps
                if s.section == "phase" and s.state == "pending"
            )
            if index > 0 and _has_restore(plan):
                return Decision(
                    changes={"state": "waiting_restore", "restore_since": now, "reason": reason},
                    stop=skipped,
                )
            return Decision(
                changes={"state": "cancelled", "reason": reason}, stop=skipped, finish=True
            )
        due = run.phase_due_at if run.phase_due_at is not None else now
        if now < due:
            return Decision(wake_at=due)
        deadline = now + phase.timeout_seconds
        return Decision(
            changes={"phase_started_at": now},
            start=tuple((s.id, _limit(plan, s, deadline, now)) for s in _open(mine)),
            wake_at=deadline,
        )
    deadline = run.phase_started_at + phase.timeout_seconds
    pending = _open(mine)
    if pending and now < deadline:
        start = tuple(
            (s.id, _limit(plan, s, deadline, now)) for s in pending if s.id not in running_here
        )
        return Decision(start=start, wake_at=deadline)
    stop = tuple(
        (s.id, "timed_out", f"phase '{phase.name}' timed out after {phase.timeout_seconds:g} s")
        for s in pending
    )
    following = index + 1
    next_due = now + plan.phases[following].delay_seconds if following < len(plan.phases) else None
    return Decision(
        changes={"phase": following, "phase_started_at": None, "phase_due_at": next_due},
        stop=stop,
        wake_at=next_due,
    )


def _limit(plan: Plan, step: StepView, deadline: float, now: float) -> float:
    """An action's time limit: its own, capped by what its phase has left."""
    return max(0.0, min(_own_timeout(action_of(plan, step)), deadline - now))


def _waiting_restore(
    plan: Plan, run: RunView, *, mains_back: bool, charge: float | None, now: float
) -> Decision:
    restore = plan.restore
    if restore is None or not restore.actions:
        return Decision(changes={"state": "restoring"})  # nothing to run: ends at once
    if not mains_back:
        return (
            Decision(changes={"restore_since": None})
            if run.restore_since is not None
            else Decision()
        )
    if run.restore_since is None:
        return Decision(changes={"restore_since": now}, wake_at=now + restore.after_seconds)
    ready_at = run.restore_since + restore.after_seconds
    if now < ready_at:
        return Decision(wake_at=ready_at)
    if restore.min_charge_percent is not None and (
        charge is None or charge < restore.min_charge_percent
    ):
        return Decision()  # the charge is read again every turn
    return Decision(changes={"state": "restoring"})


@dataclass
class Stabiliser:
    """Since when each plan's trigger has held without a break (in memory: a restart starts
    the count again, which only delays a run by the stabilisation window)."""

    since: dict[int, float] = field(default_factory=dict)

    def observe(self, plan_id: int, holds: bool, window: float, now: float) -> bool:
        """True once the trigger has held for `window` seconds."""
        if not holds:
            self.since.pop(plan_id, None)
            return False
        start = self.since.setdefault(plan_id, now)
        return now - start >= window

    def forget(self, plan_id: int) -> None:
        self.since.pop(plan_id, None)


def trigger_record(verdict: triggers.Verdict, plan: Plan, now: float) -> dict[str, Any]:
    """The run's `trigger`: why, which UPS, when."""
    failing = verdict.failing() or list(verdict.ups)
    return {
        "reason": verdict.reason,
        "ups": [{"id": u.ups_id, "name": u.name} for u in failing],
        "at": iso(datetime.fromtimestamp(now, UTC)),
    }
