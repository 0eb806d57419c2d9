"""`/api/shutdown-plans` (admin): shutdown plans, their dry run, one action's test, and reading
an SSH server's host key for the first contact.

A plan is validated by `shutdown.plan` (a 400 names the field) and stored as its JSON with the
secrets sealed; they are write-only: answers show `{"set": true}`, and an edit that leaves one
out keeps it (by action id). Every write bumps `counters.CONFIG`, so the poller's engine
reloads the plans. A plan with an active run cannot be deleted (409): cancel the run first
(`POST /api/shutdown-runs/:id/cancel`), so a shutdown under way is never orphaned by a click.
Every change, test and cancel is logged on `powerpulse.audit` (names and ids, never a secret).
"""

from __future__ import annotations

import asyncio
import json as stdjson
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from powerpulse.api import schemas
from powerpulse.api.auth import require_admin
from powerpulse.api.errors import ApiError, bad_gateway, bad_request, conflict, not_found
from powerpulse.api.validation import (
    check_host,
    optional_bool,
    optional_int,
    optional_str,
    parse_id,
    read_json,
)
from powerpulse.db import counters, locks
from powerpulse.db.models import ShutdownPlan, ShutdownRun, UpsLiveState, UpsSystem
from powerpulse.shutdown import readings, targets, timeline, triggers
from powerpulse.shutdown.actions import ssh
from powerpulse.shutdown.actions.base import ActionError, Outcome
from powerpulse.shutdown.plan import (
    DAY,
    SET,
    Action,
    Plan,
    PlanError,
    load_plan,
    parse_plan,
    plan_json,
)
from powerpulse.timeutil import iso

log = logging.getLogger("powerpulse.audit")

bp = Blueprint("shutdown_plans", url_prefix="/api/shutdown-plans")

MAX_PLANS = 100
# A test answers within one request: Sanic gives a response 60 s, so a test gets at most this
# (the action's own timeout, else its phase's, whichever is shorter).
TEST_SECONDS_MAX = 50.0
HOST_KEY_TIMEOUT = 10.0


# --- reading bodies ----------------------------------------------------------------------------


def read_object(request: Request, *, allow_empty: bool) -> dict[str, Any]:
    """`read_json`, naming the culprit: a number JSON allows but a double cannot hold (`1e309`)
    is read as infinity, so the plan's checks name its field; a body that is not an object is
    `field: "body"`."""
    try:
        return read_json(request, allow_empty=allow_empty)
    except ApiError as err:
        if err.status != 400 or "field" in err.extra:
            raise
        if err.code == "invalid_json":
            try:  # the standard library reads 1e309 as inf, and huge integers as they are
                data = stdjson.loads(request.body)
            except (ValueError, RecursionError):
                data = None
            if isinstance(data, dict):
                return data
        raise bad_request("body", err.message, err.code) from None


def nul_at(node: Any, path: str = "") -> str | None:
    """The path of the first text holding a NUL character (PostgreSQL cannot store one, in a
    column or in JSON), or None."""
    if isinstance(node, str):
        return path if "\x00" in node else None
    if isinstance(node, dict):
        for key, value in node.items():
            inner = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return path or "body"
            if (found := nul_at(value, inner)) is not None:
                return found
    if isinstance(node, list):
        for i, value in enumerate(node):
            if (found := nul_at(value, f"{path}[{i}]")) is not None:
                return found
    return None


def parse_body(raw: Any, previous: Plan | None, seal: Callable[[str], str]) -> Plan:
    """The plan in `raw`; 400 naming the field otherwise (never a 500 for what a user sent)."""
    if (where := nul_at(raw)) is not None:
        raise bad_request(where, "text may not contain NUL characters", "invalid_plan")
    try:
        return parse_plan(raw, previous, seal)
    except PlanError as err:
        raise bad_request(err.field or "body", err.message, "invalid_plan") from None
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as err:
        # An action type that did not expect this input: still the user's input, not a crash.
        # Only the exception's type is logged: its message may quote a secret.
        log.warning("a shutdown plan body raised %s while parsing", type(err).__name__)
        raise bad_request("body", "The plan could not be read", "invalid_plan") from None


