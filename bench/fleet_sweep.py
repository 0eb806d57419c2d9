"""10,000 UPS over 50 upsd on PostgreSQL: the poll sweep, and two poller processes sharing it.

Real upsd + dummy-ups: 50 servers x 200 UPS (10,000 driver processes; `pollinterval = 30` in
their ups.conf instead of the harness's 1 s, so that 10,000 drivers re-reading their files do
not eat the 2 cores the measurement needs) and a real PostgreSQL. Two parts, same upsd:

1. One sweep of all 10,000 UPS, in this process (as `bench/poller_sweep.py` does for 1,000 on
   SQLite): the raw pipelined client (`list_var_many` per server, servers concurrently) against
   `Poller.sweep_once()` with its writes (freshness due, as every poll at the default 5 s) and
   with every row changed, interleaved round by round; medians and per-round ratios.
2. Two real `powerpulse poller` processes at the default POLL_INTERVAL (5 s) on a fresh
   database: the time until every UPS has live data, how the 50 leases split, then for 60 s
   once a second the oldest `last_success_at` of the 10,000 (how far behind the slowest UPS
   is) and each poller's CPU use.

    python bench/fleet_sweep.py                # prints a Markdown table
    python bench/fleet_sweep.py --write        # also writes bench/results/fleet_sweep.md

Target (issue 9): recorded (the whole sweep); every UPS kept fresh within one POLL_INTERVAL
plus its sweep.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "app"), str(ROOT / "bench")]

from tests.support.postgres import PostgresServer  # noqa: E402

import nut_sweep  # noqa: E402
import poller_sweep  # noqa: E402
from powerpulse.config import Settings  # noqa: E402
from powerpulse.db import dialect  # noqa: E402
from powerpulse.db.models import PollerLease  # noqa: E402
from powerpulse.db.setup import close_db, init_db  # noqa: E402
from powerpulse.timeutil import utcnow  # noqa: E402
from support import cpu_seconds, seed_servers  # noqa: E402

SERVERS, PER_SERVER = 50, 200
POLL_INTERVAL = 5.0
STEADY_SECONDS = 60
RESULTS = ROOT / "bench" / "results" / "fleet_sweep.md"


class QuietNutServer(nut_sweep.BenchNutServer):
    """The benchmark's server with drivers that re-read their .dev file every 30 s."""

    def _write_ups_conf(self) -> None:
        super()._write_ups_conf()
        conf = self.confdir / "ups.conf"
        conf.write_text(conf.read_text().replace("pollinterval = 1\n", "pollinterval = 30\n", 1))


def start_servers() -> list[QuietNutServer]:
    servers: list[QuietNutServer] = []
    try:
        for index in range(SERVERS):
            names = [f"ups{index}x{n:03d}" for n in range(PER_SERVER)]
            servers.append(QuietNutServer(names).start())
            print(f"upsd {index + 1}/{SERVERS} up", flush=True)
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers


# -- part 2: two poller processes -----------------------------------------------------------------
async def freshness() -> tuple[int, float | None]:
    """(UPS with live data, age in seconds of the oldest last_success_at)."""
    rows = await dialect.fetch(
        "SELECT COUNT(last_success_at) AS n, MIN(last_success_at) AS oldest FROM ups_live_state"
    )
    n, oldest = rows[0]["n"], rows[0]["oldest"]
    return int(n), (utcnow() - oldest).total_seconds() if oldest else None


async def two_pollers(settings: Settings, env: dict[str, str]) -> dict[str, Any]:
    total = SERVERS * PER_SERVER
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "powerpulse.cli", "poller"],
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )
        for _ in range(2)
    ]
    await init_db(settings)
    try:
        started = time.monotonic()
        while (await freshness())[0] < total:
            if time.monotonic() - started > 300:
                raise RuntimeError(f"only {(await freshness())[0]} of {total} UPS polled")
            await asyncio.sleep(0.1)
        cold = time.monotonic() - started
        await asyncio.sleep(2 * POLL_INTERVAL)  # settled: both pollers have claimed their share
        held = await PollerLease.all().values_list("poller_id", flat=True)
        split = sorted(Counter(held).values())
        ages: list[float] = []
        cpu_before = [cpu_seconds(p.pid) for p in procs]
        clock = time.monotonic()
        for _ in range(STEADY_SECONDS):
            count, age = await freshness()
            assert count == total and age is not None
            ages.append(age)
            await asyncio.sleep(1)
        elapsed = time.monotonic() - clock
        cpu = [
            (cpu_seconds(p.pid) - b) / elapsed * 100 for p, b in zip(procs, cpu_before, strict=True)
        ]
        return {"cold": cold, "split": split, "ages": ages, "cpu": cpu}
    finally:
        await close_db()
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.wait(30)


