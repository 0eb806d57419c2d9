"""The engine against the database without a NUT server: live rows written here stand for what
the poller saw. Two engines on one plan, a claim that expires, a cancel through the API while an
action runs, a broken plan, and the `shutdown_run` stream frame."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from powerpulse.api import schemas
from powerpulse.api.live_watcher import LiveWatcher
from powerpulse.config import Settings
from powerpulse.db.models import (
    AuditEntry,
    Event,
    NutServer,
    ShutdownPlan,
    ShutdownRun,
    ShutdownStep,
    UpsLiveState,
    UpsSystem,
)
from powerpulse.notify.dispatcher import notice_for_event
from powerpulse.notify.messages import PLAIN, compose
from powerpulse.notify.mutes import NEVER_MUTED
from powerpulse.notify.recipients import KIND_SWITCHES
from powerpulse.notify.rules import RULE_KINDS
from powerpulse.shutdown.engine import ShutdownEngine
from powerpulse.timeutil import utcnow
from tests.conftest import make_settings
from tests.shutdown.test_end_to_end import add_plan, http, wait_for
from tests.support.receivers import WebhookReceiver
from tests.support.sshd import Sshd


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data", WEBHOOK_ALLOWED_HOSTS="127.0.0.1")


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver("slack") as receiver:
        yield receiver


async def ups_on_battery() -> int:
    """One UPS whose live row says: on battery for a minute, 2 minutes of runtime left."""
    server = await NutServer.create(host="127.0.0.1", port=9)
    ups = await UpsSystem.create(name="Rack", ups_name="rack", nut_server=server)
    await UpsLiveState.create(
        ups=ups,
        variables={"battery.runtime": "120", "battery.charge": "30"},
        status_tokens="OB DISCHRG",
        event_state={"power": "OB", "obSince": time.time() - 60, "commOk": True, "flags": []},
    )
    return int(ups.id)


def body(ups_id: int, *phases: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "Rack plan",
        "ups": [ups_id],
        "triggers": {"runtime_below_minutes": 5},
        "stabilise_seconds": 0,
        "phases": list(phases),
    }


@contextlib.asynccontextmanager
async def engine_running(settings: Settings, **kw: Any) -> AsyncIterator[ShutdownEngine]:
    engine = ShutdownEngine(settings, **kw)
    stop = asyncio.Event()
    task = asyncio.create_task(engine.run(stop))
    try:
        yield engine
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


async def test_two_engines_start_a_plan_once(db: Settings, hook: WebhookReceiver) -> None:
    ups = await ups_on_battery()
    await add_plan(db, body(ups, {"name": "now", "actions": [http(hook, "once")]}))
    one, two = ShutdownEngine(db), ShutdownEngine(db)
    await asyncio.gather(one.turn(), two.turn())
    await hook.await_requests(1)
    await asyncio.gather(one.turn(), two.turn())
    await asyncio.sleep(0.5)
    await asyncio.gather(one.turn(), two.turn())
    assert await ShutdownRun.all().count() == 1
    assert len(hook.requests) == 1
    run = await ShutdownRun.get()
    assert run.state == "completed" and run.active_plan_id is None
    # The audit log has PowerPulse (no user) starting and finishing it, once each.
    recorded = await AuditEntry.filter(action__startswith="system.").order_by("id")
    assert [(e.action, e.username, e.target_id, e.target_name) for e in recorded] == [
        ("system.shutdown_run_started", None, str(run.id), run.plan_name),
        ("system.shutdown_run_finished", None, str(run.id), run.plan_name),
    ]
    assert recorded[1].after["state"] == "completed"
    # Still on battery: the plan does not start over (once per outage).
    await asyncio.gather(one.turn(), two.turn())
    assert await ShutdownRun.all().count() == 1


async def test_a_runtime_that_rebounds_does_not_start_the_plan_again_in_the_same_outage(
    db: Settings, hook: WebhookReceiver
) -> None:
    ups = await ups_on_battery()
    await add_plan(db, body(ups, {"name": "now", "actions": [http(hook, "once")]}))
    engine = ShutdownEngine(db)
    await engine.turn()
    await hook.await_requests(1)
    deadline = time.monotonic() + 10
    while (await ShutdownRun.get()).state != "completed":  # the step records its end, then
        assert time.monotonic() < deadline  # a turn ends the run
        await asyncio.sleep(0.05)
        await engine.turn()
    # The first hosts are down, the load drops, the runtime estimate jumps above the trigger…
    await UpsLiveState.filter(ups_id=ups).update(variables={"battery.runtime": "1200"})
    await engine.turn()
    # … and falls below it again, still on battery: the same outage, no second run.
    await UpsLiveState.filter(ups_id=ups).update(variables={"battery.runtime": "120"})
    await engine.turn()
    await asyncio.sleep(0.3)
    assert await ShutdownRun.all().count() == 1 and len(hook.requests) == 1
    # The mains come back, then fail again: a new outage, a new run.
    back = {"power": "OL", "commOk": True, "flags": []}
    await UpsLiveState.filter(ups_id=ups).update(status_tokens="OL", event_state=back)
    await engine.turn()
    again = {"power": "OB", "obSince": time.time(), "commOk": True, "flags": []}
    await UpsLiveState.filter(ups_id=ups).update(status_tokens="OB", event_state=again)
    await engine.turn()
    await hook.await_requests(2)
    assert await ShutdownRun.all().count() == 2


async def test_an_expired_claim_is_taken_over_and_timing_resumes(
    db: Settings, hook: WebhookReceiver
) -> None:
    ups = await ups_on_battery()
    await add_plan(
        db,
        body(
            ups,
            {"name": "first", "actions": [http(hook, "a")]},
            {"name": "later", "delay_seconds": 2, "actions": [http(hook, "b")]},
        ),
    )
    first = ShutdownEngine(db, lease=1.0, renew_every=0.2)
    await first.turn()
    await hook.await_requests(1)
    await wait_for(lambda: ShutdownStep.filter(state="succeeded").exists())
    await first.turn()  # phase 1 ended: phase 2 is due 2 s from now
    run = await ShutdownRun.get()
    assert run.phase == 1 and run.claimed_by == first.id
    second = ShutdownEngine(db, lease=1.0, renew_every=0.2)
    await second.turn()  # alive and claimed: not ours
    assert (await ShutdownRun.get()).claimed_by == first.id
    await asyncio.sleep(1.1)  # the first engine stopped renewing (as if frozen or killed)
    await second.turn()
    assert (await ShutdownRun.get()).claimed_by == second.id
    await first.turn()  # it wakes up: the run is no longer its own, it does nothing
    assert (await ShutdownRun.get()).claimed_by == second.id
    while len(hook.requests) < 2:
        await second.turn()
        await asyncio.sleep(0.1)
    assert hook.requests[1].at - hook.requests[0].at >= 2.0  # the stored due time held

    async def both_done() -> bool:
        return await ShutdownStep.filter(state="succeeded").count() == 2

    await wait_for(both_done)
    await second.turn()
    run = await ShutdownRun.get()
    assert run.state == "completed"
    assert [r.path for r in hook.requests] == ["/a", "/b"]


async def test_an_api_cancel_stops_the_running_action_and_nothing_more_starts(
    db: Settings, hook: WebhookReceiver
) -> None:
    ups = await ups_on_battery()
    hook.script("hang")
    plan_id = await add_plan(
        db,
        body(
            ups,
            {"name": "slow", "actions": [http(hook, "slow")]},
            {"name": "next", "actions": [http(hook, "next")]},
        ),
    )
    async with engine_running(db) as engine:
        await hook.await_requests(1)
        run = await ShutdownRun.get(plan_id=plan_id)
        # What POST /api/shutdown-runs/:id/cancel writes.
        await ShutdownRun.filter(id=run.id).update(
            state="cancelled",
            reason="cancelled by admin",
            finished_at=utcnow(),
            active_plan_id=None,
        )
        await ShutdownStep.filter(run_id=run.id, state="pending").update(state="skipped")

        async def stopped() -> bool:
            return not engine.tasks and await ShutdownStep.filter(state="failed").exists()

        await wait_for(stopped, timeout=5)
        await asyncio.sleep(1.2)
    assert [r.path for r in hook.requests] == ["/slow"]
    states = [s.state for s in await ShutdownStep.filter(run_id=run.id).order_by("phase")]
    assert states == ["failed", "skipped"]
    run = await ShutdownRun.get(id=run.id)
    assert (run.state, run.reason, run.claimed_by) == ("cancelled", "cancelled by admin", None)
    finished = await Event.filter(kind="shutdown_finished")
    assert len(finished) == 1 and finished[0].details["state"] == "cancelled"


async def test_a_broken_plan_is_logged_and_the_others_run(
    db: Settings, hook: WebhookReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    ups = await ups_on_battery()
    await ShutdownPlan.create(name="Broken", definition={"name": "Broken", "phases": "x"})
    await add_plan(db, body(ups, {"name": "now", "actions": [http(hook, "fine")]}))
    engine = ShutdownEngine(db)
    await engine.turn()
    await hook.await_requests(1)
    assert "shutdown plan 'Broken' cannot be used" in caplog.text


async def test_the_stream_sends_a_run_s_progress_without_outputs(
    db: Settings, hook: WebhookReceiver
) -> None:
    ups = await ups_on_battery()
    plan_id = await add_plan(db, body(ups, {"name": "now", "actions": [http(hook, "x")]}))
    watcher = LiveWatcher(poll_interval=0.5)
    await watcher.load()
    sub = watcher.subscribe(public=False)
    kiosk = watcher.subscribe(public=True)
    engine = ShutdownEngine(db)
    await engine.turn()
    await hook.await_requests(1)
    await wait_for(lambda: ShutdownStep.filter(state="succeeded").exists())
    await engine.turn()
    await watcher.poll_once()
    frames = []
    while not sub.queue.empty():
        frame = sub.queue.get_nowait()
        assert frame is not None
        if frame.startswith("event: shutdown_run\n"):
            frames.append(orjson.loads(frame.split("data: ", 1)[1]))
    assert frames, "no shutdown_run frame"
    last = frames[-1]
    schemas.validator(schemas.StreamShutdownRun).validate_python(last, strict=True)
    run = await ShutdownRun.get(plan_id=plan_id)
    assert last == {
        "id": run.id,
        "plan_id": plan_id,
        "plan_name": "Rack plan",
        "state": "completed",
        "phase": 1,
        "phases": 1,
        "reason": "every phase ran (1)",
        "steps": [
            {
                "id": last["steps"][0]["id"],
                "section": "phase",
                "phase": 0,
                "position": 0,
                "state": "succeeded",
            }
        ],
    }
    assert kiosk.queue.empty()  # the kiosk is told nothing of shutdown plans
    # A client that connects during a run gets the active runs after its snapshot.
    assert watcher.runs_snapshot() == []


async def test_shutdown_events_read_well_and_go_where_low_battery_goes(
    db: Settings, hook: WebhookReceiver
) -> None:
    ups = await ups_on_battery()
    await add_plan(db, body(ups, {"name": "now", "actions": [http(hook, "x")]}))
    engine = ShutdownEngine(db)
    await engine.turn()
    await hook.await_requests(1)
    await wait_for(lambda: ShutdownStep.filter(state="succeeded").exists())
    await engine.turn()
    started, finished = await Event.filter(kind__startswith="shutdown_").order_by("id")
    row = await UpsSystem.get(id=ups)
    text = compose(notice_for_event(started, row), PLAIN)
    assert text.title == "🛑 Shutdown plan started"
    assert text.body.startswith("Rack started the shutdown plan Rack plan: Rack: runtime 2.0 min")
    assert ("Battery charge", "30 %") in text.facts
    text = compose(notice_for_event(finished, row), PLAIN)
    assert text.title == "🏁 Shutdown plan finished"
    assert "the shutdown plan Rack plan ended (completed: every phase ran (1))" in text.body
    for kind in ("shutdown_started", "shutdown_step_failed", "shutdown_finished"):
        assert KIND_SWITCHES[kind] == KIND_SWITCHES["fsd"]
        assert kind in NEVER_MUTED and kind in RULE_KINDS


async def test_ssh_steps_leave_their_marker_and_record_output_and_exit_code(
    db: Settings, sshd: Sshd
) -> None:
    ups = await ups_on_battery()

    def ssh(command: str) -> dict[str, Any]:
        return {
            "type": "ssh",
            "host": sshd.host,
            "port": sshd.port,
            "username": sshd.username,
            "private_key": sshd.client_key,
            "host_key": sshd.host_key,
            "command": command,
        }

    marker = sshd.marker_dir / "db1-down"
    plan_id = await add_plan(
        db,
        body(
            ups,
            {"name": "hosts", "actions": [ssh(f"echo stopping {{plan}}; touch {marker}")]},
            {"name": "last", "actions": [ssh("echo nope >&2; exit 3")]},
        ),
    )
    async with engine_running(db):

        async def ended() -> bool:
            return await ShutdownRun.filter(plan_id=plan_id, state="completed").exists()

        await wait_for(ended, timeout=20)
    assert marker.exists()
    first, last = await ShutdownStep.filter(section="phase").order_by("phase")
    assert (first.state, first.exit_code, first.attempts) == ("succeeded", 0, 1)
    assert "stopping Rack plan" in first.output
    assert (last.state, last.exit_code) == ("failed", 3)
    assert "nope" in last.output
    assert [e.kind for e in await Event.filter(kind__startswith="shutdown_").order_by("id")] == [
        "shutdown_started",
        "shutdown_step_failed",
        "shutdown_finished",
    ]
