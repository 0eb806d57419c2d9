"""`/api/shutdown-runs`: the list (filters, paging), one run with its steps in order, and
cancelling an active run — on rows written here the way the engine writes them."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest

from powerpulse.db.models import ShutdownPlan, ShutdownRun, ShutdownStep
from powerpulse.timeutil import utcnow
from tests.api.conftest import Account, Client

BASE = "/api/shutdown-runs"


async def add_plan(name: str = "Rack A") -> ShutdownPlan:
    return await ShutdownPlan.create(name=name, definition={"name": name, "phases": [{}, {}]})


async def add_run(plan: ShutdownPlan | None, state: str = "running", **kw: Any) -> ShutdownRun:
    active = state in ("running", "waiting_restore", "restoring")
    return await ShutdownRun.create(
        plan=plan,
        plan_name=plan.name if plan else "gone",
        definition={"phases": [{}, {}, {}]},
        state=state,
        trigger={"reason": "Rack A: runtime 4.0 min is below 10 min"},
        started_at=kw.pop("started_at", utcnow()),
        active_plan_id=plan.id if plan and active else None,
        **kw,
    )


async def add_steps(run: ShutdownRun) -> None:
    now = utcnow()
    # Written out of order: the answer sorts them.
    await ShutdownStep.create(
        run=run,
        section="restore",
        phase=0,
        position=0,
        action_id="r1",
        action_type="wol",
        description="wake db1",
        state="pending",
    )
    await ShutdownStep.create(
        run=run,
        section="phase",
        phase=1,
        position=0,
        action_id="f1",
        action_type="nut_fsd",
        description="FSD on ups1",
        state="pending",
    )
    await ShutdownStep.create(
        run=run,
        section="phase",
        phase=0,
        position=1,
        action_id="h2",
        action_type="http",
        description="POST https://hook",
        state="running",
        attempts=1,
        started_at=now,
    )
    await ShutdownStep.create(
        run=run,
        section="phase",
        phase=0,
        position=0,
        action_id="s1",
        action_type="ssh",
        description="ssh root@db1: poweroff",
        state="succeeded",
        attempts=1,
        started_at=now,
        finished_at=now,
        exit_code=0,
        output="bye",
    )


async def test_list_newest_first_with_filters(client: Client, admin: Account) -> None:
    a, b = await add_plan("A"), await add_plan("B")
    old = await add_run(a, "completed", finished_at=utcnow(), started_at=utcnow() - timedelta(1))
    cancelled = await add_run(b, "cancelled", finished_at=utcnow(), reason="cancelled by bob")
    active = await add_run(a, "running", phase=1)
    status, runs, _ = await client.get(BASE, token=admin.token)
    assert status == 200
    assert [r["id"] for r in runs] == [active.id, cancelled.id, old.id]
    assert runs[0] == {
        "id": active.id,
        "plan_id": a.id,
        "plan_name": "A",
        "state": "running",
        "trigger": {"reason": "Rack A: runtime 4.0 min is below 10 min"},
        "reason": None,
        "phase": 1,
        "phases": 3,
        "started_at": runs[0]["started_at"],
        "finished_at": None,
        "started_by": None,
    }
    assert runs[1]["reason"] == "cancelled by bob" and runs[1]["finished_at"]

    async def ids(query: str) -> list[int]:
        status, page, _ = await client.get(BASE + query, token=admin.token)
        assert status == 200, page
        return [r["id"] for r in page]

    assert await ids(f"?plan={a.id}") == [active.id, old.id]
    assert await ids("?state=cancelled") == [cancelled.id]
    assert await ids("?state=active") == [active.id]
    assert await ids("?limit=2") == [active.id, cancelled.id]
    assert await ids(f"?limit=2&before={cancelled.id}") == [old.id]
    assert await ids("?plan=99999") == []


@pytest.mark.parametrize(
    ("query", "culprit"),
    [
        ("?limit=0", "limit"),
        ("?limit=501", "limit"),
        ("?limit=ten", "limit"),
        ("?before=-1", "before"),
        ("?plan=x", "plan"),
        ("?plan=99999999999999", "plan"),
        ("?state=exploded", "state"),
    ],
)
async def test_list_bad_queries(client: Client, admin: Account, query: str, culprit: str) -> None:
    status, answer, _ = await client.get(BASE + query, token=admin.token)
    assert status == 400 and answer["field"] == culprit, answer


async def test_one_run_with_its_steps_in_order(client: Client, admin: Account) -> None:
    run = await add_run(await add_plan())
    await add_steps(run)
    status, answer, _ = await client.get(f"{BASE}/{run.id}", token=admin.token)
    assert status == 200, answer
    assert answer["id"] == run.id and answer["state"] == "running"
    order = [(s["section"], s["phase"], s["position"], s["action_id"]) for s in answer["steps"]]
    assert order == [
        ("phase", 0, 0, "s1"),
        ("phase", 0, 1, "h2"),
        ("phase", 1, 0, "f1"),
        ("restore", 0, 0, "r1"),
    ]
    first = answer["steps"][0]
    assert first["state"] == "succeeded" and first["exit_code"] == 0 and first["output"] == "bye"
    assert first["attempts"] == 1 and first["started_at"] and first["finished_at"]
    status, _, _ = await client.get(f"{BASE}/99999", token=admin.token)
    assert status == 404
    status, _, _ = await client.get(f"{BASE}/nope", token=admin.token)
    assert status == 404


async def test_cancel_an_active_run(
    client: Client, admin: Account, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="powerpulse.audit")
    plan = await add_plan()
    held = {"claimed_by": "engine-a", "claimed_until": utcnow() + timedelta(seconds=60)}
    run = await add_run(plan, "running", **held)
    await add_steps(run)
    status, answer, _ = await client.post(f"{BASE}/{run.id}/cancel", token=admin.token)
    assert status == 200, answer
    assert answer["state"] == "cancelled" and answer["reason"] == "cancelled by admin"
    assert answer["finished_at"]
    states = {s["action_id"]: s["state"] for s in answer["steps"]}
    # Pending steps are skipped; the running one is the engine's to stop; finished ones stay.
    assert states == {"s1": "succeeded", "h2": "running", "f1": "skipped", "r1": "skipped"}
    row = await ShutdownRun.get(id=run.id)
    assert row.state == "cancelled" and row.active_plan_id is None and row.finished_at
    assert f"admin cancelled shutdown run {run.id} of plan {plan.id} 'Rack A'" in caplog.text
    # The plan has no active run any more: it could start again.
    _, shown, _ = await client.get(f"/api/shutdown-plans/{plan.id}", token=admin.token)
    # (the stored definition above is not a valid plan: shown as stored, active_run null)
    assert shown["active_run"] is None
    status, answer, _ = await client.post(f"{BASE}/{run.id}/cancel", token=admin.token)
    assert status == 409 and answer["error"] == "run_finished", answer


async def test_cancelling_a_run_no_engine_drives_closes_its_running_step(
    client: Client, admin: Account
) -> None:
    plan = await add_plan()
    expired = {"claimed_by": "engine-a", "claimed_until": utcnow() - timedelta(seconds=1)}
    run = await add_run(plan, "running", **expired)
    await add_steps(run)
    status, answer, _ = await client.post(f"{BASE}/{run.id}/cancel", token=admin.token)
    assert status == 200, answer
    running = next(s for s in answer["steps"] if s["action_id"] == "h2")
    assert running["state"] == "failed" and running["finished_at"]
    assert running["error"] == "the run was cancelled while no engine was driving it"


@pytest.mark.parametrize("state", ["completed", "failed", "cancelled"])
async def test_a_finished_run_is_not_cancelled(client: Client, admin: Account, state: str) -> None:
    run = await add_run(await add_plan(), state, finished_at=utcnow(), reason="done")
    status, answer, _ = await client.post(f"{BASE}/{run.id}/cancel", token=admin.token)
    assert status == 409, answer
    row = await ShutdownRun.get(id=run.id)
    assert row.state == state and row.reason == "done"


@pytest.mark.parametrize("state", ["waiting_restore", "restoring"])
async def test_waiting_and_restoring_runs_can_be_cancelled(
    client: Client, admin: Account, state: str
) -> None:
    run = await add_run(await add_plan(), state)
    status, answer, _ = await client.post(f"{BASE}/{run.id}/cancel", token=admin.token)
    assert status == 200 and answer["state"] == "cancelled", answer


async def test_runs_are_for_admins(client: Client, admin: Account, member: Account) -> None:
    run = await add_run(await add_plan())
    for method, path in (
        ("GET", BASE),
        ("GET", f"{BASE}/{run.id}"),
        ("POST", f"{BASE}/{run.id}/cancel"),
    ):
        status, _, _ = await client.request(method, path, token=member.token)
        assert status == 403, (method, path)
        status, _, _ = await client.request(method, path)
        assert status == 401, (method, path)
    assert (await ShutdownRun.get(id=run.id)).state == "running"
