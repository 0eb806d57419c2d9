"""Resident memory of the api + poller workers with 100 UPS after 10 minutes.

Real upsd with 100 dummy-ups, the real `powerpulse api` and `powerpulse poller` processes (via
tests/support/stack.py) at the default POLL_INTERVAL (5 s) unless told otherwise, first-time
setup through the API (which discovers the 100 UPS), and a dashboard-like client asking for
`GET /api/ups-systems` once a second. RSS (VmRSS) of both processes is sampled every 30 s.

    python bench/memory_api_poller.py                  # 600 s
    python bench/memory_api_poller.py --seconds 60 --poll-interval 1

Target: api + poller < 150 MB together after 10 minutes.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "app")]

from tests.support.nut_server import NutServer  # noqa: E402
from tests.support.stack import Stack  # noqa: E402


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--ups", type=int, default=100)
    parser.add_argument("--poll-interval", default="5")
    args = parser.parse_args()
    names = [f"ups{i:03d}" for i in range(args.ups)]
    samples: list[dict[str, float]] = []
    with NutServer(names) as nut, tempfile.TemporaryDirectory() as tmp:
        env = {"POLL_INTERVAL": args.poll_interval, "LOG_LEVEL": "WARNING"}
        with Stack(Path(tmp) / "data", env=env) as stack:
            stack.start_api()
            token = stack.setup_admin(nut.host, nut.port)
            stack.start_poller(wait=False)
            start = time.monotonic()
            next_sample = start
            requests = 0
            while (now := time.monotonic()) - start < args.seconds:
                status, body = stack.request("GET", "/api/ups-systems", token=token)
                assert status == 200 and len(body) == args.ups, (status, str(body)[:200])
                requests += 1
                if now >= next_sample:
                    api, poller = rss_mb(stack.pid("api")), rss_mb(stack.pid("poller"))
                    samples.append({"t": round(now - start), "api": api, "poller": poller})
                    print(
                        f"t={now - start:5.0f}s api={api:6.1f} MB poller={poller:6.1f} MB "
                        f"total={api + poller:6.1f} MB",
                        flush=True,
                    )
                    next_sample += 30
                time.sleep(1)
            polled = sum(1 for s in body if s.get("lastUpdated"))
            last = samples[-1]
            api, poller = rss_mb(stack.pid("api")), rss_mb(stack.pid("poller"))
            result = {
                "ups": args.ups,
                "seconds": args.seconds,
                "poll_interval": args.poll_interval,
                "requests": requests,
                "ups_with_live_data": polled,
                "api_mb": round(api, 1),
                "poller_mb": round(poller, 1),
                "total_mb": round(api + poller, 1),
                "first_total_mb": round(samples[0]["api"] + samples[0]["poller"], 1),
                "last_sampled_total_mb": round(last["api"] + last["poller"], 1),
            }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
