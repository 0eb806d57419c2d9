"""The SQL of shutdown runs and their steps (the decisions are in `shutdown.engine`).

Every write that moves a run is conditional on the run still being in the state the engine
decided from and still claimed by this engine, so a cancel through the API (state "cancelled")
or a takeover by another engine is never overwritten: the write changes no row and the engine
re-reads. Each write bumps the `shutdown` counter in its transaction (the api worker's live
watcher publishes the run), and the events of the change (the notifications outbox) go in the
same transaction.

Starting a run is one transaction: the run row with `active_plan_id` (unique) and every step;
a second engine starting the same plan at the same moment fails on that unique key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from powerpulse.db import counters, dialect, locks
from powerpulse.db.models import Event, ShutdownPlan, ShutdownRun, ShutdownStep, UpsSystem
from powerpulse.shutdown.plan import Plan
from powerpulse.shutdown.progress import OPEN_STEP


def epoch(value: Any) -> float | None:
    """Epoch seconds of a stored timestamp (asyncpg: datetime; sqlite3 raw: ISO text)."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def at(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


@dataclass(frozen=True)
class EventSpec:
    """A notification to write with a change: `kind`, the UPS it is tied to, its details."""

    kind: str
    ups_id: int
    status: str
    details: Mapping[str, Any]


async def _events(specs: Iterable[EventSpec], now: datetime, conn: BaseDBAsyncClient) -> None:
    specs = list(specs)
    if not specs:
        return
    # A UPS deleted during the run: its notification goes, the run's progress must not fail.
    wanted = list({s.ups_id for s in specs})
    found = await UpsSystem.filter(id__in=wanted).using_db(conn).values_list("id", flat=True)
    existing = set(found)
    specs = [s for s in specs if s.ups_id in existing]
    rows = [
        Event(
            ups_id=s.ups_id,
            kind=s.kind,
            previous_status="",
            new_status=s.status,
            occurred_at=now,
            details=dict(s.details),
            dispatched=False,
        )
        for s in specs
    ]
    if rows:
        await Event.bulk_create(rows, using_db=conn)


# -- starting ------------------------------------------------------------------------------------
async def start_run(
    plan_id: int,
    plan: Plan,
    definition: Mapping[str, Any],
    trigger: Mapping[str, Any],
    engine_id: str,
    now: float,
    lease: float,
    event: EventSpec | None,
) -> int | None:
    """Insert the run and all its steps (pending); None when the plan already has an active run
    (another engine started it, or it is still running)."""
    moment = at(now)
    assert moment is not None
    first_delay = plan.phases[0].delay_seconds if plan.phases else 0.0
    try:
        async with in_transaction() as conn:
            await locks.hold(locks.shutdown_plan(plan_id), conn)
            if not await ShutdownPlan.exists(id=plan_id, using_db=conn):
                return None  # deleted just now
            run = await ShutdownRun.create(
                plan_id=plan_id,
                plan_name=plan.name,
                definition=dict(definition),
                state="running",
                trigger=dict(trigger),
                phase=0,
                phase_due_at=at(now + first_delay),
                started_at=moment,
                active_plan_id=plan_id,
                claimed_by=engine_id,
                claimed_until=at(now + lease),
                using_db=conn,
            )
            steps = [
                ShutdownStep(
                    run_id=run.id,
                    section="phase",
                    phase=index,
                    position=position,
                    action_id=action.id,
                    action_type=action.type,
                    description=action.describe(),
                )
                for index, phase in enumerate(plan.phases)
                for position, action in enumerate(phase.actions)
            ]
            if plan.restore is not None:
                steps += [
                    ShutdownStep(
                        run_id=run.id,
                        section="restore",
                        phase=0,
                        position=position,
                        action_id=action.id,
                        action_type=action.type,
                        description=action.describe(),
                    )
                    for position, action in enumerate(plan.restore.actions)
                ]
            if steps:
                await ShutdownStep.bulk_create(steps, using_db=conn)
            if event is not None:
                await _events([_with_run(event, run.id)], moment, conn)
            await counters.bump(counters.SHUTDOWN, 1, conn)
    except IntegrityError:
        return None
    return int(run.id)


def _with_run(event: EventSpec, run_id: int) -> EventSpec:
    return EventSpec(event.kind, event.ups_id, event.status, {**event.details, "run": run_id})


# -- claims ----------------------------------------------------------------------------------------
CLAIM_SQL = (
    "UPDATE shutdown_runs SET claimed_by = ?, claimed_until = ? "
    "WHERE id = ? AND active_plan_id IS NOT NULL "
    "AND (claimed_by IS NULL OR claimed_by = ? OR claimed_by = ? OR claimed_until <= ?)"
)
RENEW_SQL = (
    "UPDATE shutdown_runs SET claimed_until = ? "
    "WHERE claimed_by = ? AND active_plan_id IS NOT NULL RETURNING id"
)


async def claim(run_id: int, engine_id: str, dead: str, now: float, lease: float) -> bool:
    """Take the run when it is unclaimed, ours, claimed by `dead` (a crashed engine of this
    machine: pass "" when none) or its claim expired."""
    changed = await dialect.execute(
        CLAIM_SQL, [engine_id, at(now + lease), run_id, engine_id, dead or engine_id, at(now)]
    )
    return changed == 1


