"""Export benchmark: 10 UPS x a year of samples at the default history interval (60 s: 525,600
rows each, 5,256,000 in all), with a busy year of events and outages, on SQLite.

Each export goes through the real `powerpulse api` process over HTTP and is written to a file
by the client: the raw history of one UPS (`GET /api/ups-systems/:id/history?raw=true`, CSV
and JSON), `GET /api/outages?format=…` and `GET /api/events?format=…`. The baseline is the
limit: a plain query (sqlite3, no ORM) over the same rows, written straight to a file with
`csv.writer` / `orjson`, in a child process of its own. For both the wall time and the peak
RSS growth (VmHWM reset through /proc/<pid>/clear_refs before each run, minus VmRSS before)
are taken, and every API export is checked to carry exactly the baseline's row count.

    python bench/export.py            # prints a Markdown table
    python bench/export.py --write    # also writes bench/results/export.md
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import random
import sqlite3
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "app"), str(ROOT / "bench")]

import bcrypt  # noqa: E402
from tests.support.stack import DEFAULT_ENV, Stack  # noqa: E402

from nut_sweep import machine  # noqa: E402
from powerpulse.api.auth import issue_token  # noqa: E402
from powerpulse.config import Settings  # noqa: E402
from powerpulse.db.models import NutServer, UpsSystem, User, UserSettings  # noqa: E402
from powerpulse.db.setup import close_db, init_db, run_migrations  # noqa: E402
from powerpulse.history.metrics import METRICS  # noqa: E402
from powerpulse.timeutil import iso  # noqa: E402

UPS = 10
DAYS = 365
OUTAGES_PER_DAY = 2  # per UPS: each with its on_battery/online events and one notification
OTHER_EVENTS_PER_DAY = 4  # per UPS: status changes, low battery, …
RESULTS = ROOT / "bench" / "results" / "export.md"
START = datetime(2025, 1, 1, tzinfo=UTC)
END = START + timedelta(days=DAYS)
SAMPLE_COLUMNS = ("timestamp", *(m.column for m in METRICS), "power_source", "status")
REPEAT = 3  # runs of the small exports (the median is kept); a year of samples runs once


def db_time(at: datetime) -> str:
    """A time as Tortoise stores it in SQLite."""
    return str(at)


# --- filling ---------------------------------------------------------------------------------


async def seed(settings: Settings) -> tuple[list[int], str]:
    """Migrate; 10 UPS on one NUT server and a user; returns the UPS ids and a token."""
    await run_migrations(settings)
    await init_db(settings)
    try:
        server = await NutServer.create(host="127.0.0.1", port=3493, site="hall")
        ids = []
        for i in range(UPS):
            ups = await UpsSystem.create(
                name=f"ups{i}", ups_name=f"ups{i}", nut_server=server, nickname=f"Rack {i}"
            )
            ids.append(ups.id)
        hashed = bcrypt.hashpw(b"bench-password-1", bcrypt.gensalt(4)).decode()
        user = await User.create(username="bench", password_hash=hashed, role="user")
        await UserSettings.create(user=user)
        return ids, issue_token(user, DEFAULT_ENV["JWT_SECRET"])
    finally:
        await close_db()


def sample_rows(ups_id: int, step: float) -> Iterator[tuple[Any, ...]]:
    for i in range(int(DAYS * 86400 / step)):
        yield (
            ups_id,
            db_time(START + timedelta(seconds=step * i)),
            100.0 - i % 50,  # charge
            1800.0 + i % 7,  # runtime
            20.0 + i % 10,  # load
            230.5 - i % 3,  # input voltage
            230.0,  # output voltage
            27.1,  # battery voltage
            31.5 + i % 4,  # temperature
            50.0,  # input frequency
            150.0 + i % 3,  # real power
            "measured",
            "OL",
        )


def fill(db_path: Path, ids: list[int], step: float) -> dict[str, int]:
    """Samples, events, outages and their notifications by executemany (sqlite3)."""
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA synchronous=OFF")
    columns = ("ups_id", *SAMPLE_COLUMNS)
    insert = f"INSERT INTO samples ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    for ups_id in ids:
        with conn:
            conn.executemany(insert, sample_rows(ups_id, step))
    rng = random.Random(42)
    events, outages, logs, deliveries = [], [], [], []
    event_id = log_id = 0
    for ups_id in ids:
        for day in range(DAYS):
            midnight = START + timedelta(days=day)
            for n in range(OUTAGES_PER_DAY):
                began = midnight + timedelta(hours=3 + 12 * n, seconds=rng.randrange(3600))
                seconds = float(rng.randrange(20, 900))
                ended = began + timedelta(seconds=seconds)
                start_id, end_id = event_id + 1, event_id + 2
                event_id += 2
                events.append(
                    (
                        start_id,
                        ups_id,
                        "on_battery",
                        "Online",
                        "On Battery",
                        db_time(began),
                        '{"charge": 100, "runtime": 1800}',
                        1,
                    )
                )
                events.append(
                    (
                        end_id,
                        ups_id,
                        "online",
                        "On Battery",
                        "Online",
                        db_time(ended),
                        '{"charge": 91}',
                        1,
                    )
                )
                outages.append(
                    (
                        ups_id,
                        start_id,
                        end_id,
                        db_time(began),
                        db_time(ended),
                        seconds,
                        91.0,
                        1500.0,
                        seconds / 3600 * 150,
                        1.0,
                        "[]",
                        db_time(ended),
                    )
                )
                log_id += 1
                logs.append(
                    (
                        log_id,
                        ups_id,
                        start_id,
                        f"Rack {ups_id}",
                        "On Battery",
                        "Online",
                        "on_battery",
                        db_time(began),
                    )
                )
                deliveries.append(
                    (
                        log_id,
                        "webhook",
                        "https://hooks.example/ops",
                        "{}",
                        "delivered",
                        1,
                        db_time(began),
                        db_time(began),
                        db_time(began),
                    )
                )
            for n in range(OTHER_EVENTS_PER_DAY):
                at = midnight + timedelta(hours=6 * n + 1, seconds=rng.randrange(3600))
                event_id += 1
                events.append(
                    (
                        event_id,
                        ups_id,
                        "status_change",
                        "Online",
                        "Online, Charging",
                        db_time(at),
                        '{"charge": 97}',
                        1,
                    )
                )
    with conn:
        conn.executemany(
            "INSERT INTO events (id, ups_id, kind, previous_status, new_status, occurred_at, "
            "details, dispatched) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            events,
        )
        conn.executemany(
            "INSERT INTO outages (ups_id, start_event_id, end_event_id, started_at, ended_at, "
            "duration_seconds, min_charge, min_runtime, energy_wh, energy_coverage, "
            "shutdown_runs, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            outages,
        )
        conn.executemany(
            "INSERT INTO notification_logs (id, ups_id, event_id, ups_name, status, "
            "previous_status, kind, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            logs,
        )
        conn.executemany(
            "INSERT INTO notification_deliveries (log_id, channel, target, payload, state, "
            "attempts, delivered_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            deliveries,
        )
    conn.execute("ANALYZE")
    conn.close()
    return {
        "samples": len(ids) * int(DAYS * 86400 / step),
        "events": len(events),
        "outages": len(outages),
        "notifications": len(logs),
    }


# --- memory ------------------------------------------------------------------------------------


def status_kb(pid: int | str, name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    raise KeyError(name)


def reset_peak(pid: int | str) -> int:
    """Reset the peak RSS (VmHWM) to the current RSS; returns that RSS in kB."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")
    return status_kb(pid, "VmRSS")


