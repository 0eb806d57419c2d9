"""Sites and tags in the browser, against the real api, poller and two real upsd (dummy-ups):
an admin edits a UPS's tags on its page (a bad tag shows the API's refusal and saves nothing),
the dashboard is grouped by site with a site/tag filter that lives in the URL, the UPS list has
Site and Tags columns, and the kiosk opened with `?tag=`/`?site=` shows only the matching UPS.

Two NUT servers: the harness's (rack-a, rack-b, closet) given the site "paris", and a second
upsd (lyon-edge) added with the site "lyon"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import ADMIN, admin_token, login, wait_ups_polled
from tests.e2e.ui_stack import UPS_VARS, ui_stack
from tests.support.nut_server import NutServer
from tests.support.stack import Stack

# The API's words for a bad tag (powerpulse.groups.TAG_RULE), shown by the editor as they are.
TAG_RULE = "a tag is 1 to 40 letters, digits, spaces or '.', '-', '_', ':', '/'"
LYON_UPS = {"lyon-edge": {**UPS_VARS["rack-b"], "device.serial": "LY0001", "ups.serial": "LY0001"}}
# Tags for the filter tests: "core" is on one UPS of each site.
TAGS = {"rack-a": ["core"], "rack-b": ["spare"], "closet": ["office"], "lyon-edge": ["core"]}

Sites = tuple[Stack, dict[str, int]]


@pytest.fixture(scope="module")
def two_sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sites]:
    """A set-up PowerPulse polling two upsd, one per site; yields the stack and UPS ids."""
    lyon = NutServer(LYON_UPS)
    lyon.start()
    try:
        with ui_stack(tmp_path_factory.mktemp("pp-sites")) as (stack, nut):
            stack.setup_admin(nut.host, nut.port, *ADMIN)
            token = admin_token(stack)
            status, servers = stack.request("GET", "/api/nut-servers", token=token)
            assert status == 200 and len(servers) == 1, servers
            status, body = stack.request(
                "PUT", f"/api/nut-servers/{servers[0]['id']}", {"site": "paris"}, token=token
            )
            assert status == 200, body
            status, body = stack.request(
                "POST",
                "/api/nut-servers",
                {"host": lyon.host, "port": lyon.port, "site": "lyon"},
                token=token,
            )
            assert status == 201, body
            polled = wait_ups_polled(stack, token, len(nut.ups_names) + len(LYON_UPS))
            assert {u["name"]: u["site"] for u in polled} == {
                "rack-a": "paris",
                "rack-b": "paris",
                "closet": "paris",
                "lyon-edge": "lyon",
            }
            yield stack, {u["name"]: u["id"] for u in polled}
    finally:
        lyon.stop()


def set_tags(stack: Stack, ids: dict[str, int], tags: dict[str, list[str]]) -> None:
    token = admin_token(stack)
    for name, values in tags.items():
        status, body = stack.request(
            "PUT", f"/api/ups-systems/{ids[name]}", {"tags": values}, token=token
        )
        assert status == 200, body


def api_ups(stack: Stack, ups_id: int) -> dict[str, Any]:
    status, body = stack.request("GET", f"/api/ups-systems/{ups_id}", token=admin_token(stack))
    assert status == 200, body
    return dict(body)


def site_select(page: Page) -> Locator:
    # By its label's start: the "Group by" select's label holds an option named "Site" too.
    return page.get_by_label(re.compile("^Site"))


def test_admin_edits_tags_and_a_bad_tag_is_refused(page: Page, two_sites: Sites) -> None:
    stack, ids = two_sites
    set_tags(stack, ids, {"rack-a": []})
    login(page, stack)
    page.get_by_role("link", name="Details of rack-a", exact=True).click()
    expect(page.get_by_test_id("ups-title")).to_have_text("rack-a")
    groups = page.get_by_test_id("ups-groups")
    expect(page.get_by_test_id("ups-site")).to_have_text("paris")
    expect(groups.get_by_role("list", name="Tags")).to_have_count(0)

    # Blanks and repeats are dropped; the tags show at once and after a reload.
    page.get_by_role("button", name="Edit tags of rack-a").click()
    field = page.get_by_label("Tags, separated by commas")
    expect(field).to_be_focused()
    field.fill(" core , floor 2,, core ")
    page.get_by_role("button", name="Save", exact=True).click()
    tags = groups.get_by_role("list", name="Tags").get_by_role("listitem")
    expect(tags).to_have_text(["core", "floor 2"])
    expect(field).to_have_count(0)
    assert api_ups(stack, ids["rack-a"])["tags"] == ["core", "floor 2"]
    page.reload()
    expect(tags).to_have_text(["core", "floor 2"])

    # A bad tag: the API's message shows in the form, which stays open; nothing is saved.
    page.get_by_role("button", name="Edit tags of rack-a").click()
    expect(field).to_have_value("core, floor 2")
    field.fill("core, <bad>")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(groups.get_by_role("alert")).to_contain_text(TAG_RULE)
    expect(field).to_have_value("core, <bad>")
    page.get_by_role("button", name="Cancel").click()
    expect(groups.get_by_role("alert")).to_have_count(0)
    expect(tags).to_have_text(["core", "floor 2"])
    assert api_ups(stack, ids["rack-a"])["tags"] == ["core", "floor 2"]
    page.reload()
    expect(tags).to_have_text(["core", "floor 2"])

    # Clearing the field clears the tags.
    page.get_by_role("button", name="Edit tags of rack-a").click()
    field.fill("")
    field.press("Enter")
    expect(groups).to_contain_text("Tags none")
    assert api_ups(stack, ids["rack-a"])["tags"] == []


def test_a_member_sees_tags_but_cannot_edit_them(page: Page, two_sites: Sites) -> None:
    stack, ids = two_sites
    set_tags(stack, ids, {"closet": ["office"]})
    status, body = stack.request(
        "POST",
        "/api/auth/register",
        {"username": "viewer", "password": "viewer-pass-1", "role": "user"},
        token=admin_token(stack),
    )
    assert status in (200, 201), body
    login(page, stack, "viewer", "viewer-pass-1")
    page.get_by_role("link", name="Details of closet", exact=True).click()
    expect(page.get_by_test_id("ups-site")).to_have_text("paris")
    groups = page.get_by_test_id("ups-groups")
    expect(groups.get_by_role("listitem")).to_have_text(["office"])
    expect(page.get_by_role("button", name=re.compile("^Edit tags of"))).to_have_count(0)


def test_dashboard_groups_by_site_and_filters_by_tag_in_the_url(
    page: Page, two_sites: Sites
) -> None:
    stack, ids = two_sites
    set_tags(stack, ids, TAGS)
    login(page, stack)
    cards = page.get_by_test_id("ups-card")
    expect(cards).to_have_count(4)
    # One section per site, by name.
    expect(page.locator("h2.site-title")).to_have_text(["lyon", "paris"])
    paris = page.locator("section.site-section", has=page.locator("h2", has_text="paris"))
    lyon = page.locator("section.site-section", has=page.locator("h2", has_text="lyon"))
    expect(paris.get_by_test_id("ups-card")).to_have_count(3)
    expect(lyon.get_by_test_id("ups-card")).to_have_count(1)
    expect(lyon.get_by_test_id("ups-card")).to_contain_text("lyon-edge")

    chips = page.locator("button.tag-chip")
    expect(chips).to_have_text(["core", "office", "spare"])
    core = page.get_by_role("button", name="core", exact=True)
    expect(core).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_role("button", name="Show all")).to_have_count(0)

    # A tag chip keeps the UPS carrying it, in both sites; the URL holds the filter.
    core.click()
    expect(core).to_have_attribute("aria-pressed", "true")
    expect(page).to_have_url(stack.url("/?tag=core"))
    expect(cards).to_have_count(2)
    expect(paris.get_by_test_id("ups-card")).to_contain_text("rack-a")
    expect(lyon.get_by_test_id("ups-card")).to_contain_text("lyon-edge")
    expect(page.locator('[data-testid="ups-card"]', has_text="rack-b")).to_have_count(0)
    expect(page.get_by_role("link", name="Open kiosk", exact=True)).to_have_attribute(
        "href", "/kiosk?tag=core"
    )

    # A reload (or a bookmark) keeps it.
    page.reload()
    expect(page.get_by_role("button", name="core", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(cards).to_have_count(2)
    expect(page.locator("h2.site-title")).to_have_text(["lyon", "paris"])

    # The site too; the kiosk links carry both.
    site_select(page).select_option("paris")
    expect(page).to_have_url(stack.url("/?site=paris&tag=core"))
    expect(cards).to_have_count(1)
    expect(cards).to_contain_text("rack-a")
    expect(page.locator("h2.site-title")).to_have_text(["paris"])
    expect(page.get_by_role("link", name="Open kiosk", exact=True)).to_have_attribute(
        "href", "/kiosk?site=paris&tag=core"
    )
    expect(page.get_by_role("link", name="Open multi-view", exact=True)).to_have_attribute(
        "href", "/kiosk?multi=true&site=paris&tag=core"
    )

    # A second tag widens the match (any of the tags) within the site.
    page.get_by_role("button", name="spare", exact=True).click()
    expect(page).to_have_url(re.compile(r"/\?site=paris&tag=core(%2C|,)spare$"))
    expect(cards).to_have_count(2)
    expect(page.locator('[data-testid="ups-card"]', has_text="rack-b")).to_have_count(1)

    page.get_by_role("button", name="Show all").click()
    expect(page).to_have_url(stack.url("/"))
    expect(cards).to_have_count(4)
    expect(site_select(page)).to_have_value("")
    expect(chips.and_(page.locator('[aria-pressed="true"]'))).to_have_count(0)

    # Grouped by tag instead: a section per tag (a UPS is in each of its tags'), in the URL too.
    page.get_by_label("Group by").select_option("tag")
    expect(page).to_have_url(stack.url("/?group=tag"))
    expect(page.locator("h2.site-title")).to_have_text(["core", "office", "spare"])
    core_section = page.locator("section.site-section", has=page.locator("h2", has_text="core"))
    expect(core_section.get_by_test_id("ups-card")).to_have_count(2)
    page.reload()
    expect(page.locator("h2.site-title")).to_have_text(["core", "office", "spare"])
    page.get_by_label("Group by").select_option("none")
    expect(page).to_have_url(stack.url("/?group=none"))
    expect(page.locator("h2.site-title")).to_have_count(0)
    expect(cards).to_have_count(4)


def test_ups_list_has_site_and_tag_columns_and_the_filter(page: Page, two_sites: Sites) -> None:
    stack, ids = two_sites
    set_tags(stack, ids, TAGS)
    login(page, stack)
    page.goto(stack.url("/ups-systems?site=lyon"))
    expect(page.get_by_role("heading", name="UPS systems")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    headers = page.get_by_role("columnheader")
    names = headers.all_inner_texts()
    site_col, tags_col = names.index("Site"), names.index("Tags")
    cells = rows.nth(0).locator("td")
    expect(cells.nth(0)).to_have_text("lyon-edge")
    expect(cells.nth(site_col)).to_have_text("lyon")
    expect(cells.nth(tags_col)).to_have_text("core")
    expect(site_select(page)).to_have_value("lyon")

    page.get_by_role("button", name="Show all").click()
    expect(page).to_have_url(stack.url("/ups-systems"))
    expect(rows).to_have_count(4)
    rack_b = page.locator("tbody tr", has=page.get_by_role("link", name="rack-b", exact=True))
    expect(rack_b.locator("td").nth(site_col)).to_have_text("paris")
    expect(rack_b.locator("td").nth(tags_col)).to_have_text("spare")

    page.get_by_role("button", name="office", exact=True).click()
    expect(page).to_have_url(stack.url("/ups-systems?tag=office"))
    expect(rows).to_have_count(1)
    expect(rows.nth(0).locator("td").nth(0)).to_have_text("closet")


def test_kiosk_shows_only_the_matching_ups(browser: Browser, two_sites: Sites) -> None:
    stack, ids = two_sites
    set_tags(stack, ids, TAGS)
    kiosk = browser.new_page(viewport={"width": 1920, "height": 1080})  # no login: public
    try:
        tiles = kiosk.get_by_test_id("kiosk-ups")
        kiosk.goto(stack.url("/kiosk?multi=true&tag=core"))
        expect(tiles).to_have_count(2)
        expect(tiles.nth(0)).to_contain_text("rack-a")
        expect(tiles.nth(1)).to_contain_text("lyon-edge")
        expect(kiosk.get_by_test_id("kiosk")).not_to_contain_text("rack-b")
        expect(kiosk.get_by_test_id("kiosk")).not_to_contain_text("closet")

        kiosk.goto(stack.url("/kiosk?multi=true&site=paris&tag=core,spare"))
        expect(tiles).to_have_count(2)
        expect(tiles.nth(0)).to_contain_text("rack-a")
        expect(tiles.nth(1)).to_contain_text("rack-b")

        # The single view with one match shows that UPS and stays on it.
        kiosk.goto(stack.url("/kiosk?tag=office&rotate=3"))
        expect(tiles).to_have_count(1)
        expect(tiles).to_contain_text("closet")
        expect(tiles).to_contain_text("On Battery")
        kiosk.wait_for_timeout(3_500)
        expect(tiles).to_contain_text("closet")
    finally:
        kiosk.close()
