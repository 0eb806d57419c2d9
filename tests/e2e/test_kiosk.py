"""The public kiosk: URL parameters, rotation, themes, every screen size, recovery after the api
restarts, and the installable web app (manifest, service worker, offline)."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ADMIN, SCREENSHOTS, UI, admin_token, shot, wait_ups_polled
from tests.e2e.ui_stack import WEBUI_DIST, ui_stack
from tests.support.stack import Stack

SIZES = [(360, 640), (390, 844), (768, 1024), (1280, 800), (1920, 1080), (3840, 2160)]

# Every way the kiosk can be wider than its screen: the page itself, and any element inside a
# UPS card whose content is wider than it or that sticks out of the card.
OVERFLOW_JS = """() => {
  const out = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > innerWidth) out.push(`page ${doc.scrollWidth} > ${innerWidth}`);
  const cards = document.querySelectorAll('[data-testid=kiosk-ups], .kiosk-bar, .kiosk-stale');
  for (const card of cards) {
    const box = card.getBoundingClientRect();
    if (card.scrollWidth > card.clientWidth + 1)
      out.push(`${card.className}: content ${card.scrollWidth} > ${card.clientWidth}`);
    for (const el of card.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      const text = (el.textContent || '').slice(0, 30);
      if (r.width && (r.right > box.right + 1 || r.left < box.left - 1))
        out.push(`${el.tagName}.${el.className} "${text}" sticks out`);
    }
  }
  return out;
}"""
# The share of the grid's area that its tiles cover.
TILE_COVER_JS = """() => {
  const main = document.querySelector('.kiosk-main').getBoundingClientRect();
  let area = 0;
  for (const t of document.querySelectorAll('.kiosk-tile')) {
    const r = t.getBoundingClientRect();
    area += r.width * r.height;
  }
  return area / (main.width * main.height);
}"""
CACHED_PATHS_JS = """async () => {
  const out = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const req of await cache.keys()) out.push(new URL(req.url).pathname);
  }
  return out;
}"""


def ids_by_name(stack: Stack) -> dict[str, int]:
    return {u["name"]: u["id"] for u in stack.request("GET", "/api/ups-systems/kiosk")[1]}


def settled(page: Page) -> None:
    """The grid re-measures in a ResizeObserver and re-renders: two frames later it is laid out."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def jpeg(page: Page, name: str) -> None:
    # JPEG: two dozen sizes of the kiosk, 4K among them, stay small in the repository.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.jpg"), type="jpeg", quality=60)


def test_kiosk_parameters(browser: Browser, stack_and_nut: UI) -> None:
    stack, _ = stack_and_nut
    ids = ids_by_name(stack)
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    try:
        # ups= picks and orders, ids and names mixed; multi=true shows a grid; theme=dark wins
        # over the system; title= is the heading.
        page.goto(
            stack.url(f"/kiosk?multi=true&ups=rack-b,{ids['rack-a']}&theme=dark&title=Hall%20B")
        )
        tiles = page.get_by_test_id("kiosk-ups")
        expect(tiles).to_have_count(2)
        expect(tiles.nth(0)).to_contain_text("rack-b")
        expect(tiles.nth(1)).to_contain_text("rack-a")
        expect(page.get_by_role("heading", name="Hall B", level=1)).to_be_visible()
        expect(page).to_have_title("Hall B · PowerPulse kiosk")
        expect(page.locator("html")).to_have_attribute("data-theme", "dark")
        expect(page.get_by_test_id("kiosk")).to_have_attribute("data-mode", "multi")
        # Unknown names are skipped, names match case-insensitively.
        page.goto(stack.url("/kiosk?multi=true&ups=CLOSET,nope,rack-a"))
        expect(tiles).to_have_count(2)
        expect(tiles.nth(0)).to_contain_text("closet")
        page.goto(stack.url("/kiosk?multi=true&theme=dark"))
        expect(tiles).to_have_count(3)
        # Three UPS on a 1080p wall: two columns (three side by side would leave it half empty).
        expect(page.locator(".kiosk-grid")).to_have_attribute("data-columns", "2")
        settled(page)
        shot(page, "kiosk-grid-dark")

        # The clock and the date, in the browser's language (en here).
        clock = page.get_by_test_id("kiosk-clock")
        expect(clock).to_contain_text(time.strftime("%Y"))
        expect(clock.locator("time")).to_have_text(re.compile(r"^\d{1,2}:\d{2}"))

        # Single view rotates every `rotate` seconds (minimum 3).
        page.goto(stack.url(f"/kiosk?ups={ids['rack-a']},rack-b&rotate=3&theme=light"))
        single = page.get_by_test_id("kiosk-ups")
        expect(single).to_have_count(1)
        expect(single).to_contain_text("rack-a")
        expect(page.locator("html")).to_have_attribute("data-theme", "light")
        font = page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('.kiosk-big')).fontSize)"
        )
        assert font >= 120, font  # the charge reads across a room at 1920x1080
        settled(page)
        shot(page, "kiosk-single-light")
        expect(single).to_contain_text("rack-b", timeout=5_000)
        # The toggle switches to the grid and rewrites the URL.
        page.get_by_role("button", name="Show all UPS in a grid").click()
        expect(page).to_have_url(
            stack.url(f"/kiosk?multi=true&ups={ids['rack-a']},rack-b&rotate=3&theme=light")
        )
        expect(page.get_by_test_id("kiosk-ups")).to_have_count(2)

        # lang= wins over the browser's language, for the texts and the date.
        page.goto(stack.url("/kiosk?lang=de"))
        expect(page.locator("html")).to_have_attribute("lang", "de")
        expect(page.get_by_role("button", name="Alle USV im Raster zeigen")).to_be_visible()
        weekday = page.evaluate(
            "new Intl.DateTimeFormat('de', {weekday: 'long'}).format(new Date())"
        )
        expect(page.get_by_test_id("kiosk-clock")).to_contain_text(weekday)
    finally:
        page.close()


