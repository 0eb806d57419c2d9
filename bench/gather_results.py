"""Rebuild bench/RESULTS.md from the per-area files in bench/results/ (run after any --write).

The summary table at the top (`results/summary.md`) is kept by hand: it compares each recorded
number with its issue's target, which needs a person to read the per-area file.
"""

from __future__ import annotations

from pathlib import Path

BENCH = Path(__file__).resolve().parent

SECTIONS = [
    ("summary.md", "Summary against the issues' targets"),
    ("nut_sweep.md", "NUT poll sweep — issue #2"),
    ("poller.md", "Poller, history query, memory, event latency — issues #2 and #3"),
    ("api_list.md", "`GET /api/ups-systems` under load — issue #2"),
    ("notify.md", "Notification latency — issue #3"),
    ("stream.md", "Live stream fan-out — issue #4"),
    ("webui.md", "Web UI budgets — issue #4"),
    ("appliance.md", "Image size and self-update — issue #5"),
    ("fleet_sweep.md", "10,000 UPS over 50 upsd on PostgreSQL — issue #9"),
    ("fleet_api.md", "The UPS list across two api instances — issue #9"),
    ("memory.md", "Memory per UPS — issue #9"),
    ("history.md", "History query on both engines — issue #9"),
    ("failover.md", "Poller failover — issue #9"),
    ("notify_channels.md", "Alert latency on every channel kind — issue #10"),
    ("shutdown.md", "Shutdown plan latency — issue #12"),
    ("energy.md", "Energy and battery-health queries — issue #13"),
    ("export.md", "Streamed exports — issue #13"),
]

HEADER = """# Benchmark results

Recorded on this project's build machine: 2 shared cores, Debian 12, Python 3.11.7, NUT 2.8.0,
SQLite 3.40.1. Other test suites were often running at the same time (load average 4 to 12), which
each section says; re-run on a quiet machine before quoting absolute numbers. Every number comes
from a script in `bench/` run against real processes (`upsd` + `dummy-ups`, the real workers,
headless Chromium, podman); each section names its script and method. Ratios were measured within
one run. The per-area files are in `bench/results/`; `python bench/gather_results.py` rebuilds
this page from them.
"""


def section(name: str, title: str) -> str:
    lines = (BENCH / "results" / name).read_text().strip().splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    lines = ["#" + line if line.startswith("#") else line for line in lines]
    return "\n".join([f"## {title}", f"(from `bench/results/{name}`)", "", *lines])


def main() -> None:
    parts = [HEADER, *(section(name, title) for name, title in SECTIONS)]
    (BENCH / "RESULTS.md").write_text("\n\n".join(parts) + "\n")


if __name__ == "__main__":
    main()
