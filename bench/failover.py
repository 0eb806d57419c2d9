"""Failover after `kill -9` of a poller: how long until every NUT server is polled again.

Real upsd + dummy-ups (5 servers x 20 UPS), the real `powerpulse poller` processes at the
production defaults (POLL_INTERVAL 5 s, no lease override), on SQLite and on a real PostgreSQL
in one run. Per trial: poller A starts and takes every lease, poller B starts, A is killed with
SIGKILL at a random moment of its renewal second, and the database is read every 50 ms until
every UPS has a `last_success_at` after the kill (B polled it). Two cases:

- other machine: B runs in its own pid namespace (`unshare --pid`), so it cannot see that A's
  process is gone and has to wait for A's leases to run out: the lease path, as between hosts;
- same machine: both in one pid namespace, as after a crash under supervisord in the single
  container: B sees A's pid gone and takes its leases at once.

    python bench/failover.py                # prints a Markdown table
    python bench/failover.py --write        # also writes bench/results/failover.md

Target (issue 9): every server polled again within 3 x POLL_INTERVAL (at least 15 s).
Needs root (for `unshare`) and PostgreSQL (`make test-deps`).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tortoise.backends.base.executor import EXECUTOR_CACHE

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "app"), str(ROOT / "bench")]

from tests.support.postgres import PostgresServer  # noqa: E402

from nut_sweep import machine, start_servers  # noqa: E402
from powerpulse.config import Settings  # noqa: E402
from powerpulse.db.models import PollerLease, UpsLiveState  # noqa: E402
from powerpulse.db.setup import close_db, init_db  # noqa: E402
from powerpulse.poller import leases  # noqa: E402
from powerpulse.timeutil import utcnow  # noqa: E402
from support import seed_servers, spawn, stop  # noqa: E402

POLL_INTERVAL = 5.0
SERVERS, PER_SERVER = 5, 20
RESULTS = ROOT / "bench" / "results" / "failover.md"
CASES = {"other machine": True, "same machine": False}  # case → B in its own pid namespace


def environment(tmp: Path, url: str | None) -> dict[str, str]:
    env = {
        **os.environ,
        "POWERPULSE_DATA_DIR": str(tmp),
        "JWT_SECRET": "bench-secret-that-is-long-enough-xx",
        "POLL_INTERVAL": f"{POLL_INTERVAL:g}",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT / "app"),
    }
    env.pop("POLLER_LEASE_SECONDS", None)
    if url:
        env["DATABASE_URL"] = url
    return env


def start_poller(env: dict[str, str], own_pid_namespace: bool) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "powerpulse.cli", "poller"]
    if own_pid_namespace:
        command = ["unshare", "--pid", "--fork", "--mount-proc", *command]
    return spawn(command, env)


async def wait_until(check, timeout: float, every: float = 0.05) -> float:  # type: ignore[no-untyped-def]
    start = time.monotonic()
    while not await check():
        if time.monotonic() - start > timeout:
            raise RuntimeError("condition not met in time")
        await asyncio.sleep(every)
    return time.monotonic() - start


async def holders() -> set[str]:
    return set(await PollerLease.all().values_list("poller_id", flat=True))  # type: ignore[arg-type]


async def trial(settings: Settings, env: dict[str, str], ups_ids: list[int], remote: bool) -> float:
    """Seconds from `kill -9` of the lease holder until every UPS was polled by the other."""
    await init_db(settings)
    first = start_poller(env, own_pid_namespace=False)
    second: subprocess.Popen[bytes] | None = None
    try:

        async def first_holds_all() -> bool:
            found = await holders()
            return await PollerLease.all().count() == SERVERS and len(found) == 1

        await wait_until(first_holds_all, 60)
        (holder,) = await holders()
        second = start_poller(env, own_pid_namespace=remote)
        await asyncio.sleep(3.0 + random.random())  # B is up; kill A anywhere in its second
        assert await holders() == {holder}, "the second poller took a live poller's lease"
        killed_at = utcnow()
        clock = time.monotonic()
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(5)

        async def all_polled_again() -> bool:
            rows = await UpsLiveState.filter(ups_id__in=ups_ids).values_list(
                "last_success_at", flat=True
            )
            return len(rows) == len(ups_ids) and all(
                at and at.timestamp() > killed_at.timestamp() for at in rows
            )

        await wait_until(all_polled_again, 4 * POLL_INTERVAL + 30)
        took = time.monotonic() - clock
        assert holder not in await holders()
        return took
    finally:
        stop(first)
        if second is not None:
            stop(second)
        await PollerLease.all().delete()  # the next trial starts with A taking every lease
        await close_db()


def run(trials: int) -> dict[str, dict[str, list[float]]]:
    nuts = start_servers(SERVERS * PER_SERVER, PER_SERVER)
    found: dict[str, dict[str, list[float]]] = {}
    try:
        with PostgresServer() as pg, tempfile.TemporaryDirectory() as tmp:
            for engine, url in (("SQLite", None), ("PostgreSQL", pg.create_database("failover"))):
                EXECUTOR_CACHE.clear()  # Tortoise caches statement texts per model, not per engine
                data = Path(tmp) / engine
                data.mkdir()
                env = environment(data, url)
                settings = Settings.from_env(env)
                ups_ids = asyncio.run(seed_servers(settings, nuts))
                for case, remote in CASES.items():
                    times = found.setdefault(engine, {}).setdefault(case, [])
                    for n in range(trials):
                        took = asyncio.run(trial(settings, env, ups_ids, remote))
                        times.append(took)
                        print(f"{engine}, {case}, trial {n + 1}: {took:.2f} s", flush=True)
    finally:
        for nut in nuts:
            nut.stop()
    return found


def report(found: dict[str, dict[str, list[float]]], trials: int) -> str:
    window = leases.failover_window(POLL_INTERVAL)
    lease = leases.lease_seconds(POLL_INTERVAL)
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        "# Failover after `kill -9` of a poller (`bench/failover.py`)",
        "",
        f"- Date: {now}; machine: {machine()}; load average at the end: {load}",
        f"- Method: real upsd + dummy-ups ({SERVERS} servers x {PER_SERVER} UPS), two real "
        f"`powerpulse poller` processes at POLL_INTERVAL {POLL_INTERVAL:g} s with the production "
        f"lease ({lease:g} s; failover window max(15 s, 3 x POLL_INTERVAL) = {window:g} s). "
        "A holds every lease, B runs, A gets SIGKILL at a random moment; the time is until "
        "every UPS has a `last_success_at` after the kill (read every 50 ms). "
        f"{trials} trials per row, SQLite and PostgreSQL in one run.",
        "- *other machine*: B in its own pid namespace (`unshare --pid`): it waits for the "
        "lease to run out, as a poller on another host does. *same machine*: one pid namespace "
        "(a crash under supervisord): B sees A's pid gone and takes the leases at once.",
        "",
        f"| database | case | median | min | max | target ≤ {window:g} s |",
        "|---|---|---:|---:|---:|---|",
    ]
    for engine, cases in found.items():
        for case, times in cases.items():
            met = "met" if max(times) <= window else "MISSED"
            lines.append(
                f"| {engine} | {case} | {statistics.median(times):.2f} s | {min(times):.2f} s "
                f"| {max(times):.2f} s | {met} |"
            )
    lines += ["", "Reproduce: `python bench/failover.py --write` (as root, for `unshare`)."]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS.name}")
    args = parser.parse_args()
    text = report(run(args.trials), args.trials)
    print(text)
    if args.write:
        RESULTS.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
