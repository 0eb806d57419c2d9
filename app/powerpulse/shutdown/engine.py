"""The shutdown engine: runs plans in the poller worker, from the trigger to the restore.

`ShutdownEngine(settings).run(stop)` is a task next to the dispatcher. It wakes after every poll
(`wake()`, the poller's hook) and at least once a second (sooner when a phase is due). Each
turn: reload the enabled plans when the `config` counter moved, read the live rows of their UPS,
and for each plan without an active run evaluate its triggers (`shutdown.triggers`): a trigger
must hold continuously for the plan's `stabilise_seconds` (in memory, per plan) before a run
starts. A plan runs once per outage: after a run ends it starts again only once the mains came
back after that run started (seen by this engine, or an `online` event of one of its UPS since
then) — so a completed run whose UPS stays on battery is not started over and over, a runtime
that rebounds once the first hosts are down does not start it again, and an admin's cancel
sticks. A run waiting to restore (or restoring) ends when the power fails again after having
come back, so the new outage gets a new run. Then it drives the active runs it holds the claim
of.

A run moves by the pure `shutdown.progress.decide(...)`: given the plan, the run, its steps,
whether the mains are back, the lowest charge, the steps running here and `now`, it says what
to change, which steps to start and which to stop. The engine applies it with conditional writes
(`shutdown.run_store`) and repeats until nothing changes, so one turn can end a phase and start
the next when its delay is 0. States: running → (waiting_restore → restoring) → completed, or
cancelled (the power returned before a phase with `cancel_on_restore`, or the API cancelled it:
the state is read again in the statement that starts each step). A run that was cut short and
then ran its restore sequence ends "cancelled" too (its `reason` says why): "completed" means
every phase ran.

Actions run as tasks, never inside the turn: polling is never blocked. Each action's time limit
is its own, capped by what its phase has left; at the phase's deadline whatever still runs is
cancelled and marked timed_out. A restore action has its own limit (or the default phase
timeout).

Crash resume: the engine driving a run holds its claim (`claimed_by` / `claimed_until`, a
lease renewed every `renew_every` seconds). When the claim expires — its poller was killed —
the next engine's turn claims the run (a crashed engine of this same machine is taken over at
once, as pollers take over leases). Steps already succeeded, failed or timed_out are never run
again. A step the dead engine left "running" is run again (attempts + 1): we cannot know
whether it finished, and a shutdown command that runs twice (a second `poweroff`, a second
WoL packet) does far less harm than a host left running on a battery that runs out. Phase
timing resumes from the stored `phase_started_at` / `phase_due_at`. A clean stop (SIGTERM)
cancels the actions in flight and releases the claims, so the next engine takes over at once.
The lease (15 s, renewed every quarter of it, at most 2.5 s) is a constructor argument, or
SHUTDOWN_LEASE_SECONDS (for tests).

The engine never crashes the poller: a broken plan or action is logged and recorded on the run
(a run whose stored definition no longer loads ends "failed"), the other plans keep running.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from powerpulse.audit import store as audit_store
from powerpulse.config import Settings
from powerpulse.db import counters
from powerpulse.db.models import (
    Event,
    ShutdownPlan,
    ShutdownRun,
    ShutdownStep,
    UpsLiveState,
    UpsSystem,
)
from powerpulse.notify.messages import SHUTDOWN_KINDS
from powerpulse.poller import lease_store, leases
from powerpulse.shutdown import readings as rd
from powerpulse.shutdown import run_store as store
from powerpulse.shutdown import states, targets, triggers
from powerpulse.shutdown.actions.base import Outcome
from powerpulse.shutdown.plan import Action, Plan, load_plan
from powerpulse.shutdown.progress import (
    Decision,
    RunView,
    Stabiliser,
    StepView,
    action_of,
    decide,
    trigger_record,
)

log = logging.getLogger(__name__)
audit = logging.getLogger("powerpulse.audit")

TICK = 1.0  # the longest sleep between two turns
LEASE = 15.0  # seconds a claim on a run lasts without renewal
RENEW_EVERY = 2.5
MIN_GAP = 0.05  # seconds between two turns at least
MAX_MOVES = 20  # decisions applied per run and turn (a plan of empty phases ends in one turn)

STARTED, STEP_FAILED, FINISHED = SHUTDOWN_KINDS


# -- the engine ------------------------------------------------------------------------------------
@dataclass
class LoadedPlan:
    id: int
    plan: Plan
    definition: dict[str, Any]


class ShutdownEngine:
    def __init__(
        self,
        settings: Settings,
        *,
        lease: float | None = None,
        renew_every: float | None = None,
        tick: float = TICK,
        engine_id: str | None = None,
    ) -> None:
        self.settings = settings
        # SHUTDOWN_LEASE_SECONDS is for tests (the kill -9 test runs the real poller process).
        self.lease = lease or settings.shutdown_lease_seconds or LEASE
        self.renew_every = renew_every or min(RENEW_EVERY, self.lease / 4)
        self.tick = tick
        self.id = engine_id or leases.poller_id(
            socket.gethostname(), os.getpid(), lease_store.process_space(), secrets.token_hex(4)
        )
        self.plans: dict[int, LoadedPlan] = {}
        self.names: dict[int, str] = {}
        self.config_version: int | None = None
        self.stabiliser = Stabiliser()
        self._started: set[int] = set()  # runs started in the current turn
        # When each plan's mains were last seen back (epoch seconds): a plan is armed again once
        # the mains came back after its last run started (once per outage; see `_armed`).
        self._mains_back_at: dict[int, float] = {}
        self.tasks: dict[int, asyncio.Task[None]] = {}  # step id -> its action's task
        self._task_runs: dict[int, int] = {}  # step id -> its run id
        self._run_plans: dict[int, Plan | None] = {}  # run id -> its definition, loaded
        self._broken: set[int] = set()  # plan ids already logged as unreadable
        self._renewed = 0.0
        self._turned = 0.0
        self._wake = asyncio.Event()
        self._next_wake: float | None = None

    def wake(self) -> None:
        """Look now (called after every poll)."""
        self._wake.set()

    # -- loading -----------------------------------------------------------------------------
    async def reload_plans(self, force: bool = False) -> bool:
        version = await counters.read(counters.CONFIG)
        if not force and version == self.config_version:
            return False
        plans: dict[int, LoadedPlan] = {}
        for row in await ShutdownPlan.filter(enabled=True).order_by("id"):
            definition = dict(row.definition or {})
            try:
                plan = load_plan(definition)
            except Exception as err:
                if row.id not in self._broken:
                    log.error("shutdown plan %r cannot be used: %s", row.name, err)
                    self._broken.add(row.id)
                continue
            self._broken.discard(row.id)
            if plan.enabled:
                plans[row.id] = LoadedPlan(row.id, plan, definition)
        for gone in set(self.plans) - set(plans):
            self.stabiliser.forget(gone)
        self.plans = plans
        self.names = {
            u.id: u.nickname or u.name for u in await UpsSystem.all().only("id", "name", "nickname")
        }
        self.config_version = version
        return True

    async def _readings(self, ups_ids: set[int], now: float) -> dict[int, rd.Reading]:
        if not ups_ids:
            return {}
        rows = await UpsLiveState.filter(ups_id__in=list(ups_ids))
        return {
            r.ups_id: rd.from_row(r, self.names.get(r.ups_id, f"UPS {r.ups_id}"), now)  # type: ignore[attr-defined]
            for r in rows
        }

    # -- one turn ----------------------------------------------------------------------------
    async def turn(self) -> None:
        """One look: reload, renew, take over orphaned runs, drive ours, start new runs."""
        now = time.time()
        await self.reload_plans()
        runs = await store.active_runs()
        if time.monotonic() - self._renewed >= self.renew_every:
            await store.renew(self.id, now, self.lease)
            self._renewed = time.monotonic()
            runs = await store.active_runs()
        mine: list[ShutdownRun] = []
        for run in runs:
            ours = run.claimed_by == self.id and (store.epoch(run.claimed_until) or 0) > now
            if ours or await self._take(run, now):
                mine.append(run)
            else:  # another engine holds it (it took it over while we stalled): ours must stop
                self._cancel_tasks_of(run.id)
        active_plans = {r.active_plan_id for r in runs}
        ups_ids = {u for p in self.plans.values() for u in p.plan.ups}
        run_plans = {r.id: self._plan_of(r) for r in mine}
        ups_ids |= {u for p in run_plans.values() if p is not None for u in p.ups}
        readings = await self._readings(ups_ids, now)
        self._next_wake = None
        for run in mine:
            try:
                await self._drive(run, run_plans[run.id], readings)
            except Exception:
                log.exception(
                    "shutdown run %s (%s): a step of the engine failed", run.id, run.plan_name
                )
        for loaded in self.plans.values():
            if loaded.id in active_plans:
                self.stabiliser.forget(loaded.id)
                continue
            try:
                await self._consider(loaded, readings, now)
            except Exception:
                log.exception("shutdown plan %r: could not evaluate or start it", loaded.plan.name)
        # Runs started in this turn are in `_run_plans` already: they count as active.
        await self._closed_elsewhere({r.id for r in runs} | self._started)
        self._started.clear()

    async def _take(self, run: ShutdownRun, now: float) -> bool:
        holder = run.claimed_by or ""
        expired = (store.epoch(run.claimed_until) or 0) <= now
        dead = (
            holder
            if holder and leases.crashed_neighbour(holder, self.id, lease_store.pid_alive)
            else ""
        )
        if holder and not expired and not dead:
            return False
        if not await store.claim(run.id, self.id, dead, now, self.lease):
            return False
        log.warning(
            "shutdown run %s (%s): taken over from %s (its engine stopped)",
            run.id,
            run.plan_name,
            holder or "nobody",
        )
        run.claimed_by = self.id
        return True

    def _plan_of(self, run: ShutdownRun) -> Plan | None:
        if run.id not in self._run_plans:
            try:
                self._run_plans[run.id] = load_plan(run.definition or {})
            except Exception as err:
                log.error(
                    "shutdown run %s (%s): its definition cannot be used: %s",
                    run.id,
                    run.plan_name,
                    err,
                )
                self._run_plans[run.id] = None
        return self._run_plans[run.id]

    async def _closed_elsewhere(self, active: set[int]) -> None:
        """Runs this engine drove that are no longer active: cancelled through the API (its
        running actions are stopped here, and the end is notified once) or finished."""
        for run_id in [r for r in self._run_plans if r not in active]:
            plan = self._run_plans.pop(run_id)
            self._cancel_tasks_of(run_id)
            row = await ShutdownRun.get_or_none(id=run_id)
            if row is None or row.state != "cancelled":
                continue
            event = self._finished_event(row, plan, "cancelled", row.reason)
            if await store.close_cancelled(run_id, self.id, event, time.time()):
                audit.warning(
                    "shutdown plan %r (run %s) ended cancelled: %s",
                    row.plan_name,
                    run_id,
                    row.reason,
                )

    async def _consider(
        self, loaded: LoadedPlan, readings: Mapping[int, rd.Reading], now: float
    ) -> None:
        plan = loaded.plan
        verdict = triggers.evaluate(plan, readings, now)
        if triggers.mains_back(plan, readings):
            self._mains_back_at[loaded.id] = now
        if verdict.holds and not await self._armed(loaded):
            self.stabiliser.forget(loaded.id)
            return
        if not self.stabiliser.observe(loaded.id, verdict.holds, plan.stabilise_seconds, now):
            if verdict.holds:
                self._soon(self.stabiliser.since[loaded.id] + plan.stabilise_seconds)
            return
        trigger = trigger_record(verdict, plan, now)
        ups_id = trigger["ups"][0]["id"] if trigger["ups"] else plan.ups[0]
        reading = readings.get(ups_id)
        event = store.EventSpec(
            STARTED,
            ups_id,
            "Shutdown started",
            {
                "plan": plan.name,
                "reason": verdict.reason,
                "detail": verdict.reason,
                "charge": reading.charge if reading else None,
                "runtime": reading.runtime if reading else None,
            },
        )
        run_id = await store.start_run(
            loaded.id, plan, loaded.definition, trigger, self.id, now, self.lease, event
        )
        self.stabiliser.forget(loaded.id)
        if run_id is None:
            log.info("shutdown plan %r: already running (another engine started it)", plan.name)
            return
        audit.warning("shutdown plan %r started (run %s): %s", plan.name, run_id, verdict.reason)
        await audit_store.record_system(
            "shutdown_run_started",
            target_type="shutdown_runs",
            target_id=str(run_id),
            target_name=plan.name,
            after={"reason": verdict.reason, "trigger": trigger},
        )
        # Its first phase may start at once (no delay): drive it in this turn, not the next.
        run = await ShutdownRun.get_or_none(id=run_id)
        if run is not None:
            self._run_plans[run_id] = plan
            self._started.add(run_id)
            await self._drive(run, plan, readings)

    async def _armed(self, loaded: LoadedPlan) -> bool:
        """May the plan start? Once per outage: only when the mains came back after its last
        run started — seen by this engine, or (after a restart, or when another engine ran it)
        an `online` event of one of its UPS since then. Not "the trigger was seen clear": a
        runtime that rebounds once the first hosts are down would start the plan again in the
        same outage, and another engine's short run could be repeated."""
        last = await ShutdownRun.filter(plan_id=loaded.id).order_by("-id").first()
        if last is None:
            return True
        if last.active_plan_id is not None:
            return False
        seen = self._mains_back_at.get(loaded.id)
        if seen is not None and seen > last.started_at.timestamp():
            return True
        return await self._mains_returned_since(loaded.plan, last.started_at)

    async def _mains_returned_since(self, plan: Plan, since: datetime) -> bool:
        return await Event.filter(
            ups_id__in=list(plan.ups), kind="online", occurred_at__gt=since
        ).exists()

    def _soon(self, when: float) -> None:
        self._next_wake = when if self._next_wake is None else min(self._next_wake, when)

    async def _drive(
        self, run: ShutdownRun, plan: Plan | None, readings: Mapping[int, rd.Reading]
    ) -> None:
        if plan is None:
            now = time.time()
            await store.update_run(
                run.id,
                self.id,
                run.state,
                {"state": "failed", "reason": "the plan's definition cannot be used"},
                finish=True,
                now=now,
                events=[
                    self._finished_event(
                        run, None, "failed", "the plan's definition cannot be used"
                    )
                ],
            )
            return
        for _ in range(MAX_MOVES):
            now = time.time()
            fresh = await ShutdownRun.get_or_none(id=run.id)
            if fresh is None or fresh.active_plan_id is None or fresh.claimed_by != self.id:
                self._cancel_tasks_of(run.id)
                return
            view = _view(fresh)
            steps = [_step_view(s) for s in await store.steps_of(run.id)]
            failed_again = False
            if fresh.state in states.RESTORE:
                holds = triggers.evaluate(plan, readings, now).holds
                failed_again = holds and await self._mains_returned_since(plan, fresh.started_at)
            decision = decide(
                plan,
                view,
                steps,
                mains_back=triggers.mains_back(plan, readings),
                charge=triggers.charge_of(plan, readings),
                running_here=frozenset(i for i, t in self.tasks.items() if not t.done()),
                now=now,
                failed_again=failed_again,
            )
            if decision.wake_at is not None:
                self._soon(decision.wake_at)
            if decision.idle:
                return
            if not await self._apply(fresh, plan, view, steps, decision, now):
                continue  # changed under us (a cancel): decide again from the new row
            if not decision.changes and not decision.stop and not decision.finish:
                return  # only steps started: nothing else can move before they end

    async def _apply(
        self,
        run: ShutdownRun,
        plan: Plan,
        view: RunView,
        steps: Sequence[StepView],
        decision: Decision,
        now: float,
    ) -> bool:
        by_id = {s.id: s for s in steps}
        if decision.changes or decision.stop or decision.finish:
            events = [
                self._step_event(run, plan, by_id[i], state, error)
                for i, state, error in decision.stop
                if state in ("timed_out", "failed") and i in by_id
            ]
            if decision.finish:
                state = decision.changes.get("state", "completed")
                events.append(
                    self._finished_event(run, plan, state, decision.changes.get("reason"))
                )
            if not await store.update_run(
                run.id,
                self.id,
                view.state,
                decision.changes,
                decision.stop,
                [e for e in events if e],
                finish=decision.finish,
                now=now,
            ):
                return False
            for step_id, _, _ in decision.stop:
                self._cancel_task(step_id)
            self._log_changes(run, view, plan, decision)
            if decision.finish:
                self._cancel_tasks_of(run.id)
                await audit_store.record_system(
                    "shutdown_run_finished",
                    target_type="shutdown_runs",
                    target_id=str(run.id),
                    target_name=plan.name,
                    after={"state": state, "reason": decision.changes.get("reason")},
                )
                return True
        state = decision.changes.get("state", view.state)
        for step_id, limit in decision.start:
            step = by_id.get(step_id)
            if step is None or step_id in self.tasks:
                continue
            attempt = await store.begin_step(run.id, step_id, self.id, state, now)
            if attempt is None:
                return False  # the run was cancelled (or taken) before this step started
            action = action_of(plan, step)
            log.info(
                "shutdown plan %r (run %s): %s step %s: %s (attempt %s, limit %g s)",
                plan.name,
                run.id,
                step.section,
                step.position,
                action.describe() if action else "?",
                attempt,
                limit,
            )
            self._task_runs[step_id] = run.id
            self.tasks[step_id] = asyncio.create_task(
                self._run_step(run, plan, step, action, attempt, limit),
                name=f"shutdown-step-{step_id}",
            )
        return True

    def _log_changes(self, run: ShutdownRun, view: RunView, plan: Plan, decision: Decision) -> None:
        changes = decision.changes
        if decision.finish:
            audit.warning(
                "shutdown plan %r (run %s) ended %s: %s",
                plan.name,
                run.id,
                changes.get("state"),
                changes.get("reason"),
            )
        elif "state" in changes:
            log.info(
                "shutdown plan %r (run %s): %s (%s)",
                plan.name,
                run.id,
                changes["state"],
                changes.get("reason") or "",
            )
        elif changes.get("phase_started_at") is not None:
            log.info(
                "shutdown plan %r (run %s): phase %s '%s' started",
                plan.name,
                run.id,
                view.phase,
                plan.phases[view.phase].name,
            )
        elif "phase" in changes:
            log.info("shutdown plan %r (run %s): phase %s ended", plan.name, run.id, view.phase)
        for step_id, state, error in decision.stop:
            if state != "skipped":
                log.warning(
                    "shutdown plan %r (run %s): step %s %s: %s",
                    plan.name,
                    run.id,
                    step_id,
                    state,
                    error,
                )

    async def _run_step(
        self,
        run: ShutdownRun,
        plan: Plan,
        step: StepView,
        action: Action | None,
        attempt: int,
        limit: float,
    ) -> None:
        started = time.monotonic()
        scrub = targets.Scrubber()  # what the action opened never reaches the row or a message
        try:
            if action is None:
                outcome = Outcome(False, error="the action is missing from the plan's definition")
                state = "failed"
            else:
                try:
                    outcome = await asyncio.wait_for(
                        action.kind.run(
                            action.params, _context(self.settings, limit, plan, run, scrub)
                        ),
                        limit,
                    )
                    state = "succeeded" if outcome.ok else "failed"
                except TimeoutError:
                    outcome = Outcome(False, error=f"timed out after {limit:g} s")
                    state = "timed_out"
                except asyncio.CancelledError:
                    raise
                except Exception as err:  # a bug in an action: recorded, the run goes on
                    log.exception("shutdown plan %r: action %s raised", plan.name, step.id)
                    outcome = Outcome(False, error=f"internal error ({type(err).__name__}: {err})")
                    state = "failed"
            outcome = replace(
                outcome.clipped(), output=scrub(outcome.output) or "", error=scrub(outcome.error)
            )
            event = (
                None
                if state == "succeeded"
                else self._step_event(run, plan, step, state, outcome.error)
            )
            recorded = await store.end_step(
                step.id,
                attempt,
                state,
                exit_code=outcome.exit_code,
                output=outcome.output,
                error=outcome.error,
                now=time.time(),
                event=event,
                run_id=run.id,
            )
            level = logging.INFO if state == "succeeded" else logging.WARNING
            log.log(
                level,
                "shutdown plan %r (run %s): %s step %s %s in %.2f s%s%s",
                plan.name,
                run.id,
                step.section,
                step.position,
                state,
                time.monotonic() - started,
                f": {outcome.error}" if outcome.error else "",
                "" if recorded else " (not recorded: the step was stopped meanwhile)",
            )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception(
                "shutdown plan %r (run %s): could not record step %s", plan.name, run.id, step.id
            )
        finally:
            if self.tasks.get(step.id) is asyncio.current_task():
                self.tasks.pop(step.id, None)
                self._task_runs.pop(step.id, None)
            self.wake()

    def _step_event(
        self, run: ShutdownRun, plan: Plan, step: StepView, state: str, error: str | None
    ) -> store.EventSpec | None:
        action = action_of(plan, step)
        description = action.describe() if action else f"step {step.position}"
        return store.EventSpec(
            STEP_FAILED,
            _trigger_ups(run, plan),
            "Shutdown step failed" if state == "failed" else "Shutdown step timed out",
            {
                "plan": plan.name,
                "step": description,
                "section": step.section,
                "phase": step.phase,
                "state": state,
                "error": error,
                "reason": run.trigger.get("reason") if isinstance(run.trigger, dict) else None,
                "detail": f"{description}: {error or state}",
            },
        )

    def _finished_event(
        self, run: ShutdownRun, plan: Plan | None, state: str, reason: str | None
    ) -> store.EventSpec:
        name = plan.name if plan else run.plan_name
        return store.EventSpec(
            FINISHED,
            _trigger_ups(run, plan),
            f"Shutdown {state}",
            {
                "plan": name,
                "state": state,
                "reason": reason,
                "detail": f"{state}: {reason or ''}".rstrip(": "),
            },
        )

    def _cancel_task(self, step_id: int) -> None:
        task = self.tasks.pop(step_id, None)
        self._task_runs.pop(step_id, None)
        if task is not None:
            task.cancel()

    def _cancel_tasks_of(self, run_id: int) -> None:
        for step_id in [s for s, r in self._task_runs.items() if r == run_id]:
            self._cancel_task(step_id)

    # -- the forever shell -------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> None:
        log.info("shutdown engine %s: lease %g s", self.id, self.lease)
        failing = False
        try:
            while not stop.is_set():
                # Many servers polling wake us many times a second: one turn per MIN_GAP.
                await _first_of(stop, asyncio.Event(), self._turned + MIN_GAP - time.monotonic())
                if stop.is_set():
                    break
                self._turned = time.monotonic()
                self._wake.clear()
                try:
                    await self.turn()
                    if failing:
                        log.info("shutdown engine: the database answers again")
                    failing = False
                except Exception:
                    if not failing:
                        log.exception("shutdown engine: a turn failed; trying again")
                    failing = True
                delay = self.tick
                if self._next_wake is not None:
                    delay = max(0.0, min(delay, self._next_wake - time.time()))
                await _first_of(stop, self._wake, delay)
        finally:
            for task in list(self.tasks.values()):
                task.cancel()
            await asyncio.gather(*self.tasks.values(), return_exceptions=True)
            with contextlib.suppress(Exception):
                await store.release(self.id)


