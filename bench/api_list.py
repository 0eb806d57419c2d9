"""`GET /api/ups-systems` under load: 100 UPS with live rows, one `powerpulse api` process.

wrk (-t2 -c50 -d10s, with an Authorization header) against a real api worker on 127.0.0.1.
Two scenarios:
- steady: live rows unchanged during the run (the list answer is reused between changes);
- churn: a second process rewrites every UPS's live row every second (as a poller would if
  every UPS changed on every poll), so the list is rebuilt from the database each second.

    python bench/api_list.py            # prints a Markdown table
    python bench/api_list.py --write    # also writes bench/results/api_list.md

Target: at least 2,000 requests/s with p99 under 25 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "app")]

from tests.support.nut_server import DEFAULT_VARS, free_port  # noqa: E402
from tortoise.transactions import in_transaction  # noqa: E402

from powerpulse.api.auth import issue_token  # noqa: E402
from powerpulse.config import Settings  # noqa: E402
from powerpulse.db import counters  # noqa: E402
from powerpulse.db.models import NutServer, UpsLiveState, UpsSystem, User  # noqa: E402
from powerpulse.db.setup import close_db, init_db, run_migrations  # noqa: E402
from powerpulse.timeutil import utcnow  # noqa: E402

UPS_COUNT = 100
TARGET_RPS = 2000.0
TARGET_P99_MS = 25.0
SECRET = "bench-secret-that-is-long-enough-xx"
LOAD_BEFORE = os.getloadavg()


def environment(data_dir: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "POWERPULSE_DATA_DIR": str(data_dir),
        "JWT_SECRET": SECRET,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "POLL_INTERVAL": "5",
    }


async def seed(settings: Settings) -> str:
    """100 UPS on one server, each with a live row; returns an admin token."""
    await run_migrations(settings)
    await init_db(settings)
    try:
        server = await NutServer.create(host="127.0.0.1", port=3493)
        for i in range(UPS_COUNT):
            ups = await UpsSystem.create(name=f"ups{i}", ups_name=f"ups{i}", nut_server=server)
            await write_live(ups.id, i)
        user = await User.create(username="bench", password_hash="x", role="admin")
        return issue_token(user, SECRET)
    finally:
        await close_db()


async def write_live(ups_id: int, salt: int) -> None:
    now = utcnow()
    variables = {**DEFAULT_VARS, "battery.charge": str(50 + salt % 50)}
    await UpsLiveState.update_or_create(
        defaults={
            "variables": variables,
            "status_tokens": "OL CHRG",
            "last_success_at": now,
            "last_attempt_at": now,
            "error_code": None,
            "error_message": None,
            "version": await counters.bump(counters.LIVE),
        },
        ups_id=ups_id,
    )


async def churn(settings: Settings, seconds: float) -> None:
    """Rewrite every live row once a second (run in its own process)."""
    await init_db(settings)
    try:
        deadline, tick = time.monotonic() + seconds, 0
        while time.monotonic() < deadline:
            tick += 1
            ids = await UpsSystem.all().values_list("id", flat=True)
            async with in_transaction():  # one transaction per sweep, as the poller writes
                for ups_id in ids:
                    await write_live(int(ups_id), tick)
            await asyncio.sleep(1)
    finally:
        await close_db()


def wait_ready(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            url = f"http://127.0.0.1:{port}/api/auth/check-setup"
            with urllib.request.urlopen(url, timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("api worker did not start")


def check_answer(port: int, token: str) -> None:
    import json

    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/ups-systems", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(req, timeout=5) as resp:  # noqa: S310 (http://127.0.0.1)
        body = json.loads(resp.read())
    assert len(body) == UPS_COUNT and body[0]["status"] == "Online", body[:1]
    assert body[0]["batteryCharge"] is not None


def run_wrk(port: int, token: str, duration: int, gzip: bool = False) -> dict[str, float]:
    extra = ["-H", "Accept-Encoding: gzip, deflate, br"] if gzip else []
    out = subprocess.run(
        [
            "wrk", "-t2", "-c50", f"-d{duration}s", "--latency",
            "-H", f"Authorization: Bearer {token}", *extra,
            f"http://127.0.0.1:{port}/api/ups-systems",
        ],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    latency = {}
    for pct in ("50", "90", "99"):
        m = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out)
        assert m, out
        value = float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
        latency[pct] = value
    return {
        "rps": rps,
        "p50": latency["50"],
        "p90": latency["90"],
        "p99": latency["99"],
        "errors": float(non2xx.group(1)) if non2xx else 0.0,
        "raw": out,  # type: ignore[dict-item]
    }


def scenario(name: str, duration: int, with_churn: bool, gzip: bool) -> dict[str, float]:
    tmp = Path(tempfile.mkdtemp(prefix="pp-bench-api-"))
    port = free_port()
    env = environment(tmp / "data", port)
    settings = Settings.from_env(env)
    token = asyncio.run(seed(settings))
    api = subprocess.Popen(
        [sys.executable, "-m", "powerpulse.cli", "api"], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    writer = None
    try:
        wait_ready(port)
        check_answer(port, token)
        if with_churn:
            writer = subprocess.Popen(
                [sys.executable, __file__, "--churn", str(duration + 5)], env=env, cwd=ROOT
            )
            time.sleep(1.5)
        result = run_wrk(port, token, duration, gzip=gzip)
        result["name"] = name  # type: ignore[assignment]
        return result
    finally:
        if writer is not None:
            writer.terminate()
            writer.wait(10)
        api.terminate()
        api.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


FLOOR_APP = """
import sys
from sanic import Sanic
from sanic.response import HTTPResponse
app = Sanic("floor")
BODY = b"x" * 6000
@app.get("/api/ups-systems")
async def h(request):
    return HTTPResponse(BODY, content_type="application/json")