def test_kiosk_fits_every_screen(browser: Browser, stack_and_nut: UI) -> None:
    """No horizontal overflow and nothing clipped, from a phone to a 4K wall, both themes, both
    views; the grid fills the screen and the text grows with it."""
    stack, _ = stack_and_nut
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    problems: list[str] = []
    fonts: dict[tuple[str, int], float] = {}
    try:
        for view in ("grid", "single"):
            for theme in ("light", "dark"):
                multi = "true" if view == "grid" else "false"
                # rotate=3600: the single view must not switch UPS between size and screenshot.
                page.set_viewport_size({"width": 1920, "height": 1080})
                page.goto(stack.url(f"/kiosk?multi={multi}&theme={theme}&rotate=3600"))
                expect(page.get_by_test_id("kiosk-ups")).to_have_count(3 if view == "grid" else 1)
                for w, h in SIZES:
                    page.set_viewport_size({"width": w, "height": h})
                    settled(page)
                    found = page.evaluate(OVERFLOW_JS)
                    problems += [f"{view} {theme} {w}x{h}: {p}" for p in found]
                    # Larger than a phone: the wall shows everything without scrolling.
                    tall = page.evaluate("document.documentElement.scrollHeight")
                    if w >= 768 and tall > h:
                        problems.append(f"{view} {theme} {w}x{h}: page {tall} px high")
                    selector = ".kiosk-tile h2" if view == "grid" else ".kiosk-big"
                    fonts[(view, w)] = page.evaluate(
                        f"parseFloat(getComputedStyle(document.querySelector('{selector}')).fontSize)"
                    )
                    if view == "grid" and (w, h) == (1920, 1080):
                        used = page.evaluate(TILE_COVER_JS)
                        assert used > 0.6, f"the tiles cover only {used:.0%} of a 1080p screen"
                    jpeg(page, f"kiosk-{view}-{theme}-{w}x{h}")
    finally:
        page.close()
    assert not problems, "\n".join(problems)
    # The big number and the tiles scale up to 4K rather than stopping at a 1080p size.
    assert fonts[("grid", 3840)] > 1.8 * fonts[("grid", 1920)], fonts
    assert fonts[("single", 3840)] > 1.8 * fonts[("single", 1920)], fonts
    # A phone scrolls rather than shrink the names below reading size (1.6em of 14 px).
    assert fonts[("grid", 390)] >= 22, fonts


