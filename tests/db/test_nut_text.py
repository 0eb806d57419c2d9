"""Text from a NUT server that SQLite stores as it comes but PostgreSQL refuses: a NUL
character (refused in text and JSON columns) and a status longer than its 255-character
column. Through a real upsd, a proxy that rewrites its replies, and the real poller."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from powerpulse.config import Settings
from powerpulse.db.models import Sample, UpsLiveState
from powerpulse.poller.loop import Poller
from tests.hardware.devices import RewritingProxy
from tests.poller.conftest import add_server
from tests.support.nut_server import NutServer as RealNut

LONG_STATUS = b"OL " + b" ".join(b"X%03d" % i for i in range(80))  # 402 characters


@pytest.fixture
def proxy(nut: RealNut) -> Iterator[RewritingProxy]:
    nut.set_vars("ups1", {"device.model": "MARKMODEL"})
    nut.wait_var("ups1", "device.model", "MARKMODEL")
    rewrites = {
        b'ups.status "OL"': b'ups.status "' + LONG_STATUS + b'"',
        b"MARKMODEL": b"Smart\x00UPS",
    }
    server = RewritingProxy((nut.host, nut.port), rewrites).start()
    yield server
    server.close()


async def test_nul_and_long_status_are_stored_on_every_engine(
    db: Settings, nut: RealNut, proxy: RewritingProxy
) -> None:
    ids = await add_server(proxy.host, proxy.port, ["ups1"])
    poller = Poller(db)
    try:
        await poller.sweep_once()
    finally:
        await poller.close()
    row = await UpsLiveState.get(ups_id=ids["ups1"])
    assert row.error_code is None, row.error_message
    assert row.variables["ups.status"] == LONG_STATUS.decode()
    assert "\x00" not in row.variables["device.model"]
    assert row.variables["device.model"].startswith("Smart")
    assert len(row.status_tokens) <= 255 and row.status_tokens.startswith("OL X000")
    sample = await Sample.get(ups_id=ids["ups1"])
    assert sample.status is not None and len(sample.status) <= 255
