"""The installable web app's files: the service worker and the manifest at fixed names."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from sanic import Sanic

from tests.api.conftest import Client


async def test_service_worker_and_manifest_are_served_fresh_with_their_types(
    client: Client, app: Sanic, tmp_path: Path
) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><div id=root>PowerPulse UI</div>")
    (dist / "sw.js").write_text("self.addEventListener('fetch', () => {});")
    (dist / "manifest.webmanifest").write_text(json.dumps({"name": "PowerPulse"}))
    app.ctx.settings = dataclasses.replace(app.ctx.settings, webui_dir=dist)

    status, body, resp = await client.get("/sw.js")
    assert status == 200 and "addEventListener" in body
    assert resp.headers["content-type"].startswith("text/javascript")
    # A cached worker would outlive a self-update of the UI.
    assert resp.headers["Cache-Control"] == "no-cache"

    status, _, resp = await client.get("/manifest.webmanifest")
    assert status == 200
    assert resp.headers["content-type"] == "application/manifest+json"
    assert resp.headers["Cache-Control"] == "no-cache"
    assert json.loads(resp.text) == {"name": "PowerPulse"}

    # Only at the root: elsewhere the same names are SPA routes like any other.
    status, body, resp = await client.get("/kiosk/sw.js")
    assert status == 200 and "PowerPulse UI" in body
