"""Error shapes, limits, headers, OpenAPI and the web UI files."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest
from sanic import Sanic
from sanic_ext import openapi

from powerpulse.api.app import create_app
from powerpulse.api.ratelimit import LoginLimiter
from powerpulse.config import Settings
from tests.api.conftest import Account, Client, Lifespan


async def test_oversize_body_is_413_json(client: Client) -> None:
    big = b'{"username": "' + b"a" * 70_000 + b'"}'
    status, body, _ = await client.post(
        "/api/auth/login", content=big, headers={"Content-Type": "application/json"}
    )
    assert status == 413
    assert body == {
        "message": "Request body too large (limit 64 KiB)",
        "error": "payload_too_large",
    }


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe"])
async def test_bad_json_is_400(client: Client, admin: Account, raw: bytes) -> None:
    status, body, _ = await client.post(
        "/api/user-settings",
        content=raw,
        token=admin.token,
        headers={"Content-Type": "application/json"},
    )
    assert status == 400 and body["error"] == "invalid_json"


async def test_unknown_api_paths_are_json_404(client: Client, admin: Account) -> None:
    for method in ("GET", "POST", "DELETE"):
        status, body, resp = await client.request(method, "/api/nope", token=admin.token)
        assert status == 404 and body["error"] == "not_found", method
        assert resp.headers["content-type"].startswith("application/json")
    status, body, _ = await client.request("PATCH", "/api/ups-systems/kiosk")
    assert status == 405 and body == {
        "message": "Method not allowed",
        "error": "method_not_allowed",
    }


async def test_security_headers_and_no_cors(client: Client) -> None:
    _, _, resp = await client.get(
        "/api/auth/check-setup", headers={"Origin": "https://evil.example"}
    )
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert resp.headers["Referrer-Policy"] == "no-referrer"
    assert resp.headers["Cache-Control"] == "no-store"
    assert "access-control-allow-origin" not in {k.lower() for k in resp.headers}


async def test_unexpected_errors_are_500_without_trace(
    db: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(db, name="powerpulse_test_boom")

    # Out of the OpenAPI document: sanic-ext builds it in one builder per process, so this
    # throwaway route would otherwise show up in every later app's /docs/openapi.json.
    @app.get("/api/boom")
    @openapi.exclude()
    async def boom(request: object) -> None:
        raise RuntimeError("secret internal detail")

    lifespan = Lifespan(app)
    await lifespan.start()
    try:
        with caplog.at_level(logging.ERROR):
            status, body, _ = await Client(app).get("/api/boom")
    finally:
        await lifespan.stop()
        Sanic._app_registry.pop(app.name, None)
    assert (status, body) == (500, {"message": "Internal server error", "error": "internal"})
    assert "secret internal detail" in caplog.text  # logged for the operator, not sent


async def test_openapi_declares_bodies(client: Client) -> None:
    status, spec, _ = await client.get("/docs/openapi.json")
    assert status == 200
    paths = spec["paths"]
    login = paths["/api/auth/login"]["post"]
    schema = login["requestBody"]["content"]["application/json"]["schema"]
    assert set(schema["properties"]) == {"username", "password"}
    for path in (
        "/api/auth/setup",
        "/api/auth/change-password",
        "/api/nut-servers",
        "/api/ups-systems",
        "/api/user-settings",
    ):
        assert "requestBody" in paths[path]["post"], path
    assert "/api/ups-systems/kiosk" in paths


@pytest.fixture
def webui(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><div id=root>PowerPulse UI</div>")
    (dist / "assets" / "app-3f2a.js").write_text("console.log('hi')")
    (dist / "favicon.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("outside")
    return dist


async def test_web_ui_files_and_spa_fallback(client: Client, app: Sanic, webui: Path) -> None:
    app.ctx.settings = dataclasses.replace(app.ctx.settings, webui_dir=webui)
    for path in ("/", "/dashboard", "/kiosk", "/settings/users/3"):
        status, body, resp = await client.get(path)
        assert status == 200 and "PowerPulse UI" in body, path
        assert resp.headers["Cache-Control"] == "no-cache"
        assert resp.headers["content-type"].startswith("text/html")
        assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
    status, body, resp = await client.get("/assets/app-3f2a.js")
    assert status == 200 and "console.log" in body
    assert resp.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert resp.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert (await client.get("/favicon.svg"))[0] == 200
    assert (await client.get("/assets/missing-1234.js"))[0] == 404
    status, body, _ = await client.get("/%2e%2e/secret.txt")
    assert "outside" not in str(body)
    status, body, _ = await client.get("/api/unknown")
    assert status == 404 and body["error"] == "not_found"


async def test_missing_build_explains_itself(client: Client, app: Sanic, tmp_path: Path) -> None:
    app.ctx.settings = dataclasses.replace(app.ctx.settings, webui_dir=tmp_path / "nothing")
    status, body, _ = await client.get("/")
    assert status == 200 and "make webui" in body


@pytest.mark.parametrize("trusted", [0, 1])
async def test_login_limits_follow_the_forwarded_client_only_behind_a_trusted_proxy(
    db: Settings, trusted: int
) -> None:
    """Behind nginx every request comes from the proxy's address: with TRUSTED_PROXIES=1 the
    per-client limit counts the forwarded client, so one guesser does not lock out everyone
    behind the same proxy; without it, a forged X-Forwarded-For cannot dodge the limit."""
    app = create_app(dataclasses.replace(db, trusted_proxies=trusted), name=f"pp_proxy_{trusted}")
    app.ctx.login_limiter = LoginLimiter(per_pair=100, per_client=3)
    lifespan = Lifespan(app)
    await lifespan.start()
    try:
        proxy = Client(app, client_addr="10.9.9.9")  # every request arrives from the proxy

        async def guess(client_ip: str) -> int:
            body = {"username": "nobody", "password": "wrong-guess"}
            headers = {"X-Forwarded-For": client_ip}
            return (await proxy.post("/api/auth/login", json=body, headers=headers))[0]

        assert [await guess("203.0.113.5") for _ in range(3)] == [401, 401, 401]
        assert await guess("203.0.113.5") == 429
        assert await guess("198.51.100.8") == (401 if trusted else 429)
    finally:
        await lifespan.stop()
        Sanic._app_registry.pop(app.name, None)