@dataclass
class Run:
    seconds: float
    peak_mb: float  # peak RSS growth over the run
    rows: int
    size: int  # bytes written


# --- baseline: a plain query to a file -----------------------------------------------------------

SAMPLES_SQL = (
    f"SELECT {', '.join(SAMPLE_COLUMNS)} FROM samples WHERE ups_id = ? AND timestamp >= ? "
    "AND timestamp <= ? ORDER BY timestamp, id"
)
OUTAGES_SQL = (
    "SELECT o.id, o.ups_id, u.name, u.nickname, o.started_at, o.ended_at, o.duration_seconds, "
    "o.min_charge, o.min_runtime, o.energy_wh, o.energy_coverage, o.shutdown_runs "
    "FROM outages o JOIN ups_systems u ON u.id = o.ups_id ORDER BY o.id DESC"
)
EVENTS_SQL = (
    "SELECT e.id, e.ups_id, u.name, u.nickname, e.kind, e.previous_status, e.new_status, "
    "e.occurred_at, e.details FROM events e JOIN ups_systems u ON u.id = e.ups_id "
    "ORDER BY e.id DESC"
)


def _baseline_child(
    db_path: str, sql: str, params: list[Any], fmt: str, out: str, answer: Any
) -> None:
    before = reset_peak("self")
    began = time.perf_counter()
    conn = sqlite3.connect(db_path)
    cursor = conn.execute(sql, params)
    keys = [d[0] for d in cursor.description]
    rows = 0
    if fmt == "csv":
        with open(out, "w", newline="") as text:
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow(keys)
            while page := cursor.fetchmany(5000):
                writer.writerows(page)
                rows += len(page)
    else:
        with open(out, "wb") as f:
            f.write(b"[")
            while page := cursor.fetchmany(5000):
                body = b",".join(orjson.dumps(dict(zip(keys, r, strict=True))) for r in page)
                f.write(body if rows == 0 else b"," + body)
                rows += len(page)
            f.write(b"]")
    conn.close()
    seconds = time.perf_counter() - began
    answer.put(
        Run(seconds, (status_kb("self", "VmHWM") - before) / 1024, rows, Path(out).stat().st_size)
    )


