"""Fixtures for real device data: upsd + dummy-ups serving `.dev` files as they are."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

from tests.hardware.devices import DevFileServer
from tests.support.nut_server import nut_available


@pytest.fixture
def dev_server() -> Iterator[Callable[..., DevFileServer]]:
    """`dev_server({"ups1": b"battery.charge: 50\\n"})`: a started upsd serving those files."""
    if not nut_available():
        pytest.fail("NUT is not installed: run `make test-deps` (apt-get install nut-server)")
    started: list[DevFileServer] = []

    def start(devs: Mapping[str, bytes], **kwargs: Any) -> DevFileServer:
        server = DevFileServer(devs, **kwargs)
        started.append(server)
        server.start()
        return server

    yield start
    for server in started:
        server.stop()
