"""History query benchmark: one UPS, 365 days of one-minute samples (525,600 rows) -> 500 points.

Samples go in through the poller's own write path (`write_samples`: samples + hourly rollups),
then `read_buckets` (what `GET /api/ups-systems/<id>/history` runs) is timed for a year, a month
and a day. For comparison the same year is also aggregated straight from the samples table (the
plan without rollups). Prints the query plans, so the (ups_id, time) index use is visible.

    python bench/history_query.py            # SQLite and PostgreSQL, prints a Markdown table
    python bench/history_query.py --write    # also writes bench/results/history.md

Target: the year query < 200 ms on SQLite; PostgreSQL recorded against it (issue 9).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tortoise.backends.base.executor import EXECUTOR_CACHE

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "app"), str(ROOT / "bench")]

from tests.support.postgres import PostgresServer  # noqa: E402
from tortoise.transactions import in_transaction  # noqa: E402

from nut_sweep import machine  # noqa: E402
from powerpulse.config import Settings  # noqa: E402
from powerpulse.db import dialect  # noqa: E402
from powerpulse.db.models import NutServer, UpsSystem  # noqa: E402
from powerpulse.db.setup import close_db, init_db, run_migrations  # noqa: E402
from powerpulse.history import (  # noqa: E402
    BucketPlan,
    bucket_params,
    bucket_sql,
    build_sample,
    read_buckets,
    write_samples,
)

ROWS = 525_600
RESULTS = ROOT / "bench" / "results" / "history.md"
END = datetime(2026, 1, 1, tzinfo=UTC)
START = END - timedelta(minutes=ROWS)


async def fill(ups_id: int) -> float:
    began = time.perf_counter()
    batch = []
    for i in range(ROWS):
        at = START + timedelta(minutes=i)
        variables = {
            "battery.charge": str(100 - i % 60),
            "battery.runtime": str(1800 - i % 600),
            "ups.load": str(20 + i % 30),
            "input.voltage": str(228 + i % 5),
            "output.voltage": "230",
            "battery.voltage": "27.1",
        }
        batch.append(build_sample(ups_id, variables, ("OL",), at))
        if len(batch) == 10_000:
            async with in_transaction() as conn:
                await write_samples(batch, conn)
            batch = []
    if batch:
        async with in_transaction() as conn:
            await write_samples(batch, conn)
    return time.perf_counter() - began


async def timed(
    ups_id: int, start: datetime, end: datetime, runs: int = 7
) -> tuple[float, str, int]:
    times, source, count = [], "", 0
    for _ in range(runs):
        t = time.perf_counter()
        found = await read_buckets(ups_id, start, end, 500, 60.0)
        times.append((time.perf_counter() - t) * 1000)
        source, count = found.plan.source, len(found.buckets)
    return statistics.median(times), source, count


async def raw_year(ups_id: int) -> float:
    plan = BucketPlan("samples", int(START.timestamp()), int(365 * 86400 / 500) + 1)
    t = time.perf_counter()
    await dialect.fetch(
        bucket_sql("samples", dialect.of()), bucket_params(plan, ups_id, START, END)
    )
    return (time.perf_counter() - t) * 1000


async def plans(ups_id: int) -> list[str]:
    sql = dialect.of()
    explain = "EXPLAIN " if sql.postgres else "EXPLAIN QUERY PLAN "
    out = []
    for source, bounds in (("samples", [START, END]), ("hourly", [0, 2**40])):
        rows = await dialect.fetch(explain + bucket_sql(source, sql), [0, 3600, ups_id, *bounds])
        detail = "; ".join(
            str(next(iter(r.values())) if sql.postgres else r["detail"]) for r in rows
        )
        out.append(f"{source}: {detail}")
    return out


async def measure(settings: Settings) -> dict[str, object]:
    """Fill a year for one UPS on the engine `settings` names and time the queries."""
    EXECUTOR_CACHE.clear()  # Tortoise caches statement texts per model, not per engine
    await run_migrations(settings)
    await init_db(settings)
    try:
        server = await NutServer.create(host="127.0.0.1", port=3493)
        ups = await UpsSystem.create(name="bench", ups_name="bench", nut_server=server)
        fill_s = await fill(ups.id)
        return {
            "fill": fill_s,
            "365 days": await timed(ups.id, START, END),
            "30 days": await timed(ups.id, END - timedelta(days=30), END),
            "1 day": await timed(ups.id, END - timedelta(days=1), END),
            "raw": statistics.median([await raw_year(ups.id) for _ in range(3)]),
            "plans": await plans(ups.id),
        }
    finally:
        await close_db()


def report(found: dict[str, dict[str, object]]) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        "# History query, a year of one-minute samples (`bench/history_query.py`)",
        "",
        f"- Date: {now}; machine: {machine()}; load average at the end: {load}",
        f"- Method: one UPS, {ROWS:,} one-minute samples written through the poller's own path "
        "(`write_samples`: samples + hourly rollups) in batches of 10,000, then `read_buckets` "
        "(what `GET /api/ups-systems/:id/history` runs) for 500 points, median of 7; the year "
        "straight from the samples table (the plan without rollups) for comparison, median of "
        "3. SQLite (WAL, the embedded default) and a real PostgreSQL (Debian's, on loopback TCP, "
        "fsync off as in the test harness) in one run.",
        "",
        "| range (500 points) | source | " + " | ".join(f"{e} ms" for e in found) + " |",
        "|---|---|" + "---:|" * len(found),
    ]
    first = next(iter(found.values()))
    for label in ("365 days", "30 days", "1 day"):
        source = first[label][1]  # type: ignore[index]
        cells = " | ".join(f"{r[label][0]:.1f}" for r in found.values())  # type: ignore[index]
        lines.append(f"| {label} | {source} | {cells} |")
    cells = " | ".join(f"{r['raw']:.1f}" for r in found.values())
    lines.append(f"| 365 days from raw samples (no rollups) | samples | {cells} |")
    cells = " | ".join(f"{r['fill']:.1f} s" for r in found.values())
    lines.append(f"| filling the year (write path) | — | {cells} |")
    lines += ["", "Target: the year query < 200 ms on SQLite (issue 2); on PostgreSQL, recorded "
              "against SQLite (issue 9).", "", "Query plans:", ""]  # fmt: skip
    for engine, r in found.items():
        for line in r["plans"]:  # type: ignore[attr-defined]
            lines.append(f"- {engine}, {line}")
    lines += ["", "Reproduce: `python bench/history_query.py --write` (needs PostgreSQL)."]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS.name}")
    args = parser.parse_args()
    found: dict[str, dict[str, object]] = {}
    with PostgresServer() as pg, tempfile.TemporaryDirectory() as tmp:
        secret = {"JWT_SECRET": "x" * 32}
        found["SQLite"] = asyncio.run(
            measure(Settings.from_env({"POWERPULSE_DATA_DIR": tmp, **secret}))
        )
        url = pg.create_database("history")
        found["PostgreSQL"] = asyncio.run(
            measure(Settings.from_env({"POWERPULSE_DATA_DIR": tmp, "DATABASE_URL": url, **secret}))
        )
    text = report(found)
    print(text)
    if args.write:
        RESULTS.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
