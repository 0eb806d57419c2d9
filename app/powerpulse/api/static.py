"""The built web UI (`webui/dist`): hashed assets cached for a year, `index.html` for every
other non-API GET so client-side routes survive a reload.

There is no catch-all route (it would turn `POST /api/typo` into a 405): the app's 404 handler
calls `serve_webui()` for GET/HEAD requests outside `/api/`.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, file, html, json

from powerpulse.api import schemas
from powerpulse.api.errors import error_body
from powerpulse.config import Settings

bp = Blueprint("webui")

IMMUTABLE = "public, max-age=31536000, immutable"
# Files at fixed (unhashed) names that must never be served stale: the service worker (a stale
# one would keep an old UI after an update; it also needs a JavaScript type to register at all)
# and the web app manifest (its own type, which `mimetypes` does not know).
FIXED_FILES = {
    "sw.js": "text/javascript; charset=utf-8",
    "manifest.webmanifest": "application/manifest+json",
}
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; font-src 'self' data:; frame-ancestors 'self'; "
    "base-uri 'self'; form-action 'self'"
)

MISSING_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PowerPulse</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto">
<h1>PowerPulse</h1>
<p>The API is running, but the web UI has not been built yet.</p>
<p>Run <code>make webui</code> in the repository, then reload this page.
The API itself is described at <a href="/docs">/docs</a>.</p>
</body></html>
"""


def webui_dir(settings: Settings) -> Path:
    """`POWERPULSE_WEBUI_DIR`, else `<repo>/webui/dist` next to the `app/` package dir."""
    if settings.webui_dir is not None:
        return settings.webui_dir.resolve()
    return (Path(__file__).resolve().parents[3] / "webui" / "dist").resolve()


def _safe_child(root: Path, rel: str) -> Path | None:
    """The file `rel` inside `root`, or None (also for `..` escapes and directories)."""
    if not rel or "\x00" in rel:
        return None
    candidate = (root / rel).resolve()
    if candidate != root and root not in candidate.parents:
        return None
    return candidate if candidate.is_file() else None


@bp.route("/", methods=["GET", "HEAD"])
@schemas.returns_text("text/html", "The web UI (its client-side routes too)")
async def index(request: Request) -> HTTPResponse:
    return await _serve(request, "")


def wants_webui(request: Request) -> bool:
    path = request.path
    return request.method in ("GET", "HEAD") and not (path == "/api" or path.startswith("/api/"))


async def serve_webui(request: Request) -> HTTPResponse:
    return await _serve(request, request.path.lstrip("/"))


async def _serve(request: Request, path: str) -> HTTPResponse:
    root = webui_dir(request.app.ctx.settings)
    index_file = root / "index.html"
    if not index_file.is_file():
        return html(MISSING_PAGE, status=200, headers={"Cache-Control": "no-cache"})
    target = _safe_child(root, path)
    if target is not None and path in FIXED_FILES:
        return _cache(await file(target, mime_type=FIXED_FILES[path]), "no-cache")
    if target is not None and target != index_file:
        cache = IMMUTABLE if path.startswith("assets/") else "public, max-age=3600"
        mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return _cache(await file(target, mime_type=mime), cache)
    if path.startswith("assets/"):
        # A missing hashed asset must not come back as index.html (and this runs inside the
        # 404 handler, so answer rather than raise).
        return json(error_body("File not found", "not_found"), status=404)
    response = await file(index_file, mime_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = CSP
    return _cache(response, "no-cache")


def _cache(response: HTTPResponse, value: str) -> HTTPResponse:
    response.headers["Cache-Control"] = value  # replaces the default `file()` sets
    return response
