"""Fixtures for the notification suite: real webhook receivers, a real SMTP server, and rows."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sanic import Sanic

from powerpulse.api.app import create_app
from powerpulse.api.auth import forget_all_users
from powerpulse.config import Settings
from powerpulse.db.models import Event, NutServer, UpsSystem, User, UserSettings
from powerpulse.notify.personal import SEED_FIELDS, write_seed_fields
from powerpulse.timeutil import utcnow
from tests.conftest import make_settings
from tests.support.receivers import WebhookReceiver
from tests.support.smtp import SmtpServer, make_certificate


@pytest.fixture
def discord_hook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver("discord") as hook:
        yield hook


@pytest.fixture
def slack_hook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver("slack") as hook:
        yield hook


@pytest.fixture(scope="session")
def smtp_certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One self-signed certificate per session (RSA key generation is the slow part)."""
    return make_certificate(tmp_path_factory.mktemp("smtp-cert"))


@pytest.fixture
def smtp(smtp_certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    with SmtpServer("starttls", certificate=smtp_certificate) as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path, smtp: SmtpServer) -> Settings:
    """Settings that allow local receivers (any port on 127.0.0.1) and use the real SMTP."""
    return make_settings(tmp_path / "data", WEBHOOK_ALLOWED_HOSTS="127.0.0.1", **smtp.env())


async def make_user(
    name: str = "alice", role: str = "user", **prefs: Any
) -> tuple[User, UserSettings]:
    """A user with settings; the seed's channel fields among `prefs` (discord_webhook_url, …)
    become their personal channels, as the API would store them."""
    user = await User.create(username=name, password_hash="x", role=role)
    seed = {k: prefs.pop(k) for k in list(prefs) if k in SEED_FIELDS}
    row = await UserSettings.create(user=user, **prefs)
    await write_seed_fields(user.id, seed)
    return user, row


async def set_prefs(user_id: int, **prefs: Any) -> None:
    """Change a user's switches and the seed's channel fields, as the settings API would."""
    seed = {k: prefs.pop(k) for k in list(prefs) if k in SEED_FIELDS}
    if prefs:
        await UserSettings.filter(user_id=user_id).update(**prefs)
    await write_seed_fields(user_id, seed)


async def make_ups(name: str = "ups1", nickname: str | None = None) -> UpsSystem:
    server, _ = await NutServer.get_or_create(host="127.0.0.1", port=3493)
    return await UpsSystem.create(name=name, nickname=nickname, nut_server=server, ups_name=name)


async def make_event(
    ups: UpsSystem,
    kind: str = "on_battery",
    previous: str = "Online",
    new: str = "On Battery",
    at: datetime | None = None,
    **details: Any,
) -> Event:
    return await Event.create(
        ups=ups,
        kind=kind,
        previous_status=previous,
        new_status=new,
        occurred_at=at or utcnow(),
        details=details or {"charge": 97, "runtime": 1500, "load": 31},
    )


# The API suite's client and accounts (imported fixtures), on an app built here with this
# suite's settings (SMTP + local webhooks).
from tests.api.conftest import (  # noqa: E402, F401
    Account,
    Client,
    Lifespan,
    admin,
    client,
    db,  # a copy of a once-migrated database instead of migrating per test
    member,
    migrated_template,
)

_app_names = itertools.count()


@pytest.fixture
async def app(db: Settings, smtp: SmtpServer) -> AsyncIterator[Sanic]:  # noqa: F811
    forget_all_users()
    app = create_app(db, name=f"powerpulse_notify_test_{next(_app_names)}")
    # The api worker trusts the test SMTP server's self-signed certificate.
    app.ctx.notify_tls_context = smtp.client_context()
    lifespan = Lifespan(app)
    await lifespan.start()
    yield app
    await lifespan.stop()
    Sanic._app_registry.pop(app.name, None)
    forget_all_users()
