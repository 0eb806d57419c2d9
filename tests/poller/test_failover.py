"""Failover between real poller processes on one database, against real upsd servers.

Two `powerpulse poller` processes share the database; the one holding the leases is killed
with SIGKILL in the middle of a power outage. The other takes every server over within the
lease time, the outage's events and notifications arrive exactly once, and at no moment do both
processes talk to the same upsd (sampled from their sockets in /proc).
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from powerpulse.config import Settings
from powerpulse.db.models import Event, PollerLease, UpsLiveState
from tests.notify.conftest import make_user
from tests.poller.conftest import add_nut, kinds
from tests.support.nut_server import NutServer as RealNut
from tests.support.receivers import WebhookReceiver
from tests.support.stack import Stack

LEASE = 3.0
ENV = {
    "POLL_INTERVAL": "0.3",
    "POLLER_LEASE_SECONDS": str(LEASE),
    "LOG_LEVEL": "INFO",
    "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
    "COMM_GRACE_SECONDS": "30",
}


async def wait_for(check: Callable[[], Awaitable[bool]], timeout: float = 15.0) -> float:
    start = time.monotonic()
    while not await check():
        assert time.monotonic() - start < timeout, "condition not met in time"
        await asyncio.sleep(0.05)
    return time.monotonic() - start


def _established(pid: int, ports: set[int]) -> set[int]:
    """The upsd ports among `ports` that process `pid` has an established TCP connection to."""
    inodes = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
        with open(f"/proc/{pid}/net/tcp") as table:
            lines = table.read().splitlines()[1:]
    except OSError:  # the process is gone
        return set()
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = set()
    for line in lines:
        cols = line.split()
        port = int(cols[2].split(":")[1], 16)
        if cols[3] == "01" and cols[9] in inodes and port in ports:
            found.add(port)
    return found


class SocketSampler(threading.Thread):
    """Every 20 ms: which poller process is connected to which upsd. Records overlaps."""

    def __init__(self, pids: Callable[[], list[int]], ports: set[int]) -> None:
        super().__init__(daemon=True)
        self.pids, self.ports = pids, ports
        self.halt = threading.Event()
        self.samples = 0
        self.connected = 0  # samples in which some poller was connected (the sampler works)
        self.overlaps: list[tuple[int, list[int]]] = []

    def run(self) -> None:
        while not self.halt.wait(0.02):
            seen: dict[int, list[int]] = {}
            for pid in self.pids():
                for port in _established(pid, self.ports):
                    seen.setdefault(port, []).append(pid)
            self.samples += 1
            self.connected += bool(seen)
            self.overlaps += [(port, pids) for port, pids in seen.items() if len(pids) > 1]


def _stack(root: Path, name: str, database_url: str) -> Stack:
    return Stack(root / name, env={**ENV, "DATABASE_URL": database_url})


async def _holders() -> set[str]:
    return {lease.poller_id for lease in await PollerLease.all()}


async def test_kill_9_of_the_lease_holder_mid_outage_fails_over_once(
    db: Settings, nut_factory: Callable[..., RealNut], tmp_path: Path
) -> None:
    a_nut, b_nut = nut_factory(["ups1", "ups2"]), nut_factory(["b1"])
    ids = {**await add_nut(a_nut), **await add_nut(b_nut)}
    u = ids["ups1"]
    url = db.database_url or f"sqlite:///{(db.data_dir / 'powerpulse.db').resolve()}"
    with WebhookReceiver("discord") as hook:
        await make_user("alice", discord_webhook_url=hook.url)
        first, second = _stack(tmp_path, "a", url), _stack(tmp_path, "b", url)
        sampler = SocketSampler(
            lambda: [s.pid("poller") for s in (first, second) if s.running("poller")],
            {a_nut.port, b_nut.port},
        )
        try:
            first.start_poller()
            pid_a = first.pid("poller")

            async def a_holds_all() -> bool:
                holders = await _holders()
                return await PollerLease.all().count() == 2 and len(holders) == 1

            await wait_for(a_holds_all)
            (id_a,) = await _holders()
            assert f":{pid_a}:" in id_a
            sampler.start()
            second.start_poller()
            await asyncio.sleep(1.0)  # b renews nothing and takes nothing while a is alive
            assert await _holders() == {id_a}
            assert sampler.connected > 0 and sampler.overlaps == []

            a_nut.set_status("ups1", "OB DISCHRG")
            await wait_for(lambda: _kinds_are(u, ["on_battery"]))
            await hook.await_delivered(1, timeout=10)

            killed_at = time.monotonic()
            killed = await asyncio.to_thread(_kill_time, first)
            # Every UPS is polled again, by b, within the lease time.
            await wait_for(lambda: _all_polled_after(list(ids.values()), killed), timeout=10)
            failover = time.monotonic() - killed_at
            holders = await _holders()
            assert len(holders) == 1 and holders != {id_a}
            assert failover < LEASE + 1.5, failover

            a_nut.set_status("ups1", "OL CHRG")
            await wait_for(lambda: _kinds_are(u, ["on_battery", "online"]))
            await hook.await_delivered(2, timeout=10)
            await asyncio.sleep(1.5)  # time for anything repeated to show up
        finally:
            sampler.halt.set()
            first.close()
            second.close()
    assert await kinds(u) == ["on_battery", "online"]
    assert await Event.exclude(ups_id=u).count() == 0
    titles = [body["embeds"][0]["title"] for body in hook.delivered]
    assert titles == ["⚡ UPS On Battery", "✅ UPS Back Online"]
    assert len(hook.requests) == 2
    assert sampler.samples > 50 and sampler.connected > 50 and sampler.overlaps == []
    print(f"failover: every UPS polled again {failover:.2f} s after kill -9 (lease {LEASE:g} s)")


def _kill_time(stack: Stack) -> float:
    from powerpulse.timeutil import utcnow

    at = utcnow().timestamp()
    stack.kill("poller")
    return at


async def _all_polled_after(ups_ids: list[int], at: float) -> bool:
    rows = await UpsLiveState.filter(ups_id__in=ups_ids)
    return len(rows) == len(ups_ids) and all(
        r.last_attempt_at is not None and r.last_attempt_at.timestamp() > at + 0.05 for r in rows
    )


async def _kinds_are(ups_id: int, expected: list[str]) -> bool:
    return await kinds(ups_id) == expected