def run(rounds: int) -> dict[str, Any]:
    clock = time.monotonic()
    nuts = start_servers()
    startup = time.monotonic() - clock
    try:
        with PostgresServer() as pg, tempfile.TemporaryDirectory() as tmp:
            url = pg.create_database("sweep")
            times = asyncio.run(poller_sweep.measure(nuts, tmp, rounds, database_url=url))  # type: ignore[arg-type]
            medians, ratios = poller_sweep.summarize(times)
            url = pg.create_database("two")
            env = {
                **os.environ,
                "POWERPULSE_DATA_DIR": tmp,
                "DATABASE_URL": url,
                "JWT_SECRET": "bench-secret-that-is-long-enough-xx",
                "POLL_INTERVAL": f"{POLL_INTERVAL:g}",
                "LOG_LEVEL": "WARNING",
                "PYTHONPATH": str(ROOT / "app"),
            }
            settings = Settings.from_env(env)
            asyncio.run(seed_servers(settings, nuts))  # type: ignore[arg-type]
            pollers = asyncio.run(two_pollers(settings, env))
        load = os.getloadavg()  # before the 10,000 drivers stop (which drives it to ~150)
        return {
            "load": load,
            "startup": startup,
            "pss": nut_sweep.pss_mib(nuts),  # type: ignore[arg-type]
            "times": times,
            "medians": medians,
            "ratios": ratios,
            "rounds": rounds,
            "pollers": pollers,
        }
    finally:
        for nut in nuts:
            nut.stop()


def report(r: dict[str, Any]) -> str:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = " / ".join(f"{x:.1f}" for x in r["load"])
    medians, ratios, times, pollers = r["medians"], r["ratios"], r["times"], r["pollers"]
    ages = pollers["ages"]
    lines = [
        "# 10,000 UPS over 50 upsd on PostgreSQL (`bench/fleet_sweep.py`)",
        "",
        f"- Date: {now}; machine: {nut_sweep.machine()}; "
        f"load average at the end of the measurement: {load}",
        f"- Real upsd + dummy-ups, {SERVERS} servers x {PER_SERVER} UPS (drivers re-read their "
        f"files every 30 s), started in {r['startup']:.0f} s, {r['pss']:,.0f} MiB (PSS) for upsd "
        "and drivers; a real PostgreSQL (Debian's, fsync off as in the test harness).",
        "",
        f"## One sweep of all 10,000, one poller in-process ({r['rounds']} rounds, interleaved)",
        "",
        "| mode | median | min | ratio to raw |",
        "|---|---:|---:|---:|",
    ]
    for mode in poller_sweep.MODES:
        lines.append(
            f"| {poller_sweep.LABELS[mode]} | {medians[mode]:.0f} ms | {min(times[mode]):.0f} ms "
            f"| {ratios[mode]:.2f}x |"
        )
    lines += [
        "",
        f"## Two `powerpulse poller` processes, POLL_INTERVAL {POLL_INTERVAL:g} s",
        "",
        f"- every one of the 10,000 UPS had live data {pollers['cold']:.1f} s after both started",
        f"- the {SERVERS} leases split {' / '.join(map(str, pollers['split']))}",
        f"- oldest `last_success_at` of the 10,000, once a second for {len(ages)} s: median "
        f"{statistics.median(ages):.1f} s, max {max(ages):.1f} s (each UPS is polled every "
        f"{POLL_INTERVAL:g} s, so up to {POLL_INTERVAL:g} s plus the time its sweep takes is "
        "on time)",
        f"- CPU: {' and '.join(f'{c:.0f} %' for c in pollers['cpu'])} of one core",
        "",
        "Reproduce: `python bench/fleet_sweep.py --write` (about 4 GB of memory for the drivers).",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS.name}")
    args = parser.parse_args()
    text = report(run(args.rounds))
    print(text)
    if args.write:
        RESULTS.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
