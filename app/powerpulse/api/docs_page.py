"""`/docs` without internet: sanic-ext's Swagger page, pointed at a copy of Swagger UI that the
web UI build takes from the `swagger-ui-dist` npm package (`webui/dist/docs-assets/`).

sanic-ext's own page loads Swagger UI from a CDN, its ReDoc page too, and its OAuth2 redirect
route downloads a page from jsDelivr on every request; PowerPulse uses bearer tokens, not OAuth2.
"""

from __future__ import annotations

from pathlib import Path

from sanic import Sanic
from sanic_ext.extensions.openapi import blueprint as openapi_blueprint

DOCS_PAGE = Path(__file__).with_name("docs.html")
ASSETS_URL = "/docs-assets/"  # where the web UI build puts Swagger UI (see webui/vite.config.ts)

NO_OAUTH2 = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>PowerPulse</title>
</head><body><p>PowerPulse does not use OAuth2: authorize with a bearer token from
POST /api/auth/login.</p></body></html>"""


def _no_oauth2_redirect_page(version: str) -> str:
    return NO_OAUTH2


def configure(app: Sanic) -> None:
    app.config.OAS_UI_DEFAULT = "swagger"
    app.config.OAS_UI_REDOC = False
    app.config.OAS_PATH_TO_SWAGGER_HTML = str(DOCS_PAGE)
    # The route stays (sanic-ext always adds it); it answers locally instead of fetching a CDN.
    openapi_blueprint.get_oauth2_redirect_html = _no_oauth2_redirect_page  # type: ignore[assignment]
