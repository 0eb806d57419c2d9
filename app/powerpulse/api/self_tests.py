"""Battery self-tests: schedules (`/api/self-test-schedules`) and one UPS's tests.

Schedules are read by any user and written by admins; a 400 names the field
(`selftest.schedule`). The poller's runner reads schedules on each turn, so no reload is
needed. `POST /api/ups-systems/:id/self-tests` runs a test now under the same safety rules
(`selftest.safety`; manual: charge ≥ 90 % and no outage in 24 h unless the body says
otherwise): 201 with the test (state "requested", or "error" with upsd's refusal), or 409
`self_test_blocked` with the rule's `reason`. Every change is logged on `powerpulse.audit`.
"""

from __future__ import annotations

import logging
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from powerpulse.api import schemas
from powerpulse.api.auth import require_admin, require_operator, require_user
from powerpulse.api.errors import ApiError, bad_request, not_found
from powerpulse.api.validation import parse_id, query_int, read_json
from powerpulse.db.models import SelfTest, SelfTestSchedule, UpsSystem
from powerpulse.selftest import runner, safety, serialize
from powerpulse.selftest.schedule import (
    TEST_TYPES,
    ScheduleError,
    parse_schedule,
)

log = logging.getLogger("powerpulse.audit")

schedules_bp = Blueprint("self_test_schedules", url_prefix="/api/self-test-schedules")
tests_bp = Blueprint("self_tests", url_prefix="/api/ups-systems")
blueprints = Blueprint.group(schedules_bp, tests_bp)
MAX_SCHEDULES = 100


def _parse(body: dict[str, Any], previous: Any = None) -> Any:
    try:
        return parse_schedule(body, previous)
    except ScheduleError as err:
        raise bad_request(err.field, err.message) from None


async def _check_ups(ups: tuple[int, ...] | None) -> None:
    if ups is None:
        return
    found = set(await UpsSystem.filter(id__in=list(ups)).values_list("id", flat=True))
    for i, ups_id in enumerate(ups):
        if ups_id not in found:
            raise bad_request("ups", f"ups[{i}]: unknown UPS id {ups_id}", "unknown_ups")


async def _schedule(raw_id: str) -> SelfTestSchedule:
    row = await SelfTestSchedule.get_or_none(id=parse_id(raw_id, "Self-test schedule"))
    if row is None:
        raise not_found("Self-test schedule")
    return row


@schedules_bp.get("")
@openapi.summary("Battery self-test schedules")
@schemas.returns(list[schemas.SelfTestSchedule])
@require_user
async def list_schedules(request: Request) -> HTTPResponse:
    rows = await SelfTestSchedule.all().order_by("id")
    return json([serialize.schedule(r) for r in rows])


@schedules_bp.post("")
@openapi.summary("Create a battery self-test schedule (admin)")
@schemas.returns(schemas.SelfTestSchedule, 201)
@schemas.accepts(schemas.SelfTestScheduleBody)
@require_admin
async def create_schedule(request: Request) -> HTTPResponse:
    parsed = _parse(read_json(request, allow_empty=False))
    await _check_ups(parsed.ups)
    if await SelfTestSchedule.all().count() >= MAX_SCHEDULES:
        raise bad_request(None, f"At most {MAX_SCHEDULES} schedules", "too_many")
    row = await SelfTestSchedule.create(**serialize.schedule_fields(parsed))
    log.info("%s created self-test schedule %s (%s)", request.ctx.user.username, row.id, row.name)
    return json(serialize.schedule(row), status=201)


@schedules_bp.put("/<schedule_id:str>")
@openapi.summary("Change a battery self-test schedule (admin; fields left out are kept)")
@schemas.returns(schemas.SelfTestSchedule)
@schemas.accepts(schemas.SelfTestScheduleBody)
@require_admin
async def update_schedule(request: Request, schedule_id: str) -> HTTPResponse:
    row = await _schedule(schedule_id)
    parsed = _parse(read_json(request, allow_empty=False), serialize.schedule_of(row))
    await _check_ups(parsed.ups)
    row.update_from_dict(serialize.schedule_fields(parsed))
    await row.save()
    log.info("%s changed self-test schedule %s (%s)", request.ctx.user.username, row.id, row.name)
    return json(serialize.schedule(row))


@schedules_bp.delete("/<schedule_id:str>")
@openapi.summary("Delete a battery self-test schedule (admin; its past tests are kept)")
@schemas.returns(schemas.Message)
@require_admin
async def delete_schedule(request: Request, schedule_id: str) -> HTTPResponse:
    row = await _schedule(schedule_id)
    await row.delete()
    log.info("%s deleted self-test schedule %s (%s)", request.ctx.user.username, row.id, row.name)
    return json({"message": "Self-test schedule deleted"})


async def _ups(raw_id: str) -> UpsSystem:
    ups = await UpsSystem.get_or_none(id=parse_id(raw_id, "UPS system"))
    if ups is None:
        raise not_found("UPS system")
    return ups


@tests_bp.get("/<ups_id:str>/self-tests")
@openapi.summary("The battery self-tests of one UPS, newest first (?limit=, default 50)")
@schemas.returns(list[schemas.SelfTest])
@require_user
async def list_tests(request: Request, ups_id: str) -> HTTPResponse:
    ups = await _ups(ups_id)
    limit = query_int(request, "limit", default=50, lo=1, hi=500)
    rows = await SelfTest.filter(ups_id=ups.id).order_by("-requested_at", "-id").limit(limit)
    return json([serialize.self_test(r) for r in rows])


def _manual_limits(body: dict[str, Any]) -> tuple[str, float, int]:
    """testType, minCharge and quietHours of a manual test (the schedule's rules)."""
    test_type = body.get("testType", "quick")
    if test_type not in TEST_TYPES:
        raise bad_request("testType", f"testType must be one of: {', '.join(TEST_TYPES)}")
    probe: dict[str, Any] = {"name": "manual"}
    for key in ("minCharge", "quietHours"):
        if body.get(key) is not None:
            probe[key] = body[key]
    s = _parse(probe)
    min_charge = s.min_charge if "minCharge" in probe else runner.MANUAL_MIN_CHARGE
    quiet = s.quiet_hours if "quietHours" in probe else runner.MANUAL_QUIET_HOURS
    return str(test_type), min_charge, quiet


@tests_bp.post("/<ups_id:str>/self-tests")
@openapi.summary("Run a battery self-test now (operator; the safety rules apply: 409 when blocked)")
@schemas.returns(schemas.SelfTest, 201)
@schemas.accepts(schemas.SelfTestBody)
@require_operator
async def run_test(request: Request, ups_id: str) -> HTTPResponse:
    body = read_json(request, allow_empty=True)
    ups = await _ups(ups_id)
    test_type, min_charge, quiet = _manual_limits(body)
    user = request.ctx.user.username
    outcome = await runner.request_test(
        ups,
        test_type,
        request.app.ctx.settings,
        min_charge=min_charge,
        quiet_hours=quiet,
        started_by=user,
    )
    if outcome.test is None:
        reason = outcome.reason or safety.UNSUPPORTED
        message = safety.MESSAGES.get(reason, "The test may not run now")
        log.info("%s asked for a battery test on %s: blocked (%s)", user, ups.name, reason)
        raise ApiError(409, message, "self_test_blocked", reason=reason)
    return json(serialize.self_test(outcome.test), status=201)
