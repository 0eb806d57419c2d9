"""`kill -9` of the real `powerpulse poller` in the middle of a shutdown run: the next poller
resumes the run, never repeats a step that finished, runs again the one left running (the
documented choice), and the run completes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from powerpulse.config import Settings
from powerpulse.db.models import ShutdownStep
from tests.poller.conftest import add_nut
from tests.shutdown.test_end_to_end import (  # noqa: F401 (settings: the fixture)
    add_plan,
    first,
    http,
    online,
    paths,
    settings,
    steps,
    wait_for,
    wait_state,
)
from tests.support.engines import stack_env
from tests.support.nut_server import NutServer as RealNut
from tests.support.receivers import WebhookReceiver
from tests.support.stack import Stack

ENV = {
    "POLL_INTERVAL": "0.3",
    "LOG_LEVEL": "INFO",
    "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
    "SHUTDOWN_LEASE_SECONDS": "3",
}


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver("slack") as receiver:
        yield receiver


async def test_a_killed_poller_s_run_resumes_without_repeating_a_finished_step(
    db: Settings, nut: RealNut, hook: WebhookReceiver
) -> None:
    ids = await add_nut(nut)
    with WebhookReceiver("slack") as slow:
        slow.script("hang", "hang")  # never answers (until the receiver stops)
        plan_id = await add_plan(
            db,
            {
                "name": "Crash",
                "ups": [ids["ups1"]],
                "triggers": {"runtime_below_minutes": 5},
                "stabilise_seconds": 0,
                "phases": [
                    {"name": "first", "actions": [http(hook, "a")]},
                    {
                        "name": "second",
                        "delay_seconds": 1,
                        "timeout_seconds": 12,
                        "actions": [http(hook, "b"), http(slow, "slow")],
                    },
                ],
            },
        )
        with Stack(db.data_dir, env=ENV | stack_env(db)) as stack:
            stack.start_poller()
            await online(ids["ups1"])
            nut.set_status("ups1", "OB DISCHRG", **{"battery.runtime": "120"})
            await hook.await_requests(2, timeout=15)
            await asyncio.to_thread(slow.wait_requests, 1, 10)

            async def b_recorded() -> bool:
                return await ShutdownStep.filter(
                    description__contains="/b", state="succeeded"
                ).exists()

            await wait_for(b_recorded)
            stack.kill("poller")  # mid-run: the slow step is "running" in the database
            killed = await wait_state(plan_id, "running")
            stack.start_poller()
            await asyncio.to_thread(slow.wait_requests, 2, 15)  # the slow step, again
            run = await wait_state(plan_id, "completed", timeout=20)
            log = stack.log("poller")
    assert paths(hook) == ["/a", "/b"]  # each finished step exactly once
    assert first(hook, "/b").at - first(hook, "/a").at >= 1.0
    assert len(slow.requests) == 2
    assert await steps(run) == [
        ("phase", 0, 0, "succeeded", 1),
        ("phase", 1, 0, "succeeded", 1),
        ("phase", 1, 1, "timed_out", 2),
    ]
    # The new poller (another engine id) took the run over from the killed one.
    assert killed.claimed_by and f"taken over from {killed.claimed_by}" in log