def baseline(db_path: Path, sql: str, params: list[Any], fmt: str, out: Path) -> Run:
    """The plain query in a fresh (spawned) process, so its peak memory is its own."""
    ctx = multiprocessing.get_context("spawn")
    answer = ctx.Queue()
    child = ctx.Process(
        target=_baseline_child, args=(str(db_path), sql, params, fmt, str(out), answer)
    )
    child.start()
    found: Run = answer.get(timeout=600)
    child.join(60)
    return found


# --- through the API -----------------------------------------------------------------------------


def download(url: str, token: str, out: Path, marker: bytes) -> tuple[float, int, int]:
    """(seconds, rows, bytes): the answer streamed to `out` 1 MB at a time; rows are CSV lines
    after the header, or JSON objects opening with `marker`."""
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    began = time.perf_counter()
    lines = found = size = 0
    tail = b""
    with urllib.request.urlopen(req, timeout=600) as resp, open(out, "wb") as f:  # noqa: S310
        assert resp.status == 200, resp.status
        while chunk := resp.read(1 << 20):
            f.write(chunk)
            size += len(chunk)
            lines += chunk.count(b"\n")
            found += (tail + chunk).count(marker)
            tail = chunk[-(len(marker) - 1) :]
    seconds = time.perf_counter() - began
    return seconds, (found if marker else lines - 1), size


def through_api(stack: Stack, token: str, path: str, out: Path, marker: bytes, repeat: int) -> Run:
    pid = stack.pid("api")
    runs = []
    for _ in range(repeat):
        before = reset_peak(pid)
        seconds, rows, size = download(stack.url(path), token, out, marker)
        runs.append(Run(seconds, (status_kb(pid, "VmHWM") - before) / 1024, rows, size))
    return median_run(runs)


def median_run(runs: list[Run]) -> Run:
    """The run of median time, with the largest peak of them all."""
    best = sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]
    best.peak_mb = max(r.peak_mb for r in runs)
    return best


# --- the run -------------------------------------------------------------------------------------


@dataclass
class Case:
    label: str
    path: str
    sql: str
    params: list[Any]
    fmt: str
    marker: bytes  # b"": CSV (count lines)


def cases(ups_id: int) -> list[Case]:
    year = f"from={iso(START)}&to={iso(END)}"
    history = f"/api/ups-systems/{ups_id}/history?raw=true&{year}"
    window = [ups_id, db_time(START), db_time(END)]
    return [
        Case(
            f"history, 1 UPS x {DAYS} days, CSV",
            history + "&format=csv",
            SAMPLES_SQL,
            window,
            "csv",
            b"",
        ),
        Case(
            f"history, 1 UPS x {DAYS} days, JSON",
            history + "&format=json",
            SAMPLES_SQL,
            window,
            "json",
            b'{"time":',
        ),
        Case("/api/outages, CSV", "/api/outages?format=csv", OUTAGES_SQL, [], "csv", b""),
        Case("/api/outages, JSON", "/api/outages?format=json", OUTAGES_SQL, [], "json", b'{"id":'),
        Case("/api/events, CSV", "/api/events?format=csv", EVENTS_SQL, [], "csv", b""),
        Case("/api/events, JSON", "/api/events?format=json", EVENTS_SQL, [], "json", b'{"id":'),
    ]


