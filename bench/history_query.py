"""History query benchmark: one UPS, 365 days of one-minute samples (525,600 rows) -> 500 points.

Samples go in through the poller's own write path (`write_samples`: samples + hourly rollups),
then `read_buckets` (what `GET /api/ups-systems/<id>/history` runs) is timed for a year, a month
and a day. For comparison the same year is also aggregated straight from the samples table (the
plan without rollups). Prints the query plans, so the (ups_id, time) index use is visible.

    python bench/history_query.py            # prints a Markdown table
Target: the year query < 200 ms on SQLite.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "app")]

from tortoise.transactions import in_transaction  # noqa: E402

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


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env({"POWERPULSE_DATA_DIR": tmp, "JWT_SECRET": "x" * 32})
        await run_migrations(settings)
        await init_db(settings)
        try:
            server = await NutServer.create(host="127.0.0.1", port=3493)
            ups = await UpsSystem.create(name="bench", ups_name="bench", nut_server=server)
            fill_s = await fill(ups.id)
            year = await timed(ups.id, START, END)
            month = await timed(ups.id, END - timedelta(days=30), END)
            day = await timed(ups.id, END - timedelta(days=1), END)
            raw = statistics.median([await raw_year(ups.id) for _ in range(3)])
            query_plans = await plans(ups.id)
        finally:
            await close_db()
    print(f"Filled {ROWS:,} samples (+ hourly rollups) through write_samples in {fill_s:.1f} s\n")
    print("| range (500 points) | source | buckets | median ms |")
    print("|---|---|---|---|")
    for label, (ms, source, n) in (("365 days", year), ("30 days", month), ("1 day", day)):
        print(f"| {label} | {source} | {n} | {ms:.1f} |")
    print(f"| 365 days from raw samples (no rollups, comparison) | samples | 500 | {raw:.1f} |")
    print("\nQuery plans:\n")
    for line in query_plans:
        print(f"- {line}")


if __name__ == "__main__":
    asyncio.run(main())
