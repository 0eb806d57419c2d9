"""/api/system/settings: the runtime settings an admin edits; environment wins; config's bounds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sanic import Sanic

from powerpulse.config import RUNTIME_BOUNDS, ConfigError, Settings
from powerpulse.db import counters
from powerpulse.db.models import KeyValue
from tests.api.conftest import Account, Client

URL = "/api/system/settings"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Only HISTORY_RETENTION_DAYS comes from the environment here (the suite's usual settings
    set POLL_INTERVAL, which would lock it)."""
    return Settings.from_env(
        {
            "POWERPULSE_DATA_DIR": str(tmp_path / "data"),
            "JWT_SECRET": "test-secret-that-is-long-enough-for-hs256",
            "LOG_LEVEL": "WARNING",
            "HISTORY_RETENTION_DAYS": "90",
        }
    )


def by_key(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["key"]: s for s in body["settings"]}


async def test_admins_only(client: Client, member: Account) -> None:
    assert (await client.get(URL))[0] == 401
    assert (await client.put(URL, json={"poll_interval": 2}))[0] == 401
    assert (await client.get(URL, token=member.token))[0] == 403
    assert (await client.put(URL, json={"poll_interval": 2}, token=member.token))[0] == 403
    assert await KeyValue.get_or_none(key="system_settings") is None


async def test_each_setting_shows_its_bounds_and_source(client: Client, admin: Account) -> None:
    status, body, _ = await client.get(URL, token=admin.token)
    assert status == 200
    shown = by_key(body)
    assert list(shown) == [b.attr for b in RUNTIME_BOUNDS]
    for bound in RUNTIME_BOUNDS:
        item = shown[bound.attr]
        assert (item["min"], item["max"], item["default"], item["unit"], item["env"]) == (
            bound.lo,
            bound.hi,
            bound.default,
            bound.unit,
            bound.env,
        )
    assert (shown["poll_interval"]["value"], shown["poll_interval"]["source"]) == (5.0, "default")
    retention = shown["history_retention_days"]
    assert (retention["value"], retention["source"], retention["integer"]) == (90, "env", True)


async def test_a_saved_value_applies_and_null_goes_back_to_the_default(
    app: Sanic, client: Client, admin: Account
) -> None:
    before = await counters.read(counters.CONFIG)
    status, body, _ = await client.put(
        URL, json={"poll_interval": 2.5, "discovery_interval": 120}, token=admin.token
    )
    assert status == 200, body
    shown = by_key(body)
    assert (shown["poll_interval"]["value"], shown["poll_interval"]["source"]) == (2.5, "database")
    assert shown["discovery_interval"]["value"] == 120
    # The poller's signal, and this instance's own settings (staleness, buckets) at once.
    assert await counters.read(counters.CONFIG) == before + 1
    assert app.ctx.settings.poll_interval == 2.5
    assert by_key((await client.get(URL, token=admin.token))[1])["poll_interval"]["value"] == 2.5
    # Saving one setting keeps the others.
    status, body, _ = await client.put(URL, json={"poll_interval": None}, token=admin.token)
    assert status == 200
    shown = by_key(body)
    assert (shown["poll_interval"]["value"], shown["poll_interval"]["source"]) == (5.0, "default")
    assert shown["discovery_interval"]["source"] == "database"
    assert app.ctx.settings.poll_interval == 5.0


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"poll_interval": 0.1}, "poll_interval", "validation_error"),
        ({"poll_interval": 3601}, "poll_interval", "validation_error"),
        ({"poll_interval": "5"}, "poll_interval", "validation_error"),
        ({"poll_interval": True}, "poll_interval", "validation_error"),
        ({"comm_grace_seconds": -1}, "comm_grace_seconds", "validation_error"),
        ({"history_interval": 0.5}, "history_interval", "validation_error"),
        ({"discovery_interval": 1e300}, "discovery_interval", "validation_error"),
        ({"poll_interval": 2, "nut_timeout": 3}, "nut_timeout", "validation_error"),
        ({"history_retention_days": 10}, "history_retention_days", "locked"),
    ],
)
async def test_a_bad_value_is_a_400_naming_it_and_nothing_is_saved(
    client: Client, admin: Account, body: dict[str, Any], field: str, code: str
) -> None:
    status, answer, _ = await client.put(URL, json=body, token=admin.token)
    assert status == 400, answer
    assert (answer["field"], answer["error"]) == (field, code)
    assert answer["message"].startswith(field)
    assert await KeyValue.get_or_none(key="system_settings") is None


async def test_a_whole_number_setting_refuses_a_fraction(tmp_path: Path) -> None:
    # The environment and the API check against the same bounds (config.RUNTIME_BOUNDS).
    [days] = [b for b in RUNTIME_BOUNDS if b.attr == "history_retention_days"]
    with pytest.raises(ValueError, match="whole number"):
        days.check(1.5)
    assert days.check(7.0) == 7 and isinstance(days.check(7.0), int)
    with pytest.raises(ConfigError, match=r"between 0\.2 and 3600"):
        Settings.from_env({"POLL_INTERVAL": "0.1"})


async def test_not_json_is_a_400(client: Client, admin: Account) -> None:
    status, body, _ = await client.put(
        URL, content="[1]", token=admin.token, headers={"Content-Type": "application/json"}
    )
    assert status == 400 and body["message"], body


async def test_a_saved_value_out_of_todays_bounds_falls_back(
    app: Sanic, client: Client, admin: Account
) -> None:
    await KeyValue.create(key="system_settings", value={"poll_interval": 0.01, "bogus": 1})
    status, body, _ = await client.get(URL, token=admin.token)
    assert status == 200
    assert by_key(body)["poll_interval"]["source"] == "default"
