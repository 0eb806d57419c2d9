"""Detection latency: from the moment upsd reports OB to the `on_battery` event row in the DB.

Real upsd + dummy-ups, the real `powerpulse poller` process (tests/support/stack.py). Each cycle
edits the .dev file to OB, watches upsd (fresh connection, every 10 ms) for the first OB reply,
then watches the database for the event; then back to OL and waits for `online`. The delivery
half (event -> Discord receiver) is measured by bench/notify_latency.py.

    python bench/event_latency.py --cycles 20 --poll-interval 1
Target (issue 3): p95 of the whole path under POLL_INTERVAL + 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "app")]

from tests.support.nut_server import NutServer  # noqa: E402
from tests.support.stack import Stack  # noqa: E402


def wait(check, timeout: float = 30.0, step: float = 0.01) -> float:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        time.sleep(step)
    return time.monotonic()


def count(db: Path, kind: str) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        return int(
            conn.execute("SELECT COUNT(*) FROM events WHERE kind = ?", (kind,)).fetchone()[0]
        )


def configure(db: Path, host: str, port: int) -> None:
    with sqlite3.connect(db, timeout=5) as conn:
        conn.execute(
            "INSERT INTO nut_servers (host, port, starttls, created_at, updated_at) "
            "VALUES (?, ?, 0, datetime('now'), datetime('now'))",
            (host, port),
        )
        conn.execute(
            "INSERT INTO ups_systems (name, nut_server_id, ups_name, created_at) "
            "VALUES ('bench', 1, 'ups1', datetime('now'))"
        )
        conn.execute("INSERT OR REPLACE INTO counters (name, value) VALUES ('config', 1)")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--poll-interval", type=float, default=1.0)
    args = parser.parse_args()
    latencies: list[float] = []
    with NutServer(["ups1"]) as nut, tempfile.TemporaryDirectory() as tmp:
        env = {"POLL_INTERVAL": str(args.poll_interval), "LOG_LEVEL": "WARNING"}
        with Stack(Path(tmp) / "data", env=env) as stack:
            stack.migrate()
            db = stack.data_dir / "powerpulse.db"
            configure(db, nut.host, nut.port)
            stack.start_poller(wait=False)
            time.sleep(2 * args.poll_interval + 1)
            for cycle in range(args.cycles):
                nut.set_status("ups1", "OB DISCHRG")
                reported = wait(lambda: nut.get_var("ups1", "ups.status") == "OB DISCHRG")
                detected = wait(lambda c=cycle: count(db, "on_battery") == c + 1)
                latencies.append(detected - reported)
                nut.set_status("ups1", "OL")
                wait(lambda c=cycle: count(db, "online") == c + 1)
                time.sleep(0.1 + (cycle % 7) / 7 * args.poll_interval)  # spread the phase
    latencies.sort()
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    result = {
        "poll_interval": args.poll_interval,
        "cycles": len(latencies),
        "median_s": round(statistics.median(latencies), 3),
        "p95_s": round(p95, 3),
        "max_s": round(latencies[-1], 3),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
