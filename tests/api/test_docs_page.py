"""The `/docs` page names no host: its Swagger UI comes from the built web UI (docs-assets)."""

from __future__ import annotations

import re

from tests.api.conftest import Client


async def test_docs_page_loads_swagger_from_this_server_only(client: Client) -> None:
    status, _, response = await client.get("/docs")
    assert status == 200
    page = response.text
    assert "/docs-assets/swagger-ui-bundle.js" in page
    assert "/docs/openapi.json" in page
    assert re.findall(r"(?:src|href)=\"(https?:)?//", page) == []  # nothing from another host
    assert "validatorUrl: null" in page  # Swagger's badge would ask validator.swagger.io


async def test_oauth2_redirect_page_answers_without_the_internet(client: Client) -> None:
    # sanic-ext's own handler downloads this page from jsDelivr (a 500 offline).
    status, _, response = await client.get("/docs/oauth2-redirect.html")
    assert status == 200
    assert "does not use OAuth2" in response.text


async def test_redoc_page_from_a_cdn_is_gone(client: Client) -> None:
    # The path falls through to the web UI (its "not found" page), not to ReDoc from a CDN.
    _, _, response = await client.get("/docs/redoc")
    assert "redoc.standalone.js" not in response.text
