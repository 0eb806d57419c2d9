"""Energy and battery-health query benchmark: 100 UPS x a year of hourly rollups (876,000 rows).

Rollup rows are bulk-inserted (the energy columns filled as the poller would), then
`energy_summary` (what `GET /api/energy` runs) is timed for each group over the whole year,
against a plain `SELECT SUM(...)` over the same rows: the floor no summary can beat. Each UPS
also gets an outage every two weeks (its on_battery/online events and 30 one-minute discharge
samples, the runtime shrinking over the year), so the battery health estimate
(`battery.store.health_of`) reads what it reads in use; it is timed cold (cache cleared), per
UPS and for the fleet, against a plain read of the same samples.

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
from powerpulse.db.models import Event, NutServer, Sample, UpsSystem  # noqa: E402
from powerpulse.db.setup import close_db, init_db, run_migrations  # noqa: E402
from powerpulse.energy.query import energy_summary  # noqa: E402
from powerpulse.history.metrics import METRICS  # noqa: E402

UPS = 100
HOURS = 8760
OUTAGES = 26  # one every two weeks
OUTAGE_MINUTES = 30
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
        await _outages(ups_id)
    return ids, time.perf_counter() - began


async def _outages(ups_id: int) -> None:
    """Discharges as the poller stores them; runtime at 40 % load falls from 30 to 21 min."""
    events, samples = [], []
    for n in range(OUTAGES):
        began = START + timedelta(days=14 * n, hours=3)
        ended = began + timedelta(minutes=OUTAGE_MINUTES)
        events += [
            Event(
                ups_id=ups_id,
                kind="on_battery",
                previous_status="Online",
                new_status="On Battery",
                occurred_at=began,
                details={},
                dispatched=True,
            ),
            Event(
                ups_id=ups_id,
                kind="online",
                previous_status="On Battery",
                new_status="Online",
                occurred_at=ended,
                details={},
                dispatched=True,
            ),
        ]
        full = 1800.0 * (1 - 0.3 * n / OUTAGES)
        for m in range(OUTAGE_MINUTES):
            charge = 100.0 - m * 2
            samples.append(
                Sample(
                    ups_id=ups_id,
                    timestamp=began + timedelta(minutes=m),
                    charge=charge,
                    runtime=full * charge / 100,
                    load=40.0,
                    status="OB DISCHRG",
                )
            )
    await Event.bulk_create(events)
    await Sample.bulk_create(samples, batch_size=1000)


async def timed(make, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        await make()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


async def health(ids: list[int]) -> list[str]:
    from powerpulse.battery.store import forget_health, health_of

    async def cold(ups_id: int) -> dict:  # type: ignore[type-arg]
        forget_health()
        return await health_of(ups_id, None, END)

    async def fleet() -> None:
        forget_health()
        for i in ids:
            await health_of(i, None, END)

    async def plain() -> None:  # the same samples and events, read and thrown away
        for i in ids:
            await Sample.filter(ups_id=i, timestamp__gte=START).values_list(
                "timestamp", "runtime", "load", "charge", "status"
            )
            await Event.filter(ups_id=i, kind__in=("on_battery", "online")).values_list(
                "kind", "occurred_at"
            )

    estimate = await cold(ids[0])
    one = await timed(lambda: cold(ids[0]), 5)
    all_ms = await timed(fleet, 3)
    floor = await timed(plain, 3)
    forget_health()
    await health_of(ids[0], None, END)
    hit = await timed(lambda: health_of(ids[0], None, END), 5)
    return [
        f"Battery health ({OUTAGES} outages x {OUTAGE_MINUTES} samples per UPS, cache cleared):",
        f"{one:.1f} ms for one UPS; {all_ms:.0f} ms for all {UPS} one after another, against",
        f"{floor:.0f} ms to read the same samples and events plainly ({all_ms / floor:.2f} x).",
        f"A cached estimate: {hit:.2f} ms. The estimate the bench data gives: state",
        f"`{estimate['state']}`, score {estimate.get('score')}, "
        f"replace by {estimate.get('replaceBy')}.",
    ]


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
        lines += ["", *await health(ids)]
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
