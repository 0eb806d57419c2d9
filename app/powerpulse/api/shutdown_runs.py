"""`/api/shutdown-runs` (admin): the runs of shutdown plans, their steps, and cancelling one.

The engine (poller worker) writes runs and steps; this module reads them, and a cancel only
marks the run: the engine checks a run's state before each step and stops, and its pending
steps are marked skipped here so the run's page is final at once.
"""

from __future__ import annotations

import logging
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi
from tortoise.transactions import in_transaction

from powerpulse.api import schemas
from powerpulse.api.auth import require_admin
from powerpulse.api.errors import bad_request, conflict, not_found
from powerpulse.api.validation import ID_MAX, parse_id, query_int
from powerpulse.db import counters
from powerpulse.db.models import ShutdownRun, ShutdownStep
from powerpulse.shutdown import states
from powerpulse.timeutil import iso, utcnow

log = logging.getLogger("powerpulse.audit")

bp = Blueprint("shutdown_runs", url_prefix="/api/shutdown-runs")

LIMIT_DEFAULT = 50
LIMIT_MAX = 500


def run_dict(run: ShutdownRun) -> dict[str, Any]:
    phases = (run.definition or {}).get("phases") if isinstance(run.definition, dict) else None
    return {
        "id": run.id,
        "plan_id": run.plan_id,  # type: ignore[attr-defined]
        "plan_name": run.plan_name,
        "state": run.state,
        "trigger": run.trigger if isinstance(run.trigger, dict) else None,
        "reason": run.reason,
        "phase": run.phase,
        "phases": len(phases) if isinstance(phases, list) else 0,
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "started_by": run.started_by,
    }


def step_dict(step: ShutdownStep) -> dict[str, Any]:
    return {
        "id": step.id,
        "section": step.section,
        "phase": step.phase,
        "position": step.position,
        "action_id": step.action_id,
        "action_type": step.action_type,
        "description": step.description,
        "state": step.state,
        "attempts": step.attempts,
        "started_at": iso(step.started_at),
        "finished_at": iso(step.finished_at),
        "exit_code": step.exit_code,
        "output": step.output or "",
        "error": step.error,
    }


async def run_detail(run: ShutdownRun) -> dict[str, Any]:
    steps = await ShutdownStep.filter(run_id=run.id)
    # The phases in order, then the restore sequence.
    steps.sort(key=lambda s: (s.section != "phase", s.phase, s.position, s.id))
    return {**run_dict(run), "steps": [step_dict(s) for s in steps]}


async def get_run(raw_id: str) -> ShutdownRun:
    run = await ShutdownRun.get_or_none(id=parse_id(raw_id, "Shutdown run"))
    if run is None:
        raise not_found("Shutdown run")
    return run


@bp.get("/")
@openapi.summary("Runs of shutdown plans, newest first (admin)")
@openapi.description(
    "`?plan=<id>` keeps one plan's runs, `?state=` one state (running, waiting_restore, "
    "restoring, completed, cancelled, failed; `active` for the first three), `?limit=` "
    f"(default {LIMIT_DEFAULT}, at most {LIMIT_MAX}), `?before=<run id>` the page after it."
)
@openapi.parameter("plan", int, "query")
@openapi.parameter("state", str, "query")
@openapi.parameter("limit", int, "query")
@openapi.parameter("before", int, "query")
@schemas.returns(list[schemas.ShutdownRun])
@require_admin
async def list_runs(request: Request) -> HTTPResponse:
    limit = query_int(request, "limit", default=LIMIT_DEFAULT, lo=1, hi=LIMIT_MAX)
    before = query_int(request, "before", default=0, lo=1, hi=ID_MAX)
    plan = query_int(request, "plan", default=0, lo=1, hi=ID_MAX)
    state = request.args.get("state") or None
    query = ShutdownRun.all()
    if state == "active":
        query = query.filter(state__in=states.ACTIVE)
    elif state is not None:
        if state not in states.RUN_STATES:
            known = ", ".join(states.RUN_STATES)
            raise bad_request("state", f"state must be one of {known} or active")
        query = query.filter(state=state)
    if plan:
        query = query.filter(plan_id=plan)
    if before:
        query = query.filter(id__lt=before)
    runs = await query.order_by("-id").limit(limit)
    return json([run_dict(r) for r in runs])


@bp.get("/<run_id:str>")
@openapi.summary("One run with its steps: the phases' in order, then the restore sequence's")
@schemas.returns(schemas.ShutdownRunDetail)
@require_admin
async def get_run_detail(request: Request, run_id: str) -> HTTPResponse:
    return json(await run_detail(await get_run(run_id)))


@bp.post("/<run_id:str>/cancel")
@openapi.summary("Cancel an active run (admin): no further step starts; 409 once it finished")
@schemas.returns(schemas.ShutdownRunDetail)
@require_admin
async def cancel_run(request: Request, run_id: str) -> HTTPResponse:
    run = await get_run(run_id)
    user = request.ctx.user.username
    async with in_transaction() as conn:
        # Conditional on the state: an engine finishing it meanwhile wins, and we answer 409.
        changed = (
            await ShutdownRun.filter(id=run.id, state__in=states.ACTIVE)
            .using_db(conn)
            .update(
                state="cancelled",
                reason=f"cancelled by {user}",
                finished_at=utcnow(),
                active_plan_id=None,
            )
        )
        if not changed:
            await run.refresh_from_db(using_db=conn)
            raise conflict(f"This run is already {run.state}", "run_finished")
        await (
            ShutdownStep.filter(run_id=run.id, state="pending")
            .using_db(conn)
            .update(state="skipped")
        )
        if run.claimed_until is None or run.claimed_until <= utcnow():
            # No engine holds the run (its poller is gone): nothing will close the steps it
            # left running, so they end here; a live engine stops and closes its own.
            await (
                ShutdownStep.filter(run_id=run.id, state="running")
                .using_db(conn)
                .update(
                    state="failed",
                    finished_at=utcnow(),
                    error="the run was cancelled while no engine was driving it",
                )
            )
        await counters.bump(counters.SHUTDOWN, conn=conn)  # the stream shows it at once
    await run.refresh_from_db()
    log.info(
        "%s cancelled shutdown run %d of plan %s %r",
        user,
        run.id,
        run.plan_id,  # type: ignore[attr-defined]
        run.plan_name,
    )
    return json(await run_detail(run))
