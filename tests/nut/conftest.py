"""A read-only real upsd shared by the NUT tests (a cold start costs ~2 s)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.nut_server import NutServer

# battery.type of ups1 as upsd reports it; in the .dev file the value is quoted and escaped,
# so upsd stores the quotes and backslash and must escape them again on the wire.
ESCAPED = 'Rack "A" \\ left'


@pytest.fixture(scope="package")
def shared() -> Iterator[NutServer]:
    """ups1 (escaped battery.type) and ups2 (`OB LB`). Tests must not change it."""
    server = NutServer(
        {"ups1": {"battery.type": '"Rack \\"A\\" \\\\ left"'}, "ups2": {"ups.status": "OB LB"}}
    )
    server.start()
    yield server
    server.stop()
