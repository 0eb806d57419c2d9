"""Energy and battery-health query benchmark: 100 UPS x a year of hourly rollups (876,000 rows).

Rollup rows are bulk-inserted (the energy columns filled as the poller would), then
`energy_summary` (what `GET /api/energy` runs) is timed for each group over the whole year,
against a plain `SELECT SUM(...)` over the same rows: the floor no summary can beat. The
battery health query (`battery.store.health_of`) is timed per UPS on the same database.

    python bench/energy_health.py            # SQLite, prints a Markdown table
    python bench/energy_health.py --write    # also writes bench/results/energy.md
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

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "app"), str(ROOT / "bench")]

from tortoise.transactions import in_transaction  # noqa: E402

from nut_sweep import machine  # noqa: E402
from powerpulse.config import Settings  # noqa: E402
from powerpulse.db import dialect  # noqa: E402
from powerpulse.db.models import NutServer, UpsSystem  # noqa: E402
from powerpulse.db.setup import close_db, init_db, run_migrations  # noqa: E402
from powerpulse.energy.query import energy_summary  # noqa: E402
from powerpulse.history.metrics import METRICS  # noqa: E402

UPS = 100
HOURS = 8760
RESULTS = ROOT / "bench" / "results" / "energy.md"
END = datetime(2026, 1, 1, tzinfo=UTC)
START = END - timedelta(hours=HOURS)
# The other metrics' sums and counts are NOT NULL without a database default: zeros.
_ZEROS = ", ".join(f"{m.column}_sum, {m.column}_n" for m in METRICS)
INSERT = (
    "INSERT INTO sample_rollups (ups_id, hour, samples, energy_wh, energy_seconds, "
    f"power_estimated_n, {_ZEROS}) VALUES (?, ?, ?, ?, ?, ?, {', '.join(['0'] * 2 * len(METRICS))})"
)


async def fill() -> tuple[list[int], float]:
    began = time.perf_counter()
    servers = [await NutServer.create(host=f"10.0.0.{i}", site=f"site-{i}") for i in range(4)]
    ids = []
    for i in range(UPS):
        ups = await UpsSystem.create(name=f"ups{i}", ups_name=f"ups{i}", nut_server=servers[i % 4])
        ids.append(ups.id)
    h0 = int(START.timestamp())
    for ups_id in ids:
        rows = [
            [ups_id, h0 + h * 3600, 60, 250.0 + h % 24, 3600.0 if h % 50 else 1800.0, h % 2 * 60]
            for h in range(HOURS)
        ]
        async with in_transaction() as conn:
            await dialect.execute_many(INSERT, rows, conn)
    return ids, time.perf_counter() - began


async def timed(make, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        await make()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


async def health(ids: list[int]) -> str:
    try:
        from powerpulse.battery.store import health_of
    except ImportError:
        return "TODO: powerpulse.battery.store.health_of not available"
    ms = await timed(lambda: health_of(ids[0], None, END), 3)
    fleet = await timed(lambda: asyncio.gather(*(health_of(i, None, END) for i in ids)), 1)
    return (
        f"{ms:.1f} ms for one UPS, {fleet:.0f} ms for all {UPS}"
        " (one after another on one connection)"
    )


async def run() -> list[str]:
    tmp = tempfile.mkdtemp(prefix="pp-energy-bench-")
    settings = Settings.from_env({"POWERPULSE_DATA_DIR": tmp, "LOG_LEVEL": "WARNING"})
    Path(tmp).mkdir(exist_ok=True)
    await run_migrations(settings)
    await init_db(settings)
    try:
        ids, fill_s = await fill()
        plain = await timed(
            lambda: dialect.fetch(
                "SELECT SUM(energy_wh), SUM(energy_seconds), SUM(power_estimated_n), SUM(samples) "
                "FROM sample_rollups WHERE hour >= ? AND hour < ?",
                [int(START.timestamp()), int(END.timestamp())],
            )
        )
        lines = [
            f"{UPS * HOURS:,} rollup rows inserted in {fill_s:.1f} s. Plain SUM over them: "
            f"{plain:.0f} ms (median of 5).",
            "",
            "| group | span | energy_summary (median of 5) | x plain SUM |",
            "|---|---|---|---|",
        ]
        cases = [
            ("ups", START, END, "UTC"),
            ("site", START, END, "UTC"),
            ("month", START, END, "Europe/Berlin"),
            ("day", END - timedelta(days=365), END, "Europe/Berlin"),
        ]
        for group, a, b, tz in cases:
            ms = await timed(lambda g=group, a=a, b=b, tz=tz: energy_summary(a, b, g, tz=tz))
            lines.append(f"| {group} ({tz}) | 365 days | {ms:.0f} ms | {ms / plain:.2f} |")
        lines += ["", f"Battery health query: {await health(ids)}."]
        return lines
    finally:
        await close_db()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    lines = asyncio.run(run())
    load = os.getloadavg()
    head = [
        "# Energy and battery-health queries (issue 13)",
        "",
        f"`python bench/energy_health.py --write` on {machine()}, SQLite, "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}.",
        "",
    ]
    text = "\n".join(head + lines) + "\n"
    print(text)
    if args.write:
        RESULTS.write_text(text)


if __name__ == "__main__":
    main()
