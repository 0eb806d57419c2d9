"""The run engine's decisions, pure: what to do next for a run given its state, steps, the mains
and `now` (`shutdown.progress.decide`), and the stabilisation window."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from powerpulse.shutdown.plan import Action, Phase, Plan, Restore, Triggers
from powerpulse.shutdown.progress import RunView, Stabiliser, StepView, decide

NOW = 1_000_000.0


def action(name: str) -> Action:
    return Action(name, "wol", None)  # never run here: only its place in the plan matters


def make_plan(
    phases: list[tuple[str, float, float, int]] | None = None,
    restore: Restore | None = None,
    **fields: Any,
) -> Plan:
    """`phases`: (name, delay, timeout, number of actions)."""
    phases = phases or [("hosts", 0, 60, 2), ("storage", 2, 30, 1)]
    return Plan(
        name="p",
        enabled=True,
        ups=(1,),
        min_healthy=None,
        triggers=Triggers(runtime_below_minutes=5),
        stabilise_seconds=5,
        cancel_on_restore=fields.get("cancel_on_restore", True),
        phases=tuple(
            Phase(n, d, t, tuple(action(f"{n}{i}") for i in range(k))) for n, d, t, k in phases
        ),
        restore=restore,
    )


def steps_for(plan: Plan, **states: str) -> list[StepView]:
    """One step per action, ids from 1; `states` by action id (default pending)."""
    out, n = [], 0
    for index, phase in enumerate(plan.phases):
        for position, a in enumerate(phase.actions):
            n += 1
            out.append(StepView(n, "phase", index, position, states.get(a.id, "pending")))
    if plan.restore:
        for position, a in enumerate(plan.restore.actions):
            n += 1
            out.append(StepView(n, "restore", 0, position, states.get(a.id, "pending")))
    return out


def run(**fields: Any) -> RunView:
    base = RunView(1, "running", 0, NOW, None, None)
    return replace(base, **fields)


def go(plan: Plan, r: RunView, steps: list[StepView], **kw: Any):
    kw.setdefault("mains_back", False)
    kw.setdefault("charge", 50.0)
    kw.setdefault("running_here", frozenset())
    kw.setdefault("now", NOW)
    return decide(plan, r, steps, **kw)


RESTORE = Restore(after_seconds=30, min_charge_percent=40, actions=(action("wake"),))


def test_a_phase_waits_for_its_due_time_then_starts_all_its_actions() -> None:
    plan = make_plan()
    waiting = go(plan, run(phase_due_at=NOW + 3), steps_for(plan))
    assert waiting.idle and waiting.wake_at == NOW + 3
    started = go(plan, run(), steps_for(plan))
    assert started.changes == {"phase_started_at": NOW}
    assert started.start == ((1, 60), (2, 60))  # in parallel, each limited by the phase
    assert started.wake_at == NOW + 60


def test_an_action_gets_what_its_phase_has_left() -> None:
    plan = make_plan()
    later = go(plan, run(phase_started_at=NOW - 50), steps_for(plan), now=NOW)
    assert later.start == ((1, 10), (2, 10))


def test_a_phase_ends_when_every_action_finished_and_the_next_is_due_after_its_delay() -> None:
    plan = make_plan()
    steps = steps_for(plan, hosts0="succeeded", hosts1="failed")
    ended = go(plan, run(phase_started_at=NOW - 5), steps)
    assert ended.changes == {"phase": 1, "phase_started_at": None, "phase_due_at": NOW + 2}
    assert ended.stop == ()


def test_a_phase_timeout_stops_what_still_runs() -> None:
    plan = make_plan()
    steps = steps_for(plan, hosts0="succeeded", hosts1="running")
    ended = go(plan, run(phase_started_at=NOW - 61), steps, running_here=frozenset({2}))
    assert ended.stop == ((2, "timed_out", "phase 'hosts' timed out after 60 s"),)
    assert ended.changes["phase"] == 1


def test_resume_never_repeats_a_finished_step_and_reruns_one_left_running() -> None:
    plan = make_plan()
    steps = steps_for(plan, hosts0="succeeded", hosts1="running")
    # A new engine: nothing runs here, so the step the dead engine left running is run again.
    resumed = go(plan, run(phase_started_at=NOW - 20), steps)
    assert resumed.start == ((2, 40),)
    # The same engine, its task still going: nothing to start.
    assert go(plan, run(phase_started_at=NOW - 20), steps, running_here=frozenset({2})).idle


def test_power_back_before_a_phase_cancels_the_run() -> None:
    plan = make_plan()
    steps = steps_for(plan, hosts0="succeeded", hosts1="succeeded")
    cancelled = go(plan, run(phase=1, phase_due_at=NOW + 1), steps, mains_back=True)
    assert cancelled.finish
    assert cancelled.changes == {
        "state": "cancelled",
        "reason": "power returned before phase 'storage'",
    }
    assert cancelled.stop == ((3, "skipped", None),)


def test_power_back_mid_phase_does_not_cut_the_phase() -> None:
    plan = make_plan()
    steps = steps_for(plan, hosts0="running")
    d = go(plan, run(phase_started_at=NOW - 1), steps, mains_back=True, running_here=frozenset({1}))
    assert not d.finish and d.start == ((2, 59),)


def test_without_cancel_on_restore_the_plan_carries_on() -> None:
    plan = make_plan(cancel_on_restore=False)
    d = go(plan, run(), steps_for(plan), mains_back=True)
    assert d.changes == {"phase_started_at": NOW} and not d.finish


def test_a_cancel_after_a_phase_ran_waits_for_the_restore_sequence() -> None:
    plan = make_plan(restore=RESTORE)
    steps = steps_for(plan, hosts0="succeeded", hosts1="succeeded")
    d = go(plan, run(phase=1), steps, mains_back=True)
    assert not d.finish
    assert d.changes == {
        "state": "waiting_restore",
        "restore_since": NOW,
        "reason": "power returned before phase 'storage'",
    }
    # Before any phase ran, nothing was switched off: nothing to restore.
    first = go(plan, run(), steps_for(plan), mains_back=True)
    assert first.finish and first.changes["state"] == "cancelled"


def test_after_the_last_phase_the_run_completes_or_waits_to_restore() -> None:
    plan = make_plan()
    done = steps_for(plan, hosts0="succeeded", hosts1="succeeded", storage0="timed_out")
    finished = go(plan, run(phase=2), done)
    assert finished.finish and finished.changes["state"] == "completed"
    with_restore = make_plan(restore=RESTORE)
    steps = steps_for(with_restore, hosts0="succeeded", hosts1="succeeded", storage0="succeeded")
    waiting = go(with_restore, run(phase=2), steps)
    assert waiting.changes["state"] == "waiting_restore" and not waiting.finish


def test_the_restore_waits_for_steady_mains_and_enough_charge() -> None:
    plan = make_plan(restore=RESTORE)
    steps = steps_for(plan, hosts0="succeeded", hosts1="succeeded", storage0="succeeded")
    w = run(phase=2, state="waiting_restore")
    assert go(plan, w, steps).idle  # still on battery
    assert go(plan, w, steps, mains_back=True).changes == {"restore_since": NOW}
    since = replace(w, restore_since=NOW - 10)
    assert go(plan, since, steps, mains_back=True).wake_at == NOW + 20
    assert go(plan, since, steps).changes == {"restore_since": None}  # the mains went again
    steady = replace(w, restore_since=NOW - 31)
    assert go(plan, steady, steps, mains_back=True, charge=39.0).idle  # not charged enough
    assert go(plan, steady, steps, mains_back=True, charge=None).idle  # charge unknown
    ready = go(plan, steady, steps, mains_back=True, charge=40.0)
    assert ready.changes == {"state": "restoring"}


def test_restoring_runs_the_restore_actions_then_ends() -> None:
    plan = make_plan(restore=RESTORE)
    steps = steps_for(plan, hosts0="succeeded", hosts1="succeeded", storage0="succeeded")
    r = run(phase=2, state="restoring")
    assert go(plan, r, steps).start == ((4, 300.0),)  # its own limit, or the default
    done = steps_for(
        plan, hosts0="succeeded", hosts1="succeeded", storage0="succeeded", wake="succeeded"
    )
    end = go(plan, r, done)
    assert end.finish and end.changes["state"] == "completed"
    # A run cut short that restored still ends cancelled: not every phase ran.
    cut = go(
        plan, run(phase=1, state="restoring", reason="power returned before phase 'storage'"), done
    )
    assert cut.changes == {
        "state": "cancelled",
        "reason": "power returned before phase 'storage'; the restore sequence ran",
    }


def test_a_new_outage_ends_a_run_waiting_to_restore_so_a_new_run_can_start() -> None:
    plan = make_plan(restore=RESTORE)
    steps = steps_for(plan, hosts0="succeeded", hosts1="succeeded", storage0="succeeded")
    waiting = run(phase=2, state="waiting_restore", restore_since=None)
    assert go(plan, waiting, steps).idle  # the same outage: it keeps waiting
    end = go(plan, waiting, steps, failed_again=True)
    assert end.finish and end.changes["state"] == "completed"
    assert end.changes["reason"] == "the power failed again before the hosts were back"
    restoring = steps_for(
        plan, hosts0="succeeded", hosts1="succeeded", storage0="succeeded", wake="running"
    )
    stopped = go(plan, run(phase=2, state="restoring"), restoring, failed_again=True)
    assert stopped.finish and stopped.stop == ((4, "failed", "the run ended before it finished"),)


def test_a_run_cancelled_elsewhere_stops_what_runs() -> None:
    plan = make_plan()
    steps = steps_for(plan, hosts0="running")
    d = go(
        plan, run(state="cancelled", phase_started_at=NOW - 1, reason="cancelled by admin"), steps
    )
    assert d.finish and d.changes == {"state": "cancelled", "reason": "cancelled by admin"}
    assert d.stop == ((1, "failed", "the run ended before it finished"),)


def test_empty_phases_pass_straight_through() -> None:
    plan = make_plan(phases=[("wait", 0, 10, 0), ("hosts", 0, 10, 1)])
    d = go(plan, run(phase_started_at=NOW), steps_for(plan))
    assert d.changes == {"phase": 1, "phase_started_at": None, "phase_due_at": NOW}


def test_a_trigger_must_hold_for_the_whole_window() -> None:
    s = Stabiliser()
    assert not s.observe(1, True, 5, NOW)
    assert not s.observe(1, True, 5, NOW + 4)
    assert not s.observe(1, False, 5, NOW + 4.5)  # one good poll: start again
    assert not s.observe(1, True, 5, NOW + 5)
    assert s.observe(1, True, 5, NOW + 10)
    assert s.observe(2, True, 0, NOW)  # no window: at once