async def _first_of(stop: asyncio.Event, wake: asyncio.Event, timeout: float) -> None:
    if timeout <= 0:
        await asyncio.sleep(0)
        return
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
        await asyncio.gather(*waiters, return_exceptions=True)


def _trigger_ups(run: ShutdownRun, plan: Plan | None) -> int:
    """The UPS a run's notifications are tied to: the first that triggered it."""
    trigger = run.trigger if isinstance(run.trigger, dict) else {}
    for ups in trigger.get("ups") or ():
        if isinstance(ups, dict) and isinstance(ups.get("id"), int):
            return int(ups["id"])
    return plan.ups[0] if plan else 0


def _view(run: ShutdownRun) -> RunView:
    return RunView(
        id=run.id,
        state=run.state,
        phase=run.phase,
        phase_due_at=store.epoch(run.phase_due_at),
        phase_started_at=store.epoch(run.phase_started_at),
        restore_since=store.epoch(run.restore_since),
        reason=run.reason,
    )


def _step_view(step: ShutdownStep) -> StepView:
    return StepView(step.id, step.section, step.phase, step.position, step.state)


def _context(
    settings: Settings, timeout: float, plan: Plan, run: ShutdownRun, scrub: targets.Scrubber
) -> Any:
    trigger = run.trigger if isinstance(run.trigger, dict) else {}
    names = [str(u.get("name")) for u in trigger.get("ups") or () if isinstance(u, dict)]
    variables = {
        "plan": plan.name,
        "run": str(run.id),
        "reason": str(trigger.get("reason") or ""),
        "ups": ", ".join(names),
    }
    return targets.action_context(settings, timeout, variables, scrub)
