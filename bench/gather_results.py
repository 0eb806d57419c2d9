"""Rebuild bench/RESULTS.md from the per-area files in bench/results/ (run after any --write).

The summary table at the top is kept by hand in SUMMARY below: it compares each recorded number
with its issue's target, which needs a person to read the per-area file.
"""

from __future__ import annotations

from pathlib import Path

BENCH = Path(__file__).resolve().parent

SECTIONS = [
    ("nut_sweep.md", "NUT poll sweep — issue #2"),
    ("poller.md", "Poller, history query, memory, event latency — issues #2 and #3"),
    ("api_list.md", "`GET /api/ups-systems` under load — issue #2"),
    ("notify.md", "Notification latency — issue #3"),
    ("stream.md", "Live stream fan-out — issue #4"),
    ("webui.md", "Web UI budgets — issue #4"),
    ("appliance.md", "Image size and self-update — issue #5"),
]

HEADER = """# Benchmark results

Recorded on this project's build machine: 2 shared cores, Debian 12, Python 3.11.7, NUT 2.8.0,
SQLite 3.40.1. Other test suites were often running at the same time (load average 4–12), which
each section says; re-run on a quiet machine before quoting absolute numbers. Every number comes
from a script in `bench/` run against real processes (`upsd` + `dummy-ups`, the real workers,
headless Chromium, podman); each section names its script and method. Ratios were measured within
one run. The per-area files are in `bench/results/`; `python bench/gather_results.py` rebuilds
this page from them.
"""

SUMMARY = """## Summary against the issues' targets

| measure | result | target |
|---|---|---|
| one poll sweep, 200 UPS on one `upsd` | 21.9 ms (pipelined), 38 ms through the whole poller | < 50 ms |
| one poll sweep, 1,000 UPS over 5 `upsd` | 54.3 ms (pipelined), 145 ms through the whole poller | < 250 ms |
| same sweep with `TCP_QUICKACK` not re-armed | 9.0 s (171× slower) | — |
| `GET /api/ups-systems`, 100 UPS, 1 worker, 50 connections (quiet machine) | 8,232 req/s, p99 13.1 ms; with every live row rewritten each second 8,488 req/s, p99 18.4 ms | ≥ 2,000 req/s, p99 < 25 ms |
| resident memory, api + poller, 100 UPS, after 10 min | 131.8 MB | < 150 MB |
| `upsd` reports OB → Discord receiver has it, p95 of 20 | 1.28 s at POLL_INTERVAL 1.3 s; 4.65 s at 5 s | < POLL_INTERVAL + 0.5 s |
| history, 365 days of one-minute samples (525,600 rows) → 500 points | 27 ms | < 200 ms |
| initial JavaScript, gzipped | 104.5 KB | < 250 KB |
| dashboard with 100 UPS interactive (headless Chromium, loopback) | 0.63 s returning, 1.08 s first visit | < 1.5 s |
| a live update re-renders | 1 card of 100 | only what changed |
| image size, uncompressed | 192.3 MB | < 200 MB |
| `POST /api/system/update` → new version answering | 4.5–11.2 s | — |
"""


def section(name: str, title: str) -> str:
    lines = (BENCH / "results" / name).read_text().strip().splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    lines = ["#" + line if line.startswith("#") else line for line in lines]
    return "\n".join([f"## {title}", f"(from `bench/results/{name}`)", "", *lines])


def main() -> None:
    parts = [HEADER, SUMMARY, *(section(name, title) for name, title in SECTIONS)]
    (BENCH / "RESULTS.md").write_text("\n".join(parts) + "\n")


if __name__ == "__main__":
    main()
