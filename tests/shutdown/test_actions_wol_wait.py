"""wol sends exactly the magic packet; wait_down notices a port that stops answering."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

import pytest

from powerpulse.shutdown.actions import wait_down, wol
from powerpulse.shutdown.actions.base import ActionContext, ActionError
from powerpulse.shutdown.plan import parse_plan, plan_json
from tests.support.nut_server import free_port

Ctx = Callable[..., ActionContext]


@pytest.mark.parametrize("written", ["AA:BB:CC:0d:0e:0f", "aa-bb-cc-0d-0e-0f", "aabbcc0d0e0f"])
async def test_the_magic_packet_arrives(written: str, action_ctx: Ctx) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.settimeout(5)
        port = listener.getsockname()[1]
        params = wol.TYPE.parse({"mac": written, "address": "127.0.0.1", "port": port})
        outcome = await wol.TYPE.run(params, action_ctx())
        assert outcome.ok, outcome.error
        packet, _ = listener.recvfrom(4096)
    mac = bytes([0xAA, 0xBB, 0xCC, 0x0D, 0x0E, 0x0F])
    assert len(packet) == 102
    assert packet == b"\xff" * 6 + mac * 16
    assert params.mac == "aa:bb:cc:0d:0e:0f"
    assert outcome.output == f"magic packet for aa:bb:cc:0d:0e:0f sent to 127.0.0.1:{port}"


@pytest.mark.parametrize(
    "mac", ["aa:bb:cc:dd:ee", "aa:bb:cc:dd:ee:gg", "aa:bb-cc:dd:ee:ff", "aabbccddeeff00", ""]
)
def test_bad_macs_are_refused(mac: str) -> None:
    with pytest.raises(ActionError) as err:
        wol.TYPE.parse({"mac": mac})
    assert err.value.field == "mac"


def test_wol_defaults_and_round_trip() -> None:
    params = wol.TYPE.parse({"mac": "aa:bb:cc:dd:ee:ff"})
    assert (params.address, params.port) == ("255.255.255.255", 9)
    assert wol.TYPE.destructive(params) is None
    assert wol.TYPE.parse(wol.TYPE.to_json(params)) == params


def closing_listener(after: float) -> int:
    """A port that accepts connections, then stops listening after `after` seconds."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    port = int(sock.getsockname()[1])

    def serve() -> None:
        deadline = time.monotonic() + after
        sock.settimeout(0.1)
        while time.monotonic() < deadline:
            try:
                conn, _ = sock.accept()
                conn.close()
            except TimeoutError:
                pass
        sock.close()

    threading.Thread(target=serve, daemon=True).start()
    return port


async def test_a_host_that_goes_down_is_noticed(action_ctx: Ctx) -> None:
    port = closing_listener(2.0)
    params = wait_down.TYPE.parse({"host": "127.0.0.1", "port": port, "timeout_seconds": 20})
    started = time.monotonic()
    outcome = await wait_down.TYPE.run(params, action_ctx())
    took = time.monotonic() - started
    assert outcome.ok, outcome.error
    assert 2.0 <= took < 6  # not before it closed, and two checks after
    assert outcome.output.startswith(f"127.0.0.1:{port} stopped answering after")


async def test_a_host_that_stays_up_times_out(action_ctx: Ctx) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        port = sock.getsockname()[1]
        params = wait_down.TYPE.parse({"host": "127.0.0.1", "port": port, "timeout_seconds": 3})
        started = time.monotonic()
        outcome = await wait_down.TYPE.run(params, action_ctx())
    assert time.monotonic() - started < 5
    assert not outcome.ok
    assert outcome.error == f"127.0.0.1:{port} still answers after 3 s"


async def test_a_port_already_closed_is_down_after_two_checks(action_ctx: Ctx) -> None:
    port = free_port()
    params = wait_down.TYPE.parse({"host": "127.0.0.1", "port": port})
    started = time.monotonic()
    outcome = await wait_down.TYPE.run(params, action_ctx())
    assert outcome.ok and 0.9 <= time.monotonic() - started < 3


async def test_a_name_that_does_not_resolve_is_not_down(action_ctx: Ctx) -> None:
    params = wait_down.TYPE.parse({"host": "no-such-host.invalid", "port": 22})
    outcome = await wait_down.TYPE.run(params, action_ctx())
    assert not outcome.ok
    assert outcome.error == "the host name no-such-host.invalid does not resolve"


def test_wait_down_fields_in_a_plan() -> None:
    with pytest.raises(ActionError, match="port is required"):
        wait_down.TYPE.parse({"host": "db1"})
    raw = {
        "name": "p",
        "ups": [1],
        "triggers": {"low_battery": True},
        "phases": [
            {"actions": [{"type": "wait_down", "host": "db1", "port": 22}]},
            {"actions": [{"type": "wol", "mac": "AA-BB-CC-DD-EE-FF"}]},
        ],
    }
    plan = parse_plan(raw)
    shown = plan_json(plan, masked=True)
    down = shown["phases"][0]["actions"][0]
    assert (down["host"], down["port"], down["timeout_seconds"]) == ("db1", 22, 300.0)
    assert shown["phases"][1]["actions"][0]["mac"] == "aa:bb:cc:dd:ee:ff"
    assert plan.phases[0].actions[0].describe() == "wait until db1:22 stops answering"
    assert wait_down.TYPE.timeout(plan.phases[0].actions[0].params) == 300.0