async def renew(engine_id: str, now: float, lease: float) -> set[int]:
    """Renew every active run this engine drives; the ids it still holds."""
    rows = await dialect.fetch(RENEW_SQL, [at(now + lease), engine_id])
    return {int(r["id"]) for r in rows}


async def release(engine_id: str) -> None:
    """A clean stop: let another engine take our runs at once."""
    await ShutdownRun.filter(claimed_by=engine_id, active_plan_id__not_isnull=True).update(
        claimed_until=None, claimed_by=None
    )


async def active_runs() -> list[ShutdownRun]:
    return await ShutdownRun.filter(active_plan_id__not_isnull=True).order_by("id")


async def steps_of(run_id: int) -> list[ShutdownStep]:
    return await ShutdownStep.filter(run_id=run_id).order_by("section", "phase", "position")


# -- moving a run ------------------------------------------------------------------------------
async def update_run(
    run_id: int,
    engine_id: str,
    expected: str,
    changes: Mapping[str, Any],
    stops: Sequence[tuple[int, str, str | None]] = (),
    events: Sequence[EventSpec] = (),
    *,
    finish: bool = False,
    now: float,
) -> bool:
    """Apply `changes` (run fields; times as epoch seconds) and stop `stops` (step id, new
    state, error) when the run is still `expected` and ours; `finish` ends it (finished_at,
    active_plan_id NULL, the claim released). False when nothing was written."""
    moment = at(now)
    fields = {
        k: (at(v) if k.endswith("_at") or k == "restore_since" else v) for k, v in changes.items()
    }
    if finish:
        fields.update(finished_at=moment, active_plan_id=None, claimed_by=None, claimed_until=None)
    async with in_transaction() as conn:
        changed = (
            await ShutdownRun.filter(id=run_id, claimed_by=engine_id, state=expected)
            .using_db(conn)
            .update(**fields)
        )
        if changed != 1:
            return False
        for step_id, state, error in stops:
            await (
                ShutdownStep.filter(id=step_id, state__in=OPEN_STEP)
                .using_db(conn)
                .update(state=state, error=error, finished_at=moment)
            )
        if finish:  # whatever never ran is skipped
            await (
                ShutdownStep.filter(run_id=run_id, state="pending")
                .using_db(conn)
                .update(state="skipped", finished_at=moment)
            )
        await _events([_with_run(e, run_id) for e in events], moment or datetime.now(UTC), conn)
        await counters.bump(counters.SHUTDOWN, 1, conn)
    return True


async def close_cancelled(run_id: int, engine_id: str, event: EventSpec | None, now: float) -> bool:
    """A run the API cancelled while this engine drove it (state "cancelled", no longer
    active): drop the claim, end the steps that were running, notify. True for the one engine
    that does it."""
    moment = at(now)
    async with in_transaction() as conn:
        changed = (
            await ShutdownRun.filter(
                id=run_id, claimed_by=engine_id, state="cancelled", active_plan_id__isnull=True
            )
            .using_db(conn)
            .update(claimed_by=None, claimed_until=None)
        )
        if changed != 1:
            return False
        await (
            ShutdownStep.filter(run_id=run_id, state__in=OPEN_STEP)
            .using_db(conn)
            .update(state="failed", error="the run was cancelled while it ran", finished_at=moment)
        )
        if event is not None:
            await _events([_with_run(event, run_id)], moment or datetime.now(UTC), conn)
        await counters.bump(counters.SHUTDOWN, 1, conn)
    return True


BEGIN_STEP_SQL = (
    "UPDATE shutdown_steps SET state = 'running', attempts = attempts + 1, started_at = ?, "
    "finished_at = NULL, error = NULL WHERE id = ? AND state IN ('pending', 'running') "
    "AND EXISTS (SELECT 1 FROM shutdown_runs r WHERE r.id = ? AND r.state = ? "
    "AND r.claimed_by = ?) RETURNING attempts"
)


async def begin_step(
    run_id: int, step_id: int, engine_id: str, run_state: str, now: float
) -> int | None:
    """Mark a step running (attempts + 1) if its run is still `run_state` and ours — the run's
    state is read again in the same statement, so a cancel stops the step from starting. The
    attempt number, or None."""
    async with in_transaction() as conn:
        rows = await dialect.fetch(
            BEGIN_STEP_SQL, [at(now), step_id, run_id, run_state, engine_id], conn
        )
        if rows:
            await counters.bump(counters.SHUTDOWN, 1, conn)
    return int(rows[0]["attempts"]) if rows else None


async def end_step(
    step_id: int,
    attempt: int,
    state: str,
    *,
    exit_code: int | None,
    output: str,
    error: str | None,
    now: float,
    event: EventSpec | None,
    run_id: int,
) -> bool:
    """Record how an attempt ended, unless the step was stopped (phase timeout, cancel) or
    restarted meanwhile."""
    moment = at(now)
    async with in_transaction() as conn:
        changed = (
            await ShutdownStep.filter(id=step_id, state="running", attempts=attempt)
            .using_db(conn)
            .update(
                state=state, exit_code=exit_code, output=output, error=error, finished_at=moment
            )
        )
        if changed != 1:
            return False
        if event is not None:
            await _events([_with_run(event, run_id)], moment or datetime.now(UTC), conn)
        await counters.bump(counters.SHUTDOWN, 1, conn)
    return True
