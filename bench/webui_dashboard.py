"""Web UI budgets, measured on the real thing.

1. Initial JavaScript: the scripts `webui/dist/index.html` loads before anything else (entry and
   modulepreloads), gzipped at level 9 — lazy chunks (charts, settings, kiosk…) are not counted.
2. Dashboard with N UPS (default 100) interactive: real upsd + dummy-ups serving N UPS, the real
   api and poller workers, headless Chromium on loopback. In page time from navigation start
   (token already in localStorage) until all N cards are on screen and a click on a card has
   selected it (noted by a MutationObserver installed before the app's scripts).
3. A live update re-renders only what changed: one UPS goes on battery in upsd; the card shows
   it without reload and the render counters of the other N-1 cards do not move.

    python bench/webui_dashboard.py                 # prints the table
    python bench/webui_dashboard.py --write         # also writes bench/results/webui.md

Budgets: initial JS < 250 KB gzipped; dashboard interactive < 1.5 s (judged on the median; the
worst run is shown too, because this machine is shared and its load is printed with the table).
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "app")]

from playwright.sync_api import Page, sync_playwright  # noqa: E402
from tests.e2e.conftest import (  # noqa: E402
    ADMIN,
    CHROMIUM,
    CHROMIUM_ARGS,
    admin_token,
    wait_ups_polled,
)
from tests.e2e.ui_stack import WEBUI_DIST, ui_stack  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "webui.md"
JS_BUDGET_KB = 250
INTERACTIVE_BUDGET_S = 1.5


def initial_js_gzip_kb(dist: Path) -> tuple[float, float, list[str]]:
    """(gzipped KB, raw KB, files) of the JS the index page loads up front."""
    html = (dist / "index.html").read_text()
    files = re.findall(r'<script[^>]+src="(/assets/[^"]+\.js)"', html)
    files += re.findall(r'<link[^>]+rel="modulepreload"[^>]+href="(/assets/[^"]+\.js)"', html)
    raw = b"".join((dist / f.lstrip("/")).read_bytes() for f in files)
    gz = sum(len(gzip.compress((dist / f.lstrip("/")).read_bytes(), 9)) for f in files)
    return gz / 1000, len(raw) / 1000, files


def ups_vars(i: int) -> dict[str, str]:
    return {
        "ups.status": "OL",
        "battery.charge": str(60 + i % 40),
        "battery.runtime": str(600 + i * 7),
        "ups.load": str(i % 70),
        "input.voltage": "230.0",
    }


# Installed before the page's own scripts: notes (in page time, from navigation start) when all
# cards exist and when a click on a card has been answered, without the test driver's polling.
PROBE = """
window.__probe = {};
new MutationObserver(() => {
  const cards = document.querySelectorAll('[data-testid="ups-card"]');
  if (!window.__probe.cards && cards.length >= COUNT) window.__probe.cards = performance.now();
  if (window.__probe.clicked && !window.__probe.answered &&
      document.querySelector('[data-probe-target] button[aria-pressed="true"]')) {
    window.__probe.answered = performance.now();
  }
}).observe(document, { subtree: true, childList: true, attributes: true });
"""


def wait_probe(page: Page, key: str, timeout: float = 30.0) -> None:
    # Polled from here: the app's CSP forbids the string evaluation wait_for_function needs.
    deadline = time.monotonic() + timeout
    while page.evaluate(f"window.__probe.{key}") is None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the page never reported {key}")
        time.sleep(0.01)


def interactive_at(page: Page, url: str, count: int) -> float:
    """Seconds from navigation start until all cards are shown and a card click is answered."""
    page.goto(url)
    wait_probe(page, "cards")
    target = page.locator('[data-testid="ups-card"]').nth(count // 2)
    target.evaluate("e => e.setAttribute('data-probe-target', '')")
    page.evaluate("window.__probe.clicked = true")
    target.locator("button.ups-card-name").click()
    wait_probe(page, "answered")
    return float(page.evaluate("window.__probe.answered")) / 1000


@dataclass
class Result:
    times: list[float]
    cold: list[float]
    live_latency: float
    rerendered: list[str]
    victim: str


def measure(count: int, runs: int) -> Result:
    names = [f"ups{i:03d}" for i in range(count)]
    with (
        tempfile.TemporaryDirectory(prefix="pp-bench-ui-") as tmp,
        ui_stack(Path(tmp), ups={n: ups_vars(i) for i, n in enumerate(names)}) as (stack, nut),
    ):
        stack.setup_admin(nut.host, nut.port, *ADMIN)
        token = admin_token(stack)
        ups = wait_ups_polled(stack, token, count, timeout=60)
        status, user = stack.request("GET", "/api/auth/me", token=token)
        assert status == 200, user
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
            session = (
                f"localStorage.setItem('powerpulse.token', {token!r});"
                f"localStorage.setItem('powerpulse.user', {json.dumps(user)!r});"
            )
            probe = PROBE.replace("COUNT", str(count))
            ctx.add_init_script(session)
            ctx.add_init_script(probe)
            page = ctx.new_page()
            page.goto(stack.url("/login"))  # warm the HTTP cache like a returning user
            times = [interactive_at(page, stack.url("/"), count) for _ in range(runs)]
            cold_times = []
            for _ in range(runs):  # a new context each time: empty HTTP and code caches
                cold = browser.new_context(viewport={"width": 1600, "height": 1000})
                cold.add_init_script(session)
                cold.add_init_script(probe)
                cold_times.append(interactive_at(cold.new_page(), stack.url("/"), count))
                cold.close()

            # A live update: one UPS on battery; count renders of every card.
            page.get_by_test_id("live-indicator").filter(has_text="Live").wait_for(timeout=15_000)
            before = page.evaluate("Object.fromEntries(window.__powerpulseRenderCounts)")
            victim = ups[count // 3]
            nut.set_status(victim["name"], "OB DISCHRG")
            # Start the clock when upsd reports the change (dummy-ups re-reads its file once a
            # second; that second is NUT's, not ours).
            while nut.get_var(victim["name"], "ups.status") != "OB DISCHRG":
                time.sleep(0.01)
            t0 = time.perf_counter()
            page.locator(f'[data-ups-id="{victim["id"]}"] [data-testid="status"]').filter(
                has_text="On Battery"
            ).wait_for(timeout=15_000)
            live_latency = time.perf_counter() - t0
            after = page.evaluate("Object.fromEntries(window.__powerpulseRenderCounts)")
            rerendered = [k for k in after if after[k] != before.get(k)]
            browser.close()
    return Result(times, cold_times, live_latency, rerendered, str(victim["id"]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ups", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()

    gz_kb, raw_kb, files = initial_js_gzip_kb(WEBUI_DIST)
    r = measure(args.ups, args.runs)
    times = r.times
    median, worst = statistics.median(times), max(times)
    cold, cold_worst = statistics.median(r.cold), max(r.cold)
    only_victim = r.rerendered == [r.victim]
    lines = [
        f"## {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC — {platform.node()}, "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f} (shared machine), headless Chromium on loopback",
        "",
        "| measure | result | budget | ok |",
        "|---|---|---|---|",
        f"| initial JS (gzip -9; {len(files)} file(s), {raw_kb:.0f} KB raw) | {gz_kb:.1f} KB | "
        f"< {JS_BUDGET_KB} KB | {'yes' if gz_kb < JS_BUDGET_KB else 'NO'} |",
        f"| dashboard, {args.ups} UPS: navigation start → all cards shown, a card click answered "
        f"(median of {len(times)}, warm cache) | {median:.2f} s (worst {worst:.2f} s) | "
        f"< {INTERACTIVE_BUDGET_S} s | {'yes' if median < INTERACTIVE_BUDGET_S else 'NO'} |",
        f"| same, cold cache (new browser context each time, median of {len(r.cold)}) | "
        f"{cold:.2f} s (worst {cold_worst:.2f} s) | < {INTERACTIVE_BUDGET_S} s | "
        f"{'yes' if cold < INTERACTIVE_BUDGET_S else 'NO'} |",
        f"| live update: upsd reports OB → card shows On Battery (POLL_INTERVAL 0.3 s) | "
        f"{r.live_latency:.2f} s | < 1.3 s | {'yes' if r.live_latency < 1.3 else 'NO'} |",
        f"| cards re-rendered by that update | {len(r.rerendered)} of {args.ups} "
        f"(ids {', '.join(r.rerendered)}) | only the changed one | "
        f"{'yes' if only_victim else 'NO'} |",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        head = "# Web UI budgets (bench/webui_dashboard.py)\n\n"
        old = RESULTS.read_text() if RESULTS.exists() else head
        RESULTS.write_text((old if old.startswith(head) else head + old) + text + "\n")


if __name__ == "__main__":
    main()
