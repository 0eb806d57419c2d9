"""A year of one-minute samples (525,600 rows) exports through the real API process over HTTP
without loading it all: the process's peak RSS grows by less than a bound, and every row
arrives, oldest first, in CSV and in JSON."""

from __future__ import annotations

import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from powerpulse.api.auth import issue_token
from powerpulse.config import Settings
from powerpulse.timeutil import iso
from tests.api.conftest import make_user
from tests.reports.rows import insert_samples, ups
from tests.support.stack import DEFAULT_ENV, Stack

YEAR = 525_600
T0 = datetime(2025, 1, 1, tzinfo=UTC)
MAX_GROWTH_MB = 60


def memory_kb(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def download(url: str, token: str) -> tuple[int, bytes, bytes, int]:
    """(rows after the header / array items, first line, last line, bytes) read 1 MB at a time."""
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    lines = size = 0
    first = tail = b""
    with urllib.request.urlopen(req, timeout=600) as resp:
        assert resp.status == 200
        while chunk := resp.read(1 << 20):
            if not first:
                first = chunk[:400]
            size += len(chunk)
            lines += chunk.count(b"\n")
            tail = (tail + chunk)[-400:]
    return lines, first, tail, size


@pytest.mark.timeout(900)
async def test_a_year_of_samples_exports_with_bounded_memory(db: Settings, tmp_path: Path) -> None:
    user = await make_user("alice")
    u = await ups("rack-ups")
    await insert_samples(u.id, T0, YEAR)
    env = {"WEB_CONCURRENCY": "1", "LOG_LEVEL": "WARNING"}
    if db.database_url:
        env["DATABASE_URL"] = db.database_url
    token = issue_token(user, DEFAULT_ENV["JWT_SECRET"])
    end = T0 + timedelta(minutes=YEAR - 1)
    path = f"/api/ups-systems/{u.id}/history?raw=true&from={iso(T0)}&to={iso(end)}"
    with Stack(db.data_dir, env=env) as stack:
        stack.start_api()
        pid = stack.pid("api")
        # Warm up (imports, the first page's statement) on a small range.
        download(stack.url(path.replace(iso(end), iso(T0 + timedelta(hours=1)))), token)
        before = memory_kb(pid)
        started = time.monotonic()
        lines, first, tail, size = download(stack.url(path + "&format=csv"), token)
        csv_seconds = time.monotonic() - started
        after_csv = memory_kb(pid)
        _, jfirst, jtail, jsize = download(stack.url(path + "&format=json"), token)
        after = memory_kb(pid)
    assert lines == YEAR + 1  # the header and every sample, CRLF-terminated
    assert first.startswith(b"\xef\xbb\xbftime,charge [%]")
    assert first.split(b"\r\n")[1].startswith(iso(T0).encode() + b",100.0,1800.0,20.0,230.5")
    last_line = tail.rstrip(b"\r\n").rsplit(b"\r\n", 1)[-1]
    assert last_line.startswith(iso(end).encode() + b",")
    assert last_line.endswith(b",measured,OL")
    assert jfirst.startswith(b'[{"time":"' + iso(T0).encode() + b'"')
    assert jtail.endswith(b'"powerSource":"measured","status":"OL"}]')
    assert jsize > size  # JSON repeats the names: it is not the CSV truncated
    growth_mb = (after["VmHWM"] - before["VmRSS"]) / 1024
    print(
        f"\nexport of {YEAR} rows: csv {size / 1e6:.1f} MB in {csv_seconds:.1f} s; "
        f"RSS before {before['VmRSS'] / 1024:.1f} MB, peak after csv "
        f"{after_csv['VmHWM'] / 1024:.1f} MB, after json {after['VmHWM'] / 1024:.1f} MB"
    )
    assert growth_mb < MAX_GROWTH_MB, (before, after_csv, after)