async def check_ups_exist(plan: Plan) -> None:
    """Every UPS the plan names exists; 400 naming where it is named otherwise."""
    found = set(await UpsSystem.filter(id__in=list(plan.ups_ids())).values_list("id", flat=True))
    for i, ups_id in enumerate(plan.ups):
        if ups_id not in found:
            raise bad_request(f"ups[{i}]", f"Unknown UPS id {ups_id}", "unknown_ups")
    for i, host in enumerate(plan.protected_hosts):
        if host.ups_id not in found:
            raise bad_request(
                f"protected_hosts[{i}].ups_id", f"Unknown UPS id {host.ups_id}", "unknown_ups"
            )
    for path, action in action_paths(plan):
        for ups_id in action.kind.ups_ids(action.params):
            if ups_id not in found:
                raise bad_request(f"{path}.ups_id", f"Unknown UPS id {ups_id}", "unknown_ups")


def action_paths(plan: Plan) -> list[tuple[str, Any]]:
    """Each action with its path in the plan's JSON (`phases[0].actions[1]`)."""
    out: list[tuple[str, Any]] = []
    for i, phase in enumerate(plan.phases):
        out += [(f"phases[{i}].actions[{j}]", a) for j, a in enumerate(phase.actions)]
    if plan.restore is not None:
        out += [(f"restore.actions[{j}]", a) for j, a in enumerate(plan.restore.actions)]
    return out


# --- answers -----------------------------------------------------------------------------------