def test_kiosk_keeps_data_and_recovers_when_the_api_restarts(
    browser: Browser, tmp_path: Path
) -> None:
    # A copy of the built UI: the end of the test updates it as a self-update would.
    dist = tmp_path / "dist"
    shutil.copytree(WEBUI_DIST, dist)
    with ui_stack(tmp_path / "data", env={"POWERPULSE_WEBUI_DIR": str(dist)}) as (stack, nut):
        stack.setup_admin(nut.host, nut.port, *ADMIN)
        wait_ups_polled(stack, admin_token(stack), 3)
        page = browser.new_page(viewport={"width": 1600, "height": 900})
        page.goto(stack.url("/kiosk?multi=true"))
        expect(page.get_by_test_id("kiosk-ups")).to_have_count(3)
        rack_a = page.locator('[data-testid="kiosk-ups"]', has_text="rack-a")
        expect(rack_a).to_contain_text("96%")
        page.evaluate("window.__noReload = true")

        stack.stop("api")
        # Within 5 s: "Connection lost", and the last data stays on screen; no error screen.
        expect(page.get_by_test_id("kiosk-stale")).to_contain_text("Connection lost", timeout=5_000)
        expect(page.get_by_test_id("kiosk-ups")).to_have_count(3)
        expect(rack_a).to_contain_text("96%")
        expect(rack_a).to_contain_text("41 min")
        shot(page, "kiosk-stale")

        nut.set_status("rack-b", "OB DISCHRG", battery_charge="55")
        stack.start_api()
        expect(page.get_by_test_id("kiosk-stale")).to_be_hidden(timeout=40_000)
        expect(page.locator('[data-testid="kiosk-ups"]', has_text="rack-b")).to_contain_text(
            "On Battery", timeout=10_000
        )
        assert page.evaluate("window.__noReload") is True

        # A new build: the service worker must not keep serving the old UI.
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        index = dist / "index.html"
        marker = '<meta name="pp-build" content="next" />'
        index.write_text(index.read_text().replace("<title>", marker + "<title>", 1))
        page.reload()
        expect(page.locator('meta[name="pp-build"]')).to_have_attribute("content", "next")
        expect(page.get_by_test_id("kiosk-ups")).to_have_count(3)
        page.close()


def test_installable_app_and_offline_kiosk(browser: Browser, stack_and_nut: UI) -> None:
    stack, _ = stack_and_nut
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        # The manifest: its own type, valid JSON, and every icon it names is there.
        res = page.request.get(stack.url("/manifest.webmanifest"))
        assert res.ok and res.headers["content-type"] == "application/manifest+json"
        manifest = json.loads(res.text())
        assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
        assert manifest["name"] == "PowerPulse" and manifest["theme_color"]
        sizes = {icon["sizes"] for icon in manifest["icons"]}
        assert {"192x192", "512x512"} <= sizes
        for icon in manifest["icons"]:
            got = page.request.get(stack.url(icon["src"]))
            assert got.ok and got.headers["content-type"] == icon["type"], icon
        sw = page.request.get(stack.url("/sw.js"))
        assert sw.ok and sw.headers["cache-control"] == "no-cache"
        assert sw.headers["content-type"].startswith("text/javascript")

        page.goto(stack.url("/kiosk?multi=true"))
        expect(page.locator('link[rel="manifest"]')).to_have_attribute(
            "href", "/manifest.webmanifest"
        )
        expect(page.get_by_test_id("kiosk-ups")).to_have_count(3)
        # The worker took over and kept the kiosk's data.
        page.wait_for_function(
            "() => navigator.serviceWorker.controller !== null", polling=100, timeout=10_000
        )
        kept = "() => caches.match('/api/ups-systems/kiosk').then(r => !!r)"
        page.wait_for_function(kept, polling=200, timeout=10_000)
        # Never an authenticated answer.
        cached = page.evaluate(CACHED_PATHS_JS)
        assert [p for p in cached if p.startswith("/api/")] == ["/api/ups-systems/kiosk"], cached

        context.set_offline(True)
        page.reload()
        tiles = page.get_by_test_id("kiosk-ups")
        expect(tiles).to_have_count(3)
        expect(page.locator('[data-testid="kiosk-ups"]', has_text="rack-a")).to_contain_text("96%")
        # Kept data is never passed off as live.
        expect(page.get_by_test_id("kiosk-stale")).to_contain_text("Connection lost")
        context.set_offline(False)
        expect(page.get_by_test_id("kiosk-stale")).to_be_hidden(timeout=15_000)
    finally:
        context.close()
