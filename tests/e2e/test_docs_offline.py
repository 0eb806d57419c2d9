"""`/docs` renders the API browser with every non-loopback host unreachable: Swagger UI comes
from the image (webui/dist/docs-assets), not from a CDN."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Browser, Route, expect

from tests.e2e.conftest import UI

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def test_docs_render_with_the_internet_blocked(browser: Browser, stack_and_nut: UI) -> None:
    stack, _ = stack_and_nut
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    outside: list[str] = []

    def only_loopback(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", only_loopback)
    try:
        page = context.new_page()
        page.goto(stack.url("/docs"))
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("PowerPulse API")
        # The operations are listed: the page read the app's own /docs/openapi.json.
        login = page.locator(".opblock-summary-path", has_text="/api/auth/login").first
        expect(login).to_be_visible()
        login.click()
        expect(page.locator(".opblock-body").first).to_be_visible()
        assert outside == [], f"/docs asked hosts outside the machine: {outside}"

        # sanic-ext's OAuth2 redirect page would be fetched from jsDelivr: it answers locally.
        response = page.goto(stack.url("/docs/oauth2-redirect.html"))
        assert response is not None and response.status == 200
        expect(page.locator("body")).to_contain_text("does not use OAuth2")
        assert outside == []
    finally:
        context.close()
