"""Protection coverage end to end: a real upsd, a real upsmon secondary, the poller in process
and the API. LIST CLIENT shows upsmon's 127.0.0.1; stopping upsmon raises one host_unprotected
(after the grace), starting it again gives host_protected, a poller restart repeats nothing;
plans' protected hosts count too; a server that refuses LIST CLIENT gives no alert. Then the
API's validation and permissions."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import orjson
import pytest
from sanic import Sanic

from powerpulse.api import schemas
from powerpulse.config import Settings
from powerpulse.db import counters
from powerpulse.db.models import (
    Event,
    NotificationDelivery,
    NotificationLog,
    NutServer,
    ProtectedHost,
    ShutdownPlan,
    UpsLiveState,
    UpsSystem,
)
from powerpulse.notify.dispatcher import Dispatcher, notice_for_event
from powerpulse.notify.messages import PLAIN, compose
from powerpulse.poller import clients as pc
from powerpulse.poller.loop import Poller
from powerpulse.shutdown.coverage import Rules
from tests.api.conftest import Account, Client, make_user
from tests.support.nut_server import NutServer as RealNut
from tests.support.nut_server import free_port, nut_available
from tests.support.upsmon import Upsmon, upsmon_available

pytestmark = pytest.mark.skipif(
    not (nut_available() and upsmon_available()), reason="needs nut-server and nut-client"
)


def auth(account: Account) -> dict[str, str]:
    return {"Authorization": f"Bearer {account.token}"}


@pytest.fixture(autouse=True)
def fast_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """LIST CLIENT on every poll and a half-second grace (production: 30 s, 20 s)."""
    monkeypatch.setattr(pc, "CLIENTS_INTERVAL", 0.0)
    monkeypatch.setattr(pc, "RULES", Rules(grace_reads=2, grace_seconds=0.5))


@pytest.fixture
def nut() -> Iterator[RealNut]:
    server = RealNut(["ups1"])
    server.start()
    yield server
    server.stop()


@pytest.fixture
def monitors() -> Iterator[Callable[[RealNut], Upsmon]]:
    started: list[Upsmon] = []

    def start(server: RealNut) -> Upsmon:
        mon = Upsmon(server, "ups1")
        started.append(mon)
        mon.start()
        mon.wait_attached()
        return mon

    yield start
    for mon in started:
        mon.stop()


async def configure(host: str, port: int) -> UpsSystem:
    server = await NutServer.create(host=host, port=port)
    ups = await UpsSystem.create(name="ups1", nickname="ups3", ups_name="ups1", nut_server=server)
    await counters.bump(counters.CONFIG)
    return ups


async def sweep_until(
    poller: Poller, check: Callable[[], Awaitable[bool]], timeout: float = 20.0
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        await poller.sweep_once()
        if await check():
            return
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.2)


async def sweeps(poller: Poller, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await poller.sweep_once()
        await asyncio.sleep(0.2)


async def host_events(ups: UpsSystem) -> list[Event]:
    return await Event.filter(ups_id=ups.id, kind__startswith="host_").order_by("id")


async def clients_are(ups: UpsSystem, wanted: list[str]) -> bool:
    live = await UpsLiveState.get_or_none(ups_id=ups.id)
    return live is not None and live.clients == wanted


def valid(body: Any) -> Any:
    return schemas.validator(schemas.Protection).validate_json(orjson.dumps(body), strict=True)


@pytest.fixture
async def poller(db: Settings) -> AsyncIterator[Poller]:
    p = Poller(db)
    yield p
    await p.close()


async def test_a_protected_host_that_stops_listening(
    app: Sanic,
    client: Client,
    admin: Account,
    member: Account,
    db: Settings,
    nut: RealNut,
    monitors: Callable[[RealNut], Upsmon],
    poller: Poller,
) -> None:
    mon = monitors(nut)
    ups = await configure(nut.host, nut.port)
    await sweep_until(poller, lambda: clients_are(ups, ["127.0.0.1"]))

    status, body, _ = await client.get(
        f"/api/ups-systems/{ups.id}/protection", headers=auth(member)
    )
    assert status == 200, body
    valid(body)
    assert body["clients"] == [{"address": "127.0.0.1", "expected": False, "label": None}]
    assert body["supported"] is True and body["read_at"] and body["protected_hosts"] == []

    status, entry, _ = await client.post(
        f"/api/ups-systems/{ups.id}/protected-hosts",
        json={"host": "127.0.0.1", "label": "db1"},
        headers=auth(admin),
    )
    assert status == 201, entry
    assert entry == {
        "id": entry["id"],
        "host": "127.0.0.1",
        "label": "db1",
        "attached": True,
        "source": "operator",
        "plan_id": None,
        "plan_name": None,
    }
    _, body, _ = await client.get(f"/api/ups-systems/{ups.id}/protection", headers=auth(member))
    assert body["clients"] == [{"address": "127.0.0.1", "expected": True, "label": "db1"}]

    await sweep_until(poller, lambda: seen(ups, "127.0.0.1"))  # the poller took the host on

    # upsmon stops: after the grace, exactly one host_unprotected naming the host and the UPS.
    mon.stop()
    await sweep_until(poller, lambda: clients_are(ups, []))
    await sweep_until(poller, lambda: _count(ups, 1))
    await sweeps(poller, 1.5)
    (lost,) = await host_events(ups)
    assert lost.kind == "host_unprotected"
    assert lost.details["host"] == "127.0.0.1" and lost.details["hostLabel"] == "db1"
    assert lost.details["neverAttached"] is False
    text = compose(notice_for_event(lost, ups), PLAIN)
    assert text.title == "🔌 Host No Longer Protected"
    assert text.body.startswith("Host db1 no longer listens to ups3.")
    _, body, _ = await client.get(f"/api/ups-systems/{ups.id}/protection", headers=auth(member))
    assert body["clients"] == [] and body["protected_hosts"][0]["attached"] is False

    # A poller restart (its state read back from the database) repeats nothing.
    await poller.close()
    second = Poller(db)
    try:
        await sweeps(second, 1.5)
        assert [e.kind for e in await host_events(ups)] == ["host_unprotected"]
        # upsmon back: host_protected, once.
        monitors(nut)
        await sweep_until(second, lambda: _count(ups, 2))
        await sweeps(second, 1.0)
    finally:
        await second.close()
    events = await host_events(ups)
    assert [e.kind for e in events] == ["host_unprotected", "host_protected"]
    text = compose(notice_for_event(events[1], ups), PLAIN)
    assert text.title == "🔌 Host Protected Again"
    assert text.body.startswith("Host db1 listens to ups3 again.")


async def seen(ups: UpsSystem, host: str) -> bool:
    live = await UpsLiveState.get(ups_id=ups.id)
    hosts = ((live.event_state or {}).get("coverage") or {}).get("hosts") or {}
    return bool((hosts.get(host) or {}).get("seen"))


async def _count(ups: UpsSystem, n: int) -> bool:
    return len(await host_events(ups)) >= n


async def test_a_plans_protected_hosts_count_too(
    app: Sanic,
    client: Client,
    member: Account,
    nut: RealNut,
    monitors: Callable[[RealNut], Upsmon],
    poller: Poller,
) -> None:
    mon = monitors(nut)
    ups = await configure(nut.host, nut.port)
    definition = {
        "name": "night",
        "ups": [ups.id],
        "triggers": {"low_battery": True},
        "phases": [{"name": "hosts", "actions": []}],
        "protected_hosts": [{"ups_id": ups.id, "host": "127.0.0.1"}],
    }
    plan = await ShutdownPlan.create(name="night", definition=definition)
    await counters.bump(counters.CONFIG)
    await sweep_until(poller, lambda: clients_are(ups, ["127.0.0.1"]))
    _, body, _ = await client.get(f"/api/ups-systems/{ups.id}/protection", headers=auth(member))
    valid(body)
    assert body["protected_hosts"] == [
        {
            "id": None,
            "host": "127.0.0.1",
            "label": None,
            "attached": True,
            "source": "plan",
            "plan_id": plan.id,
            "plan_name": "night",
        }
    ]
    assert body["clients"][0]["expected"] is True
    mon.stop()
    await sweep_until(poller, lambda: _count(ups, 1))
    (lost,) = await host_events(ups)
    assert lost.details["sources"] == [{"source": "plan", "planId": plan.id, "planName": "night"}]
    assert compose(notice_for_event(lost, ups), PLAIN).body.startswith(
        "Host 127.0.0.1 no longer listens to ups3."
    )


async def test_the_dispatcher_routes_them_like_other_warnings(
    app: Sanic, db: Settings, nut: RealNut, poller: Poller
) -> None:
    ups = await configure(nut.host, nut.port)
    await ProtectedHost.create(ups_id=ups.id, host="127.0.0.9", label="db9")
    await make_user("bob")
    user = await make_user("carol")
    from powerpulse.notify.personal import write_seed_fields

    await write_seed_fields(user.id, {"slack_webhook_url": "http://127.0.0.1:9/hook"})
    await sweep_until(poller, lambda: _count(ups, 1))  # never attached: one alert after the grace
    async with Dispatcher(db) as dispatcher:
        assert await dispatcher.fan_out_once() == 1
    log = await NotificationLog.get(user_id=user.id)
    assert log.kind == "host_unprotected"
    delivery = await NotificationDelivery.get(log_id=log.id)
    payload = orjson.dumps(delivery.payload).decode()
    assert "Host Not Protected" in payload
    assert "db9 does not listen to" in payload


class RefusingProxy:
    """A TCP proxy in front of a real upsd that answers LIST CLIENT itself with
    `ERR ACCESS-DENIED` (as a locked-down or old upsd would); everything else goes through."""

    def __init__(self, upstream: RealNut) -> None:
        self.upstream = upstream
        self.port = free_port()
        self.server: asyncio.Server | None = None

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_r, up_w = await asyncio.open_connection(self.upstream.host, self.upstream.port)
        lock = asyncio.Lock()

        async def pump() -> None:
            while data := await up_r.read(65536):
                async with lock:
                    writer.write(data)

        task = asyncio.create_task(pump())
        try:
            while line := await reader.readline():
                if line.upper().startswith(b"LIST CLIENT"):
                    await asyncio.sleep(0.05)  # our client waits for earlier replies anyway
                    async with lock:
                        writer.write(b"ERR ACCESS-DENIED\n")
                else:
                    up_w.write(line)
                await up_w.drain()
        finally:
            task.cancel()
            up_w.close()
            writer.close()

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            with contextlib.suppress(Exception):
                await self.server.wait_closed()


async def test_a_server_that_refuses_list_client(
    app: Sanic,
    client: Client,
    member: Account,
    nut: RealNut,
    monitors: Callable[[RealNut], Upsmon],
    poller: Poller,
) -> None:
    monitors(nut)
    proxy = RefusingProxy(nut)
    await proxy.start()
    try:
        ups = await configure("127.0.0.1", proxy.port)
        await ProtectedHost.create(ups_id=ups.id, host="127.0.0.1", label="db1")
        await counters.bump(counters.CONFIG)

        async def refused() -> bool:
            live = await UpsLiveState.get_or_none(ups_id=ups.id)
            return live is not None and live.clients_at is not None and live.clients is None

        await sweep_until(poller, refused)
        await sweeps(poller, 1.5)
        live = await UpsLiveState.get(ups_id=ups.id)
        assert live.error_code is None  # the UPS itself is polled as usual
        first_at = live.clients_at
        assert await host_events(ups) == []
        assert (await UpsLiveState.get(ups_id=ups.id)).clients_at == first_at  # no rewrites
        _, body, _ = await client.get(f"/api/ups-systems/{ups.id}/protection", headers=auth(member))
        valid(body)
        assert body["supported"] is False and body["clients"] == []
        assert body["protected_hosts"][0]["attached"] is False
    finally:
        await proxy.stop()


# -- validation and permissions -------------------------------------------------------------------
@pytest.fixture
async def ups(app: Sanic) -> UpsSystem:
    return await configure("127.0.0.1", 3493)


async def test_who_may_do_what(
    client: Client, admin: Account, member: Account, ups: UpsSystem
) -> None:
    path = f"/api/ups-systems/{ups.id}"
    status, body, _ = await client.get(f"{path}/protection")
    assert status == 401
    status, body, _ = await client.get(f"{path}/protection", headers=auth(member))
    assert status == 200
    assert body == {"clients": [], "read_at": None, "supported": True, "protected_hosts": []}
    host = {"host": "10.0.0.5"}
    assert (await client.post(f"{path}/protected-hosts", json=host))[0] == 401
    assert (await client.post(f"{path}/protected-hosts", json=host, headers=auth(member)))[0] == 403
    assert await ProtectedHost.all().count() == 0
    before = await counters.read(counters.CONFIG)
    status, entry, _ = await client.post(f"{path}/protected-hosts", json=host, headers=auth(admin))
    assert status == 201 and entry["label"] is None and entry["attached"] is False
    assert await counters.read(counters.CONFIG) > before
    one = f"{path}/protected-hosts/{entry['id']}"
    assert (await client.delete(one))[0] == 401
    assert (await client.delete(one, headers=auth(member)))[0] == 403
    before = await counters.read(counters.CONFIG)
    status, body, _ = await client.delete(one, headers=auth(admin))
    assert status == 200 and body == {"message": "Protected host removed"}
    assert await counters.read(counters.CONFIG) > before
    assert (await client.delete(one, headers=auth(admin)))[0] == 404


async def test_an_audit_line_names_the_user(
    client: Client, admin: Account, ups: UpsSystem, caplog: pytest.LogCaptureFixture
) -> None:
    path = f"/api/ups-systems/{ups.id}/protected-hosts"
    with caplog.at_level("INFO", logger="powerpulse.audit"):
        _, entry, _ = await client.post(
            path, json={"host": "db1.example.com", "label": "db1"}, headers=auth(admin)
        )
        await client.delete(f"{path}/{entry['id']}", headers=auth(admin))
    lines = [r.getMessage() for r in caplog.records if r.name == "powerpulse.audit"]
    assert lines == [
        "admin protected host db1.example.com (db1) on UPS ups1",
        "admin removed protected host db1.example.com from UPS ups1",
    ]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 400),
        ({"host": ""}, 400),
        ({"host": "   "}, 400),
        ({"host": 5}, 400),
        ({"host": None}, 400),
        ({"host": "a b"}, 400),
        ({"host": "http://db1"}, 400),
        ({"host": "db1/24"}, 400),
        ({"host": "user@db1"}, 400),
        ({"host": "-db1"}, 400),
        ({"host": "a" * 64 + ".lan"}, 400),  # a label over 63 characters
        ({"host": "a." * 128}, 400),  # over 255 characters
        ({"host": "db\x001"}, 400),
        ({"host": "db1", "label": "x" * 101}, 400),
        ({"host": "db1", "label": 3}, 400),
        ({"host": "db1", "label": "x" * 100}, 201),
        ({"host": "DB1.Example.com."}, 201),
        ({"host": "2001:db8::1"}, 201),
        ({"host": "10.0.0.5", "label": None}, 201),
    ],
)
async def test_validation(
    client: Client, admin: Account, ups: UpsSystem, body: dict[str, Any], status: int
) -> None:
    got, answer, _ = await client.post(
        f"/api/ups-systems/{ups.id}/protected-hosts", json=body, headers=auth(admin)
    )
    assert got == status, answer
    if status == 400:
        assert answer["error"] == "validation_error"


async def test_duplicates_and_unknown_ids(client: Client, admin: Account, ups: UpsSystem) -> None:
    path = f"/api/ups-systems/{ups.id}/protected-hosts"
    assert (await client.post(path, json={"host": "db1.lan"}, headers=auth(admin)))[0] == 201
    for same in ("db1.lan", "DB1.LAN.", " db1.lan "):
        status, body, _ = await client.post(path, json={"host": same}, headers=auth(admin))
        assert status == 409, (same, body)
    assert (await client.post(path, json={"host": "::ffff:10.0.0.5"}, headers=auth(admin)))[
        0
    ] == 201
    assert (await client.post(path, json={"host": "10.0.0.5"}, headers=auth(admin)))[0] == 409
    for bad in ("0", "-1", "x", "2147483648", "99999999999999999999", "1e3", "999"):
        status, _, _ = await client.get(f"/api/ups-systems/{bad}/protection", headers=auth(admin))
        assert status == 404, bad
        status, _, _ = await client.post(
            f"/api/ups-systems/{bad}/protected-hosts", json={"host": "db2"}, headers=auth(admin)
        )
        assert status == 404, bad
        status, _, _ = await client.delete(f"{path}/{bad}", headers=auth(admin))
        assert status == 404, bad
    # Another UPS's entry is not found through this one.
    other = await UpsSystem.create(
        name="ups2",
        ups_name="ups2",
        nut_server_id=ups.nut_server_id,  # type: ignore[attr-defined]
    )
    row = await ProtectedHost.create(ups_id=other.id, host="10.9.9.9")
    assert (await client.delete(f"{path}/{row.id}", headers=auth(admin)))[0] == 404
    status, body, _ = await client.post(
        path, content=b"not json", headers={**auth(admin), "content-type": "application/json"}
    )
    assert status == 400


async def test_a_name_is_resolved_to_match_the_clients(
    client: Client, admin: Account, ups: UpsSystem
) -> None:
    await UpsLiveState.create(ups_id=ups.id, clients=["127.0.0.1"], clients_at=None)
    path = f"/api/ups-systems/{ups.id}"
    status, entry, _ = await client.post(
        f"{path}/protected-hosts", json={"host": "localhost"}, headers=auth(admin)
    )
    assert status == 201 and entry["attached"] is True
    _, body, _ = await client.get(f"{path}/protection", headers=auth(admin))
    assert body["clients"] == [{"address": "127.0.0.1", "expected": True, "label": None}]