app.run(host="127.0.0.1", port=int(sys.argv[1]), single_process=True, access_log=False, motd=False)
"""


def floor(duration: int) -> dict[str, float]:
    """The machine's noise floor: a bare Sanic handler with a static 6 KB body (no auth, no
    database), measured the same way right after the real runs."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", FLOOR_APP, str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/ups-systems", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        result = run_wrk(port, "unused", duration)
        result["name"] = "floor: bare Sanic, static 6 KB, no auth/DB"  # type: ignore[assignment]
        return result
    finally:
        proc.terminate()
        proc.wait(10)


def report(results: list[dict[str, float]], duration: int, repeat: int) -> str:
    lines = [
        "# `GET /api/ups-systems` benchmark",
        "",
        f"Recorded {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC on "
        f"{platform.machine()}, {os.cpu_count()} cores (shared with other work), "
        f"Python {platform.python_version()}, load average before the runs "
        f"{LOAD_BEFORE[0]:.1f} / {LOAD_BEFORE[1]:.1f} / {LOAD_BEFORE[2]:.1f}.",
        f"{UPS_COUNT} UPS with live rows, one `powerpulse api` process (single Sanic worker), "
        f"`wrk -t2 -c50 -d{duration}s` with an `Authorization: Bearer` header, on 127.0.0.1.",
        f"Target: ≥ {TARGET_RPS:,.0f} req/s and p99 < {TARGET_P99_MS:g} ms. "
        f"Each row: the median (by p99) of {repeat} run(s).",
        "",
        "| scenario | req/s | p50 ms | p90 ms | p99 ms | non-2xx | target met |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        ok = r["rps"] >= TARGET_RPS and r["p99"] < TARGET_P99_MS and not r["errors"]
        if str(r["name"]).startswith("floor"):
            lines.append(
                f"| {r['name']} | {r['rps']:,.0f} | {r['p50']:.2f} | {r['p90']:.2f} | "
                f"{r['p99']:.2f} | {r['errors']:.0f} | (reference) |"
            )
            continue
        lines.append(
            f"| {r['name']} | {r['rps']:,.0f} | {r['p50']:.2f} | {r['p90']:.2f} | "
            f"{r['p99']:.2f} | {r['errors']:.0f} | {'yes' if ok else 'NO'} |"
        )
    lines += [
        "",
        "- *steady*: nothing changes during the run; each answer is the cached serialisation "
        "(its change key re-read from the database every 50 ms; rebuilt at least every second).",
        "- *identity*: wrk's default, no compression (about 90 KB per answer). *gzip*: with "
        "`Accept-Encoding: gzip` as every browser sends it (the cached body is compressed once "
        "per rebuild).",
        "- *churn*: another process rewrites all 100 live rows every second, so the list is "
        "rebuilt from the database about once a second while wrk runs.",
        "- *floor*: not PowerPulse: the smallest possible Sanic handler on the same machine "
        "at the same time, to show how much of the latency tail is the (shared, 2-core) "
        "machine rather than the api worker. wrk itself runs on the same 2 cores.",
        "- Every request authenticates: JWT signature and expiry checked; the user row behind "
        "the token is re-read from the database at most once a second.",
        "",
        "Reproduce: `python bench/api_list.py --write`.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="write bench/results/api_list.md")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per scenario; the median (by p99) is kept"
    )
    parser.add_argument("--churn", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.churn:
        asyncio.run(churn(Settings.from_env(), args.churn))
        return
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    runs: list[Callable[[], dict[str, float]]] = [
        lambda: scenario("steady, identity", args.duration, with_churn=False, gzip=False),
        lambda: scenario("steady, gzip", args.duration, with_churn=False, gzip=True),
        lambda: scenario("churn, identity", args.duration, with_churn=True, gzip=False),
        lambda: scenario("churn, gzip", args.duration, with_churn=True, gzip=True),
        lambda: floor(args.duration),
    ]
    results = []
    for run in runs:
        repeats = sorted((run() for _ in range(args.repeat)), key=lambda r: r["p99"])
        results.append(repeats[len(repeats) // 2])
    text = report(results, args.duration, args.repeat)
    print(text)
    if args.write:
        (ROOT / "bench" / "results" / "api_list.md").write_text(text)


if __name__ == "__main__":
    main()
