"""Live-update fan-out: from upsd reporting a new status to N open SSE streams having it.

Everything is real: `upsd` + `dummy-ups` (a `.dev` edit), the `powerpulse poller` and
`powerpulse api` processes, SQLite, and N aiohttp clients (in this process) holding
`GET /api/stream?ticket=…` open. Each transition: write `ups.status`, poll upsd every 10 ms until
it reports it (t0), then record when every client received the `ups` message (t1 per client).
Also: the api worker's RSS and open file descriptors idle, with N clients, and after they hung up.

    python bench/stream_fanout.py                          # 200 clients, 10 transitions
    python bench/stream_fanout.py --clients 500 --write    # appends to bench/results/stream.md

Target: every client within POLL_INTERVAL + 1 s of upsd reporting the change.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "app")]

from tests.stream.sse import SseClient  # noqa: E402
from tests.support.nut_server import NutServer  # noqa: E402
from tests.support.stack import Stack  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "stream.md"
TITLE = "# Live updates (upsd reports a change → every open SSE stream has it)\n"
WORDS = {"OB DISCHRG": "On Battery", "OL": "Online"}


def proc_stats(pid: int) -> tuple[float, int]:
    """(RSS in MiB, open file descriptors) of a process."""
    rss_kib = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss_kib = int(line.split()[1])
    return rss_kib / 1024, len(os.listdir(f"/proc/{pid}/fd"))


def wait_upsd(nut: NutServer, status: str, timeout: float = 10.0) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if nut.get_var("ups1", "ups.status") == status:
            return time.monotonic()
        time.sleep(0.01)
    raise RuntimeError(f"upsd never reported {status}")


async def arrival(client: SseClient, words: str) -> float:
    await client.next("ups", timeout=15, match=lambda d: d["status"] == words)
    return time.monotonic()


async def run(args: argparse.Namespace) -> dict[str, object]:
    nut = NutServer(["ups1"]).start()
    data = Path(tempfile.mkdtemp(prefix="pp-bench-stream-"))
    try:
        with Stack(data / "data", env={"POLL_INTERVAL": str(args.poll_interval)}) as stack:
            stack.start_api()
            token = stack.setup_admin(nut.host, nut.port)
            stack.start_poller()
            pid = stack.pid("api")
            await asyncio.sleep(2)
            idle = proc_stats(pid)
            urls = []
            for _ in range(args.clients):  # a ticket opens one stream (single use)
                _, body = stack.request("POST", "/api/stream/ticket", token=token)
                urls.append(stack.url(f"/api/stream?ticket={body['ticket']}"))
            connector = aiohttp.TCPConnector(limit=0)
            async with aiohttp.ClientSession(connector=connector) as session:
                clients = [SseClient(session, url) for url in urls]
                started = time.monotonic()
                for c in clients:
                    await c.__aenter__()
                await asyncio.gather(*(c.next("snapshot", timeout=60) for c in clients))
                connect_s = time.monotonic() - started
                loaded = proc_stats(pid)
                first, median, last, spread = [], [], [], []
                for i in range(args.transitions):
                    status = "OB DISCHRG" if i % 2 == 0 else "OL"
                    for c in clients:
                        c.backlog.clear()
                    waiting = [asyncio.create_task(arrival(c, WORDS[status])) for c in clients]
                    await asyncio.sleep(0)
                    nut.set_status("ups1", status)
                    t0 = await asyncio.to_thread(wait_upsd, nut, status)
                    times = sorted(t - t0 for t in await asyncio.gather(*waiting))
                    first.append(times[0])
                    median.append(statistics.median(times))
                    last.append(times[-1])
                    spread.append(times[-1] - times[0])
                    await asyncio.sleep(args.poll_interval * 2)
                for c in clients:
                    await c.__aexit__()
            await asyncio.sleep(2)
            after = proc_stats(pid)
    finally:
        nut.stop()
    return {
        "idle": idle,
        "loaded": loaded,
        "after": after,
        "connect_s": connect_s,
        "first": first,
        "median": median,
        "last": last,
        "spread": spread,
    }


def row(name: str, values: list[float], note: str = "") -> str:
    v = sorted(values)
    p95 = v[min(len(v) - 1, round(0.95 * (len(v) - 1)))]
    return (
        f"| {name} | {len(v)} | {v[0]:.3f} | {statistics.median(v):.3f} | {p95:.3f} | "
        f"{v[-1]:.3f} | {note} |"
    )


def report(args: argparse.Namespace, r: dict[str, object]) -> str:
    idle, loaded, after = r["idle"], r["loaded"], r["after"]
    assert isinstance(idle, tuple) and isinstance(loaded, tuple) and isinstance(after, tuple)
    last = r["last"]
    assert isinstance(last, list)
    target = args.poll_interval + 1.0
    ok = "PASS" if max(last) < target else "FAIL"
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    per_client = (loaded[0] - idle[0]) * 1024 / args.clients
    lines = [
        f"## {args.clients} clients, POLL_INTERVAL={args.poll_interval:g} s\n",
        f"Run {when} on {platform.node()} (Python {platform.python_version()}), "
        f"`python bench/stream_fanout.py --clients {args.clients} --transitions "
        f"{args.transitions} --poll-interval {args.poll_interval:g}`.\n",
        "Real `upsd` + `dummy-ups`, the real `powerpulse poller` and `powerpulse api` processes, "
        f"SQLite (WAL), {args.clients} aiohttp SSE clients in the bench process (same 2-core "
        "machine). t0 = the first 10 ms poll of upsd that reads the new status; per client, "
        "t1 = arrival of the `ups` message. Seconds.\n",
        "| measure | n | min | median | p95 | max | note |",
        "|---|---|---|---|---|---|---|",
        row("first client has it (t1 - t0)", r["first"]),  # type: ignore[arg-type]
        row("median client", r["median"]),  # type: ignore[arg-type]
        row("last client has it", last, f"target < {target:g} s: **{ok}**"),
        row("fan-out spread (last - first)", r["spread"]),  # type: ignore[arg-type]
        "",
        f"- {args.clients} streams connected (ticket, snapshot received) in "
        f"{r['connect_s']:.2f} s.",
        f"- api worker RSS: {idle[0]:.1f} MiB idle → {loaded[0]:.1f} MiB with "
        f"{args.clients} open streams (≈ {per_client:.0f} KiB per stream) → {after[0]:.1f} MiB "
        "after they hung up.",
        f"- api worker open file descriptors: {idle[1]} idle → {loaded[1]} → {after[1]} after "
        "hang-up (streams cleaned up).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--transitions", type=int, default=10)
    parser.add_argument("--poll-interval", type=float, default=1.0)
    parser.add_argument("--write", action="store_true", help="append to bench/results/stream.md")
    args = parser.parse_args()
    text = report(args, asyncio.run(run(args)))
    print(text)
    if args.write:
        existing = RESULTS.read_text() if RESULTS.exists() else TITLE
        RESULTS.write_text(existing.rstrip("\n") + "\n\n" + text)


if __name__ == "__main__":
    main()
