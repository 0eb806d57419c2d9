"""Two real processes writing one SQLite file through Tortoise (issue 2, section 2).

With our IMMEDIATE engine: zero `database is locked` and no lost update. With Tortoise's stock
SQLite engine the same workload fails, which shows this test can fail.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from powerpulse.config import Settings
from powerpulse.db.models import Counter

# About SQLite's locking between two processes; on PostgreSQL the row locks do this.
pytestmark = pytest.mark.engines("sqlite")

COUNT = 150


def race(db_file: Path, engine: str) -> list[dict[str, int]]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.poller.db_writer", str(db_file), engine, str(COUNT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    # Both connected before either starts, so the two loops really overlap.
    for proc in procs:
        assert proc.stdout is not None
        ready = proc.stdout.readline()
        assert ready == b"ready\n", (
            ready,
            proc.stderr.read().decode()[-2000:] if proc.stderr else "",
        )
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write(b"go\n")
        proc.stdin.flush()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()[-2000:]
        results.append(json.loads(out))
    return results


async def reset(value: int = 0) -> None:
    await Counter.filter(name="race").delete()
    await Counter.create(name="race", value=value)


async def test_two_processes_never_see_database_is_locked(db: Settings) -> None:
    await reset()
    db_file = db.data_dir / "powerpulse.db"
    results = race(db_file, "immediate")
    assert [r["locked"] for r in results] == [0, 0], results
    assert [r["other"] for r in results] == [0, 0], results
    assert (await Counter.get(name="race")).value == 2 * COUNT  # and no update was lost


async def test_the_stock_engine_fails_the_same_workload(db: Settings) -> None:
    await reset()
    results = race(db.data_dir / "powerpulse.db", "stock")
    failed = sum(r["locked"] + r["other"] for r in results)
    final = (await Counter.get(name="race")).value
    assert failed > 0 or final < 2 * COUNT, (results, final)