def _masked_raw(value: Any) -> Any:
    """A stored definition that no longer parses, shown with every sealed value hidden."""
    if isinstance(value, dict):
        return {k: _masked_raw(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked_raw(v) for v in value]
    if isinstance(value, str) and value.startswith("enc:"):
        return dict(SET)
    return value


def stored_plan(row: ShutdownPlan) -> Plan | None:
    """The row's plan, or None when its stored definition no longer parses (an action type
    removed by an update): shown as stored, and refused where it would run."""
    try:
        return load_plan(row.definition or {})
    except (PlanError, ValueError, TypeError, KeyError, AttributeError):
        return None


def plan_dict(row: ShutdownPlan, active: ShutdownRun | None) -> dict[str, Any]:
    plan = stored_plan(row)
    body = plan_json(plan, masked=True) if plan else _masked_raw(row.definition or {})
    return {
        "id": row.id,
        **body,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "updated_by": row.updated_by,
        "active_run": None
        if active is None
        else {"id": active.id, "state": active.state, "phase": active.phase},
    }


async def active_runs(plan_ids: list[int]) -> dict[int, ShutdownRun]:
    rows = await ShutdownRun.filter(active_plan_id__in=plan_ids) if plan_ids else []
    return {r.active_plan_id: r for r in rows if r.active_plan_id is not None}


async def get_row(raw_id: str) -> ShutdownPlan:
    row = await ShutdownPlan.get_or_none(id=parse_id(raw_id, "Shutdown plan"))
    if row is None:
        raise not_found("Shutdown plan")
    return row


def usable_plan(row: ShutdownPlan) -> Plan:
    plan = stored_plan(row)
    if plan is None:
        raise conflict(
            "This plan's stored definition can no longer be read (an action type it uses is "
            "gone): edit it and save it again",
            "plan_unreadable",
        )
    return plan


def changed_keys(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The top-level keys an edit changed, for the audit line (names only: never values)."""
    return [k for k in after if before.get(k) != after.get(k)]


async def save(
    request: Request, plan: Plan, row: ShutdownPlan | None
) -> tuple[ShutdownPlan, list[str]]:
    """Create (`row` None) or replace a plan; 409 when the name is taken."""
    await check_ups_exist(plan)
    definition = plan_json(plan, masked=False)
    user = request.ctx.user.username
    taken = ShutdownPlan.filter(name=plan.name)
    if row is not None:
        taken = taken.exclude(id=row.id)
    if await taken.exists():
        raise conflict(f"A shutdown plan called {plan.name!r} exists", "name_taken")
    changes = changed_keys(row.definition or {}, definition) if row is not None else []
    try:
        async with in_transaction() as conn:
            if row is None:
                if await ShutdownPlan.all().count() >= MAX_PLANS:
                    raise conflict(f"At most {MAX_PLANS} shutdown plans", "too_many_plans")
                row = await ShutdownPlan.create(
                    name=plan.name,
                    enabled=plan.enabled,
                    definition=definition,
                    updated_by=user,
                    using_db=conn,
                )
            else:
                row.update_from_dict(
                    {
                        "name": plan.name,
                        "enabled": plan.enabled,
                        "definition": definition,
                        "updated_by": user,
                    }
                )
                await row.save(using_db=conn)
            await counters.bump(counters.CONFIG, conn=conn)
    except IntegrityError:  # a concurrent save took the name between the check and the write
        raise conflict(f"A shutdown plan called {plan.name!r} exists", "name_taken") from None
    return row, changes


# --- plans -------------------------------------------------------------------------------------


@bp.get("/")
@openapi.summary('Every shutdown plan (admin; secrets as {"set": true})')
@schemas.returns(list[schemas.ShutdownPlan])
@require_admin
async def list_plans(request: Request) -> HTTPResponse:
    rows = await ShutdownPlan.all().order_by("name", "id")
    active = await active_runs([r.id for r in rows])
    return json([plan_dict(r, active.get(r.id)) for r in rows])


@bp.post("/")
@openapi.summary("Create a shutdown plan (admin); 400 names the field, 409 when the name is taken")
@schemas.returns(schemas.ShutdownPlan, 201, "Created")
@schemas.accepts(schemas.ShutdownPlanBody)
@require_admin
async def create_plan(request: Request) -> HTTPResponse:
    body = read_object(request, allow_empty=False)
    plan = parse_body(body, None, request.app.ctx.settings.secret_box().seal)
    row, _ = await save(request, plan, None)
    log.info("%s created shutdown plan %d %r", request.ctx.user.username, row.id, plan.name)
    return json(plan_dict(row, None), status=201)


@bp.get("/<plan_id:str>")
@openapi.summary('One shutdown plan (admin; secrets as {"set": true})')
@schemas.returns(schemas.ShutdownPlan)
@require_admin
async def get_plan(request: Request, plan_id: str) -> HTTPResponse:
    row = await get_row(plan_id)
    active = await active_runs([row.id])
    return json(plan_dict(row, active.get(row.id)))


@bp.put("/<plan_id:str>")
@openapi.summary('Replace a shutdown plan (admin): secrets left out or sent as {"set": true} stay')
@schemas.returns(schemas.ShutdownPlan)
@schemas.accepts(schemas.ShutdownPlanBody)
@require_admin
async def update_plan(request: Request, plan_id: str) -> HTTPResponse:
    body = read_object(request, allow_empty=False)
    row = await get_row(plan_id)
    previous = stored_plan(row)  # None: nothing can be kept, every secret must be sent again
    plan = parse_body(body, previous, request.app.ctx.settings.secret_box().seal)
    row, changes = await save(request, plan, row)
    log.info(
        "%s changed shutdown plan %d %r: %s",
        request.ctx.user.username,
        row.id,
        plan.name,
        ", ".join(changes) or "nothing",
    )
    active = await active_runs([row.id])
    return json(plan_dict(row, active.get(row.id)))


@bp.delete("/<plan_id:str>")
@openapi.summary("Delete a shutdown plan (admin); 409 while it has an active run (cancel it first)")
@schemas.returns(schemas.Message)
@require_admin
async def delete_plan(request: Request, plan_id: str) -> HTTPResponse:
    row = await get_row(plan_id)
    async with in_transaction() as conn:
        await locks.hold(locks.shutdown_plan(row.id), conn)
        active = await ShutdownRun.filter(active_plan_id=row.id).using_db(conn).first()
        if active is not None:
            raise conflict(
                f"Shutdown run {active.id} of this plan is {active.state}: cancel it first",
                "run_active",
            )
        await row.delete(using_db=conn)  # its finished runs stay, with their plan's name
        await counters.bump(counters.CONFIG, conn=conn)
    log.info("%s deleted shutdown plan %d %r", request.ctx.user.username, row.id, row.name)
    return json({"message": "Shutdown plan deleted"})


# --- dry run -----------------------------------------------------------------------------------


STATE_FIELDS = {
    "charge": (0.0, 100.0),
    "runtime": (0.0, 8_640_000.0),
    "on_battery_seconds": (0.0, 30 * DAY),
    "comm_lost_seconds": (0.0, 30 * DAY),
}


def _state_number(raw: dict[str, Any], key: str, path: str) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    lo, hi = STATE_FIELDS[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise bad_request(f"{path}.{key}", f"{key} must be a number between {lo:g} and {hi:g}")
    return float(value)


def what_if(base: readings.Reading, raw: Any, path: str, now: float) -> readings.Reading:
    """`base` (the live reading) with the fields of a dry run's `state` entry over it."""
    if not isinstance(raw, dict):
        raise bad_request(path, f"{path} must be an object")
    unknown = set(raw) - {"status", *STATE_FIELDS}
    if unknown:
        raise bad_request(f"{path}.{sorted(unknown)[0]}", "unknown field")
    out = replace(base, known=True)
    if raw.get("status") is not None:
        status = optional_str(raw, "status", max_length=100) or ""
        tokens = frozenset(status.upper().split())
        power = "OB" if "OB" in tokens else "OL" if "OL" in tokens else None
        testing = bool(tokens & {"CAL", "TEST"})
        since = base.on_battery_since if base.power == "OB" else now
        out = replace(
            out,
            tokens=tokens,
            power=power,
            testing=testing,
            flags=tokens & {"FSD", "LB"},
            on_battery_since=since if power == "OB" else None,
        )
    if (charge := _state_number(raw, "charge", path)) is not None:
        out = replace(out, charge=charge)
    if (runtime := _state_number(raw, "runtime", path)) is not None:
        out = replace(out, runtime=runtime)
    if (held := _state_number(raw, "on_battery_seconds", path)) is not None:
        out = replace(out, on_battery_since=now - held)
        if raw.get("status") is None:  # on battery for that long (a given status wins)
            out = replace(out, power="OB", testing=False)
    if (lost := _state_number(raw, "comm_lost_seconds", path)) is not None:
        out = replace(out, failing_since=now - lost if lost > 0 else None, comm_ok=lost == 0)
    return out


async def current_readings(plan: Plan, now: float) -> tuple[dict[int, readings.Reading], set[int]]:
    """Live readings of the watched UPS, and the ids of every UPS the plan names that exists."""
    named = plan.ups_ids()
    systems = {u.id: u for u in await UpsSystem.filter(id__in=list(named))}
    rows = {r.ups_id: r for r in await UpsLiveState.filter(ups_id__in=list(plan.ups))}  # type: ignore[attr-defined]
    out: dict[int, readings.Reading] = {}
    for ups_id in plan.ups:
        ups = systems.get(ups_id)
        name = (ups.nickname or ups.name) if ups else f"UPS {ups_id}"
        row = rows.get(ups_id)
        out[ups_id] = readings.from_row(row, name, now) if row else readings.Reading(ups_id, name)
    return out, set(systems)


def step_dict(step: timeline.Step) -> dict[str, Any]:
    return {
        "section": step.section,
        "phase": step.phase,
        "phase_name": step.phase_name,
        "action_id": step.action.id,
        "type": step.action.type,
        "description": step.action.describe(),
        "starts_at_seconds": step.starts_at,
        "timeout_seconds": step.timeout,
        "destructive": step.destructive is not None,
    }


def dry_run(
    plan: Plan, given: dict[int, readings.Reading], existing: set[int], now: float
) -> dict[str, Any]:
    verdict = triggers.evaluate(plan, given, now)
    walk = timeline.walk(plan)
    return {
        "triggered": verdict.holds,
        "reason": verdict.reason,
        "ups": [
            {
                "ups_id": u.ups_id,
                "name": u.name,
                "failing": u.failing,
                "reasons": list(u.reasons),
                "due_in_seconds": u.due_in,
            }
            for u in verdict.ups
        ],
        "healthy": verdict.healthy,
        "due_in_seconds": verdict.due_in,
        "worst_case_seconds": walk.total_seconds,
        "steps": [step_dict(s) for s in walk.steps],
        "restore": None
        if plan.restore is None
        else {
            "after_seconds": plan.restore.after_seconds,
            "min_charge_percent": plan.restore.min_charge_percent,
        },
        "warnings": timeline.warnings(plan, walk, given, existing),
    }


@bp.post("/<plan_id:str>/dry-run")
@openapi.summary("What the plan would do now, or for the given readings (admin); runs nothing")
@openapi.description(
    "Evaluates the plan's triggers against each watched UPS's current live readings, or "
    "against `state` for the UPS it names (its fields over the live reading), and walks its "
    "phases: `starts_at_seconds` is the latest a step starts after the run starts (every "
    "earlier phase taking its whole timeout; when one finishes sooner, the next starts sooner). "
    "Restore steps count from the moment the mains are back. Nothing is run or stored."
)
@schemas.returns(schemas.ShutdownDryRun)
@schemas.accepts(schemas.ShutdownDryRunBody)
@require_admin
async def plan_dry_run(request: Request, plan_id: str) -> HTTPResponse:
    body = read_object(request, allow_empty=True)
    plan = usable_plan(await get_row(plan_id))
    state = body.get("state")
    if state is not None and not isinstance(state, dict):
        raise bad_request("state", "state must be an object of UPS id → readings")
    now = time.time()
    live, existing = await current_readings(plan, now)
    for key, raw in (state or {}).items():
        path = f"state.{str(key)[:20]}"
        if not (key.isascii() and key.isdigit() and len(key) <= 10) or int(key) not in plan.ups:
            raise bad_request(path, "state names UPS the plan watches, by id", "unknown_ups")
        live[int(key)] = what_if(live[int(key)], raw, path, now)
    return json(dry_run(plan, live, existing, now))


# --- testing one action ------------------------------------------------------------------------


def test_timeout(plan: Plan, action: Action) -> float:
    """The limit a run would give the action (its own within its phase's), at most
    TEST_SECONDS_MAX."""
    limit = min(TEST_SECONDS_MAX, timeline.own_timeout(action))
    for phase in plan.phases:
        if action in phase.actions:
            limit = min(limit, phase.timeout_seconds)
    return limit


@bp.post("/<plan_id:str>/actions/<action_id:str>/test")
@openapi.summary("Run one action of the plan now (admin); a destructive one needs confirm: true")
@openapi.description(
    "Runs the action once, as a run would (its secrets opened only for it), within its own "
    f"timeout and its phase's, at most {TEST_SECONDS_MAX:g} s. An action that may switch "
    "something off answers 409 `confirmation_required` (the reason in `message`) unless the "
    "body has `confirm: true`; nothing runs then. A failed test is a 200 with `ok: false`."
)
@schemas.returns(schemas.ShutdownActionTest)
@schemas.accepts(schemas.ShutdownActionTestBody)
@require_admin
async def test_action(request: Request, plan_id: str, action_id: str) -> HTTPResponse:
    body = read_object(request, allow_empty=True)
    confirmed = bool(optional_bool(body, "confirm"))
    row = await get_row(plan_id)
    plan = usable_plan(row)
    action = plan.action(action_id)
    if action is None:
        raise not_found("Action")
    user = request.ctx.user.username
    reason = action.kind.destructive(action.params)
    if reason and not confirmed:
        raise conflict(reason, "confirmation_required")
    timeout = test_timeout(plan, action)
    # The variables a run gives its actions (the engine's), saying it is a test.
    variables = {"plan": plan.name, "run": "test", "reason": f"test by {user}"}
    scrub = targets.Scrubber()
    ctx = targets.action_context(request.app.ctx.settings, timeout, variables, scrub)
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout + 5):  # the type's own limit, and a backstop
            outcome = await action.kind.run(action.params, ctx)
    except TimeoutError:
        outcome = Outcome(False, error=f"did not finish within {timeout:g} s")
    except Exception as err:
        outcome = Outcome(False, error=f"the action failed: {type(err).__name__}: {err}")
    duration_ms = round((time.monotonic() - started) * 1000)
    outcome = outcome.clipped()
    log.info(
        "%s tested action %s (%s) of shutdown plan %d %r%s: %s",
        user,
        action.id,
        action.type,
        row.id,
        plan.name,
        " (confirmed)" if reason else "",
        "ok" if outcome.ok else "failed",
    )
    return json(
        {
            "ok": outcome.ok,
            "output": scrub(outcome.output) or "",
            "exit_code": outcome.exit_code,
            "error": scrub(outcome.error),
            "duration_ms": duration_ms,
        }
    )


# --- first contact with an SSH server ----------------------------------------------------------


@bp.post("/ssh-host-key")
@openapi.summary("Read an SSH server's host key (admin): confirm its fingerprint into host_key")
@openapi.description(
    "First contact with a host: connects, reads the key the server presents and hangs up (no "
    "login). Show `fingerprint` to the admin; once they confirm it, save `key` as the ssh "
    "action's `host_key` (an action runs only against its pinned key). 502 when the server "
    "cannot be reached or is not SSH."
)
@schemas.returns(schemas.SshHostKey)
@schemas.accepts(schemas.SshHostKeyBody)
@require_admin
async def ssh_host_key(request: Request) -> HTTPResponse:
    body = read_object(request, allow_empty=False)
    host = check_host(optional_str(body, "host", max_length=255), "host")
    if not host:
        raise bad_request("host", "host is required")
    port = optional_int(body, "port", lo=1, hi=65535) or 22
    try:
        async with asyncio.timeout(HOST_KEY_TIMEOUT + 5):  # a backstop: it has its own
            found = await ssh.fetch_host_key(host, port, HOST_KEY_TIMEOUT)
    except ActionError as err:
        raise bad_gateway(err.message, "ssh_unreachable", host=host, port=port) from None
    except TimeoutError:
        raise bad_gateway(f"{host}:{port} did not answer in time", "ssh_unreachable") from None
    log.info(
        "%s read the SSH host key of %s:%d (%s)",
        request.ctx.user.username,
        host,
        port,
        found.fingerprint,
    )
    return json(
        {
            "host": host,
            "port": port,
            "key": found.key,
            "fingerprint": found.fingerprint,
            "algorithm": found.algorithm,
        }
    )
