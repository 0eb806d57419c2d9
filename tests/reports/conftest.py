"""Fixtures of the API suite reused as they are, a real webhook receiver, and quick writers of
the rows the reports read (samples in bulk, events, outages, notification rows)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from powerpulse.config import Settings
from tests.api.conftest import (  # noqa: F401 (fixtures)
    admin,
    app,
    client,
    db,
    member,
    migrated_template,
    read_list_key_every_time,
)
from tests.conftest import make_settings
from tests.support.receivers import WebhookReceiver


@pytest.fixture
def slack_hook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver("slack") as hook:
        yield hook


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings that let channels post to local receivers (127.0.0.1)."""
    return make_settings(tmp_path / "data", WEBHOOK_ALLOWED_HOSTS="127.0.0.1")
