"""`GET /metrics`: the live state of every UPS for Prometheus, optionally behind METRICS_TOKEN.

Every answer is read back with prometheus_client's parser, the one Prometheus users rely on."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families
from sanic import Sanic

from powerpulse.db.models import NotificationDelivery, NotificationLog
from powerpulse.timeutil import utcnow
from tests.api.conftest import Account, Client, add_server, add_ups, write_live
from tests.support.nut_server import DEFAULT_VARS, NutServer
from tests.support.stack import Stack

HOOK = "https://discord.com/api/webhooks/1/secret-token"


def _values(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    return {
        tuple(sorted(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == name
    }


def _of(text: str, name: str, **labels: str) -> float | None:
    return _values(text, name).get(tuple(sorted(labels.items())))


async def test_public_scrape_shows_live_readings_and_nothing_private(client: Client) -> None:
    server = await add_server(host="nut.internal.example", username="monuser", password="s3cret!")
    ups = await add_ups(server, "ups1", nickname="Rack A")
    await write_live(ups, {**DEFAULT_VARS, "ups.status": "OB DISCHRG", "battery.charge": "64"})
    status, text, resp = await client.get("/metrics")
    assert status == 200
    assert resp.headers["content-type"].startswith("text/plain; version=0.0.4")
    ident = {"ups_id": str(ups.id), "ups": "ups1", "site": ""}
    assert _of(text, "powerpulse_ups_battery_charge_percent", **ident) == 64
    assert _of(text, "powerpulse_ups_status", flag="OB", **ident) == 1
    assert _of(text, "powerpulse_ups_status", flag="OL", **ident) == 0
    assert _of(text, "powerpulse_ups_up", **ident) == 1
    info = next(iter(_values(text, "powerpulse_ups_info")))
    assert dict(info)["name"] == "Rack A"
    for secret in ("nut.internal.example", "monuser", "s3cret!", DEFAULT_VARS["ups.serial"]):
        assert secret not in text


async def test_a_ups_with_a_poll_error_is_down_and_keeps_its_last_readings(client: Client) -> None:
    ups = await add_ups(await add_server(), "ups1")
    await write_live(
        ups,
        {**DEFAULT_VARS, "ups.status": "OL"},
        error_code="driver-not-connected",
        error_message="NUT server error DRIVER-NOT-CONNECTED",
    )
    text = (await client.get("/metrics"))[1]
    ident = {"ups_id": str(ups.id), "ups": "ups1", "site": ""}
    assert _of(text, "powerpulse_ups_up", **ident) == 0
    assert _of(text, "powerpulse_ups_battery_charge_percent", **ident) == 100


async def test_with_metrics_token_a_scrape_needs_it(app: Sanic, client: Client) -> None:
    app.ctx.settings = dataclasses.replace(app.ctx.settings, metrics_token="scrape-token-123")
    status, body, resp = await client.get("/metrics")
    assert status == 401 and body["error"] == "unauthorized"
    assert resp.headers["www-authenticate"] == "Bearer"
    assert (await client.get("/metrics", token="wrong-token"))[0] == 401
    assert (await client.get("/metrics", headers={"Authorization": b"Bearer \xff\xfe"}))[0] == 401
    status, text, _ = await client.get("/metrics", token="scrape-token-123")
    assert status == 200 and "powerpulse_build_info" in text


async def test_notification_deliveries_and_a_stuck_one_are_visible(
    client: Client, member: Account
) -> None:
    log = await NotificationLog.create(user=member.user, ups_name="ups1", status="On Battery")
    rows: list[dict[str, Any]] = [
        {"channel": "discord", "state": "delivered"},
        {"channel": "discord", "state": "delivered"},
        {"channel": "email", "state": "failed"},
        {"channel": "slack", "state": "retry"},
    ]
    for row in rows:
        await NotificationDelivery.create(log=log, target=HOOK, **row)
    ten_minutes_ago = utcnow() - timedelta(minutes=10)
    await NotificationDelivery.filter(state="retry").update(created_at=ten_minutes_ago)
    text = (await client.get("/metrics"))[1]
    deliveries = _values(text, "powerpulse_notification_deliveries")
    assert deliveries == {
        (("channel", "discord"), ("state", "delivered")): 2,
        (("channel", "email"), ("state", "failed")): 1,
        (("channel", "slack"), ("state", "retry")): 1,
    }
    oldest = _of(text, "powerpulse_notification_oldest_pending_seconds")
    assert oldest is not None and 595 < oldest < 700
    assert "secret-token" not in text


def _scrape(stack: Stack) -> str:
    status, text = stack.request("GET", "/metrics")
    assert status == 200, text
    return str(text)


def test_a_real_ups_going_on_battery_shows_in_the_next_scrape(
    tmp_path: Path, nut_factory: Callable[..., NutServer], database_url: str
) -> None:
    nut = nut_factory(["ups1"])
    env = {"POLL_INTERVAL": "0.5", "DATABASE_URL": database_url}
    with Stack(tmp_path / "data", env=env) as stack:
        stack.start_api()
        stack.setup_admin(nut.host, nut.port)
        stack.start_poller()
        ident = {"ups_id": "1", "ups": "ups1", "site": ""}

        def wait_for(flag: str) -> str:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                text = _scrape(stack)
                if _of(text, "powerpulse_ups_status", flag=flag, **ident) == 1:
                    return text
                time.sleep(0.2)
            raise AssertionError(
                f"{flag} never scraped; poller log:\n{stack.log('poller')[-1500:]}"
            )

        online = wait_for("OL")
        assert _of(online, "powerpulse_ups_up", **ident) == 1
        assert _of(online, "powerpulse_ups_battery_charge_percent", **ident) == float(
            DEFAULT_VARS["battery.charge"]
        )
        nut.set_status("ups1", "OB DISCHRG", **{"battery.charge": "71"})
        on_battery = wait_for("OB")
        assert _of(on_battery, "powerpulse_ups_status", flag="OL", **ident) == 0
        assert _of(on_battery, "powerpulse_ups_battery_charge_percent", **ident) == 71

        nut.kill_driver("ups1")
        deadline = time.monotonic() + 15
        while _of(_scrape(stack), "powerpulse_ups_up", **ident) != 0:
            assert time.monotonic() < deadline, "a dead driver never made powerpulse_ups_up 0"
            time.sleep(0.3)
