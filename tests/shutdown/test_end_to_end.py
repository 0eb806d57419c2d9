"""Shutdown plans for real: a real upsd + dummy-ups, the real poller and engine in this process,
real http actions reaching a local receiver. Timings are read from when the receiver saw each
request."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from powerpulse.config import Settings
from powerpulse.db import counters
from powerpulse.db.models import Event, ShutdownPlan, ShutdownRun, ShutdownStep, UpsLiveState
from powerpulse.poller.loop import Poller
from powerpulse.shutdown.engine import ShutdownEngine
from powerpulse.shutdown.plan import parse_plan, plan_json
from tests.conftest import make_settings
from tests.poller.conftest import add_nut
from tests.support.nut_server import NutServer as RealNut
from tests.support.receivers import Received, WebhookReceiver

POLL = "0.3"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data", POLL_INTERVAL=POLL, WEBHOOK_ALLOWED_HOSTS="127.0.0.1")


@pytest.fixture
def hook() -> Any:
    with WebhookReceiver("slack") as receiver:
        yield receiver


def http(hook: WebhookReceiver, path: str, **kw: Any) -> dict[str, Any]:
    return {"type": "http", "method": "POST", "url": f"http://{hook.host}/{path}", **kw}


async def add_plan(settings: Settings, body: dict[str, Any]) -> int:
    """Store a plan as the API does (secrets sealed, the config counter bumped)."""
    plan = parse_plan(body, seal=settings.secret_box().seal)
    row = await ShutdownPlan.create(
        name=plan.name, enabled=plan.enabled, definition=plan_json(plan, masked=False)
    )
    await counters.bump(counters.CONFIG)
    return int(row.id)


@contextlib.asynccontextmanager
async def running(settings: Settings, **engine_kw: Any) -> AsyncIterator[ShutdownEngine]:
    """The poller and the engine, wired as `powerpulse poller` wires them."""
    engine = ShutdownEngine(settings, **engine_kw)
    poller = Poller(settings, on_poll=engine.wake)
    stop = asyncio.Event()
    tasks = [asyncio.create_task(poller.run(stop)), asyncio.create_task(engine.run(stop))]
    try:
        yield engine
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 10)


async def wait_for(check: Callable[[], Awaitable[bool]], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def online(*ups_ids: int) -> None:
    async def seen() -> bool:
        rows = await UpsLiveState.filter(ups_id__in=list(ups_ids))
        return len(rows) == len(ups_ids) and all(
            (r.event_state or {}).get("power") == "OL" for r in rows
        )

    await wait_for(seen)


async def run_of(plan_id: int) -> ShutdownRun | None:
    return await ShutdownRun.filter(plan_id=plan_id).order_by("-id").first()


async def wait_state(plan_id: int, *states: str, timeout: float = 15.0) -> ShutdownRun:
    async def reached() -> bool:
        run = await run_of(plan_id)
        return run is not None and run.state in states

    await wait_for(reached, timeout)
    run = await run_of(plan_id)
    assert run is not None
    return run


def paths(hook: WebhookReceiver) -> list[str]:
    return [r.path for r in hook.requests]


def first(hook: WebhookReceiver, path: str) -> Received:
    return next(r for r in hook.requests if r.path == path)


async def steps(run: ShutdownRun) -> list[tuple[str, int, int, str, int]]:
    rows = await ShutdownStep.filter(run_id=run.id).order_by("section", "phase", "position")
    return [(s.section, s.phase, s.position, s.state, s.attempts) for s in rows]


async def test_phases_run_in_order_with_their_delays_and_power_back_cancels_the_rest(
    db: Settings, nut: RealNut, hook: WebhookReceiver
) -> None:
    ids = await add_nut(nut)
    plan_id = await add_plan(
        db,
        {
            "name": "Rack A",
            "ups": [ids["ups1"]],
            "triggers": {"runtime_below_minutes": 5},
            "stabilise_seconds": 0.5,
            "phases": [
                {"name": "apps", "actions": [http(hook, "apps1"), http(hook, "apps2")]},
                {"name": "databases", "delay_seconds": 2, "actions": [http(hook, "db")]},
                {"name": "storage", "delay_seconds": 4, "actions": [http(hook, "storage")]},
            ],
        },
    )
    async with running(db):
        await online(ids["ups1"])
        nut.set_status("ups1", "OB DISCHRG", **{"battery.runtime": "900"})
        await asyncio.sleep(2)  # on battery, but with plenty of runtime: no trigger
        assert await run_of(plan_id) is None
        went_ob = time.time()
        nut.set_status("ups1", "OB DISCHRG", **{"battery.runtime": "200"})
        await hook.await_requests(3, timeout=15)
        apps = first(hook, "/apps1")
        assert apps.at - went_ob >= 0.5  # the stabilisation window
        assert {r.path for r in hook.requests[:2]} == {"/apps1", "/apps2"}  # in parallel
        assert hook.requests[2].path == "/db"
        assert abs(first(hook, "/apps2").at - apps.at) < 0.5
        phase1_end = max(first(hook, "/apps1").at, first(hook, "/apps2").at)
        assert first(hook, "/db").at - phase1_end >= 2.0  # the second phase's delay
        # The mains return during the storage phase's delay: the plan stops there.
        nut.set_status("ups1", "OL CHRG", **{"battery.runtime": "1800"})
        run = await wait_state(plan_id, "cancelled", "completed", timeout=10)
        await asyncio.sleep(1)
    assert run.state == "cancelled"
    assert run.reason == "power returned before phase 'storage'"
    assert run.finished_at is not None and run.active_plan_id is None
    assert "/storage" not in paths(hook) and len(hook.requests) == 3
    assert await steps(run) == [
        ("phase", 0, 0, "succeeded", 1),
        ("phase", 0, 1, "succeeded", 1),
        ("phase", 1, 0, "succeeded", 1),
        ("phase", 2, 0, "skipped", 0),
    ]
    assert run.trigger["ups"] == [{"id": ids["ups1"], "name": "UPS ups1"}]
    assert "runtime" in run.trigger["reason"] and run.trigger["at"].endswith("Z")
    kinds = [e.kind for e in await Event.filter(kind__startswith="shutdown_").order_by("id")]
    assert kinds == ["shutdown_started", "shutdown_finished"]


async def test_self_tests_and_one_ups_of_a_redundant_pair_trigger_nothing(
    db: Settings, nut: RealNut, hook: WebhookReceiver
) -> None:
    ids = await add_nut(nut)
    single = await add_plan(
        db,
        {
            "name": "Single",
            "ups": [ids["ups1"]],
            "triggers": {"on_battery_seconds": 0, "runtime_below_minutes": 60},
            "stabilise_seconds": 0,
            "phases": [{"name": "now", "actions": [http(hook, "single")]}],
        },
    )
    pair = await add_plan(
        db,
        {
            "name": "Pair",
            "ups": [ids["ups1"], ids["ups2"]],
            "min_healthy": 1,
            "stabilise_seconds": 0,
            "phases": [{"name": "now", "actions": [http(hook, "pair")]}],
        },
    )
    async with running(db):
        await online(ids["ups1"], ids["ups2"])
        nut.set_status("ups1", "OB DISCHRG CAL", **{"battery.runtime": "100"})
        await asyncio.to_thread(nut.wait_var, "ups1", "ups.status", "OB DISCHRG CAL")
        await asyncio.sleep(1.5)
        nut.set_status("ups1", "OL TEST", **{"battery.runtime": "100"})
        await asyncio.to_thread(nut.wait_var, "ups1", "ups.status", "OL TEST")
        await asyncio.sleep(1.5)
        nut.set_status("ups1", "OL", **{"battery.runtime": "1800"})
        await asyncio.sleep(1)
        assert hook.requests == [] and await ShutdownRun.all().count() == 0
        # One UPS of the pair fails: the other still carries the load.
        nut.set_status("ups2", "OB DISCHRG")
        await asyncio.to_thread(nut.wait_var, "ups2", "ups.status", "OB DISCHRG")
        await asyncio.sleep(1.5)
        assert hook.requests == [] and await ShutdownRun.all().count() == 0
        # Both fail: the pair triggers (and the single plan, whose UPS is now on battery).
        nut.set_status("ups1", "OB DISCHRG")
        await hook.await_requests(2, timeout=10)
        run = await wait_state(pair, "completed")
        await wait_state(single, "completed")
    assert sorted(paths(hook)) == ["/pair", "/single"]
    assert run.reason == "every phase ran (1)"
    assert "redundancy lost: 0 of 2 UPS healthy" in run.trigger["reason"]
    assert {u["id"] for u in run.trigger["ups"]} == {ids["ups1"], ids["ups2"]}


async def test_the_restore_sequence_waits_for_steady_mains_and_charge_and_failures_notify(
    db: Settings, nut: RealNut, hook: WebhookReceiver
) -> None:
    ids = await add_nut(nut)
    wol = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # where the magic packet goes
    wol.bind(("127.0.0.1", 0))
    wol.settimeout(15)
    with wol, WebhookReceiver("slack") as broken:
        broken.script("500")
        plan_id = await add_plan(
            db,
            {
                "name": "Lab",
                "ups": [ids["ups1"]],
                "triggers": {"charge_below_percent": 50},
                "stabilise_seconds": 0,
                "phases": [
                    {"name": "hosts", "actions": [http(hook, "down"), http(broken, "fails")]}
                ],
                "restore": {
                    "after_seconds": 1,
                    "min_charge_percent": 60,
                    "actions": [
                        http(hook, "wake"),
                        {
                            "type": "wol",
                            "mac": "aa:bb:cc:dd:ee:ff",
                            "address": "127.0.0.1",
                            "port": wol.getsockname()[1],
                        },
                    ],
                },
            },
        )
        async with running(db):
            await online(ids["ups1"])
            nut.set_status("ups1", "OB DISCHRG", **{"battery.charge": "40"})
            run = await wait_state(plan_id, "waiting_restore")
            assert paths(hook) == ["/down"] and len(broken.requests) == 1
            nut.set_status("ups1", "OL CHRG", **{"battery.charge": "45"})
            await asyncio.to_thread(nut.wait_var, "ups1", "ups.status", "OL CHRG")
            await asyncio.sleep(3)  # mains steady for more than after_seconds, charge too low
            assert paths(hook) == ["/down"]
            assert (await wait_state(plan_id, "waiting_restore")).restore_since is not None
            back = time.time()
            nut.set_status("ups1", "OL CHRG", **{"battery.charge": "65"})
            await hook.await_requests(2, timeout=10)
            packet = await asyncio.to_thread(wol.recv, 1024)
            run = await wait_state(plan_id, "completed")
    assert paths(hook) == ["/down", "/wake"]
    assert packet == b"\xff" * 6 + bytes.fromhex("aabbccddeeff") * 16
    assert first(hook, "/wake").at - back < 3
    assert run.reason == "every phase ran; the restore sequence ran"
    assert await steps(run) == [
        ("phase", 0, 0, "succeeded", 1),
        ("phase", 0, 1, "failed", 1),
        ("restore", 0, 0, "succeeded", 1),
        ("restore", 0, 1, "succeeded", 1),
    ]
    failed = await ShutdownStep.get(run_id=run.id, section="phase", position=1)
    assert failed.error and "500" in failed.error
    events = await Event.filter(kind__startswith="shutdown_").order_by("id")
    assert [e.kind for e in events] == [
        "shutdown_started",
        "shutdown_step_failed",
        "shutdown_finished",
    ]
    assert all(e.ups_id == ids["ups1"] and not e.dispatched for e in events)  # type: ignore[attr-defined]
    started, step_failed, finished = (e.details for e in events)
    assert started["run"] == run.id and started["plan"] == "Lab"
    assert "charge 40% is below 50%" in started["reason"]
    assert step_failed["run"] == run.id and step_failed["state"] == "failed"
    assert "/fails" in step_failed["step"] and "500" in step_failed["error"]
    assert finished["state"] == "completed" and finished["reason"] == run.reason
