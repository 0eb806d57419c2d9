"""Poller sweep benchmark: `Poller.sweep_once()` end to end (NUT + detection + database writes).

Real upsd + dummy-ups; a migrated SQLite database in a temp dir. Scenarios: 200 UPS on one
upsd, and 1,000 UPS over 5 upsd. Reports the median of several sweeps in the steady state
(nothing changed: freshness timestamps only) and of sweeps where every UPS changed (every row
rewritten and versioned). bench/nut_sweep.py measures the NUT part alone.

    python bench/poller_sweep.py [--servers 5 --per-server 200]
Targets (issue 2): 200 UPS < 50 ms, 1,000 UPS < 250 ms per sweep.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "app")]

from tests.support.nut_server import NutServer  # noqa: E402

from powerpulse.config import Settings  # noqa: E402
from powerpulse.db import counters  # noqa: E402
from powerpulse.db.models import NutServer as NutServerRow  # noqa: E402
from powerpulse.db.models import UpsSystem  # noqa: E402
from powerpulse.db.setup import close_db, init_db, run_migrations  # noqa: E402
from powerpulse.poller.loop import Poller  # noqa: E402
from powerpulse.poller.sweep import ServerPoller  # noqa: E402


async def timed_sweeps(poller: Poller, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        await poller.sweep_once()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def forget_content(poller: Poller) -> None:
    """Make every row look changed, as if every UPS reported new values."""
    server: ServerPoller
    for server in poller.servers.values():
        for row in server.rows.values():
            row.variables = {}


async def scenario(servers: list[NutServer], tmp: str) -> tuple[float, float]:
    settings = Settings.from_env(
        {"POWERPULSE_DATA_DIR": tmp, "JWT_SECRET": "x" * 32, "HISTORY_INTERVAL": "86400"}
    )
    await run_migrations(settings)
    await init_db(settings)
    poller = Poller(settings)
    try:
        for nut in servers:
            row = await NutServerRow.create(host=nut.host, port=nut.port)
            await UpsSystem.bulk_create(
                [UpsSystem(name=n, ups_name=n, nut_server=row) for n in nut.ups_names]
            )
        await counters.bump(counters.CONFIG)
        await poller.sweep_once()
        await poller.sweep_once()
        steady = await timed_sweeps(poller, 9)
        changed = []
        for _ in range(5):
            forget_content(poller)
            changed.append(await timed_sweeps(poller, 1))
        return steady, statistics.median(changed)
    finally:
        await poller.close()
        await close_db()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--servers", type=int, default=1)
    parser.add_argument("--per-server", type=int, default=200)
    args = parser.parse_args()
    nuts = [
        NutServer([f"s{s}u{i:03d}" for i in range(args.per_server)]) for s in range(args.servers)
    ]
    try:
        for nut in nuts:
            nut.start()
        with tempfile.TemporaryDirectory() as tmp:
            steady, changed = asyncio.run(scenario(nuts, tmp))
    finally:
        for nut in nuts:
            nut.stop()
    total = args.servers * args.per_server
    print(
        f"| {total} UPS over {args.servers} upsd | {steady:.1f} ms | {changed:.1f} ms |",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