def run(tmp: Path) -> tuple[dict[str, int], float, list[tuple[Case, Run, Run]], dict[str, float]]:
    import asyncio

    data = tmp / "data"
    settings = Settings.from_env(
        {"POWERPULSE_DATA_DIR": str(data), "JWT_SECRET": DEFAULT_ENV["JWT_SECRET"]}
    )
    step = settings.history_interval  # the app's default sample interval
    ids, token = asyncio.run(seed(settings))
    began = time.perf_counter()
    counts = fill(data / "powerpulse.db", ids, step)
    fill_s = time.perf_counter() - began
    found = []
    env = {"WEB_CONCURRENCY": "1", "LOG_LEVEL": "WARNING"}
    with Stack(data, env=env) as stack:
        stack.start_api()
        pid = stack.pid("api")
        # Warm up: imports, statements and the first answer of each route, on small ranges.
        small = f"from={iso(START)}&to={iso(START + timedelta(hours=1))}"
        for path in (
            f"/api/ups-systems/{ids[0]}/history?raw=true&format=csv&{small}",
            f"/api/outages?format=csv&{small}",
            f"/api/events?format=json&{small}",
        ):
            download(stack.url(path), token, tmp / "warm", b"")
        rss = {"api RSS after warm-up": status_kb(pid, "VmRSS") / 1024}
        for case in cases(ids[UPS // 2]):
            repeat = 1 if case.sql == SAMPLES_SQL else REPEAT
            plain = median_run(
                [
                    baseline(data / "powerpulse.db", case.sql, case.params, case.fmt, tmp / "plain")
                    for _ in range(repeat)
                ]
            )
            api = through_api(stack, token, case.path, tmp / "api", case.marker, repeat)
            assert api.rows == plain.rows, (case.label, api.rows, plain.rows)
            found.append((case, api, plain))
            print(f"{case.label}: api {api.seconds:.2f} s, plain {plain.seconds:.2f} s", flush=True)
        rss["api RSS at the end"] = status_kb(pid, "VmRSS") / 1024
    return counts, fill_s, found, rss


def report(
    counts: dict[str, int], fill_s: float, found: list[tuple[Case, Run, Run]], rss: dict[str, float]
) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        "# Streamed exports, 10 UPS x a year of samples (`bench/export.py`)",
        "",
        f"- Date: {now}; machine: {machine()}; load average at the end: {load}",
        f"- Data (SQLite, WAL): {UPS} UPS x {DAYS} days of samples every 60 s (the default "
        f"HISTORY_INTERVAL): {counts['samples']:,} samples; {counts['outages']:,} outages, "
        f"{counts['events']:,} events, {counts['notifications']:,} notifications with one "
        f"delivery each (filled by executemany in {fill_s:.0f} s).",
        "- API: the real `powerpulse api` process (one worker) over HTTP on loopback, the "
        "client writing the answer to a file. The history exports run once each (half a "
        f"million rows: a long steady run), the others {REPEAT} times (median time); peak RSS "
        "growth is the largest of the runs (VmHWM reset through /proc/<pid>/clear_refs before "
        "each run, minus VmRSS before).",
        "- Plain: the same rows by one plain query (sqlite3, no ORM, `fetchmany(5000)`) "
        "written to a file with `csv.writer` / `orjson` in a fresh process: the limit. It "
        "writes the values as stored (no ISO times, no display names, no notification "
        "lists), so the ratio includes all the shaping the API does.",
        "- Every API export had exactly the plain query's row count.",
        "",
        "| export | rows | API s | plain s | x plain | API MB | API peak RSS growth MB "
        "| plain peak RSS growth MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for case, api, plain in found:
        lines.append(
            f"| {case.label} | {api.rows:,} | {api.seconds:.2f} | {plain.seconds:.2f} | "
            f"{api.seconds / plain.seconds:.1f} | {api.size / 1e6:.1f} | {api.peak_mb:.1f} | "
            f"{plain.peak_mb:.1f} |"
        )
    rates = [
        f"{api.rows / api.seconds / 1000:.0f} k rows/s ({case.label})"
        for case, api, _ in found
        if case.label.startswith("history")
    ]
    lines += [
        "",
        f"Throughput: {'; '.join(rates)}. "
        + "; ".join(f"{k}: {v:.0f} MB" for k, v in rss.items())
        + ".",
        "",
        "Reproduce: `python bench/export.py --write` (about 3 minutes).",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    global DAYS, END
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS.name}")
    parser.add_argument("--days", type=int, default=DAYS, help="a shorter year, to try it out")
    args = parser.parse_args()
    DAYS, END = args.days, START + timedelta(days=args.days)
    with tempfile.TemporaryDirectory(prefix="pp-export-bench-") as tmp:
        text = report(*run(Path(tmp)))
    print(text)
    if args.write:
        RESULTS.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
