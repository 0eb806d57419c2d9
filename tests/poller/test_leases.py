"""Poller leases: the pure rules, the conditional SQL on both engines (races included), and a
handover between two pollers in one process (no event repeated or missed, no stale writer)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from powerpulse.config import ConfigError, Settings
from powerpulse.db.models import Event, NutServer, PollerLease, UpsLiveState
from powerpulse.poller import lease_store, leases
from powerpulse.poller.live_state import RowChange, SweepWrite, load_rows, write_sweep
from powerpulse.poller.loop import Poller
from powerpulse.timeutil import utcnow
from tests.conftest import make_settings
from tests.poller.conftest import add_nut, add_server, kinds, live, sweep_until
from tests.support.nut_server import NutServer as RealNut

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


# -- the pure rules ------------------------------------------------------------------------------
def test_failover_window_is_three_polls_with_a_15_second_floor() -> None:
    assert leases.failover_window(5.0) == 15.0
    assert leases.failover_window(0.2) == 15.0
    assert leases.failover_window(10.0) == 30.0


def test_lease_leaves_room_in_the_window_for_the_takeover_unless_overridden() -> None:
    # Worst case after a kill: the whole lease (renewed just before), then the next poller's
    # claim tick (at most a second) and its first poll, all inside the window.
    for interval in (0.2, 1.0, 5.0, 10.0, 60.0):
        lease = leases.lease_seconds(interval)
        tick = leases.renew_every(interval, lease)
        assert lease >= 13.0
        assert lease + tick + 0.4 <= leases.failover_window(interval), interval
    assert leases.lease_seconds(5.0) == 13.5
    assert leases.lease_seconds(0.5, override=2.0) == 2.0
    # Renewed several times per lease, never less often than once a second.
    assert leases.renew_every(5.0, 15.0) == 1.0
    assert leases.renew_every(0.3, 15.0) == 0.3
    assert leases.renew_every(0.5, 2.0) == pytest.approx(0.4)


def test_who_may_claim_and_when_a_lease_is_expired() -> None:
    later = T0 + timedelta(seconds=10)
    assert leases.may_claim(None, None, "me", T0)
    assert leases.may_claim("me", later, "me", T0)  # ours: a renewal
    assert not leases.may_claim("other", later, "me", T0)
    assert leases.may_claim("other", later, "me", later)  # expiry is exclusive
    assert leases.is_expired(T0, T0) and not leases.is_expired(later, T0)
    # A poller stops polling a third of a lease before the lease it wrote runs out.
    assert leases.stop_deadline(100.0, 15.0) == pytest.approx(110.0)


def test_sites_decide_which_servers_a_poller_takes() -> None:
    servers = [(1, None), (2, "a"), (3, "b"), (4, "c")]
    assert leases.wanted(servers, ()) == {1, 2, 3, 4}  # no sites: every server, none too
    assert leases.wanted(servers, ("a", "b")) == {2, 3}
    assert leases.uncovered_sites([None, "a", "c"], [("a",), ("b",)]) == {None, "c"}
    assert leases.uncovered_sites([None, "a"], [()]) == set()


def test_poller_sites_setting_is_checked(tmp_path: object) -> None:
    s = make_settings(tmp_path, POLLER_SITES=" paris, lab-2 ,paris")  # type: ignore[arg-type]
    assert s.poller_sites == ("paris", "lab-2")
    assert make_settings(tmp_path).poller_sites == ()  # type: ignore[arg-type]
    for bad in ("a b", "x" * 65, "é", "a;b"):
        with pytest.raises(ConfigError, match="POLLER_SITES"):
            make_settings(tmp_path, POLLER_SITES=bad)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="POLLER_LEASE_SECONDS"):
        make_settings(tmp_path, POLLER_LEASE_SECONDS="0.5")  # type: ignore[arg-type]


def test_a_crashed_poller_of_this_process_space_is_recognised() -> None:
    me = leases.poller_id("box", 200, "space1", "n2")
    alive = {150}.__contains__
    assert leases.crashed_neighbour(leases.poller_id("box", 100, "space1", "n1"), me, alive)
    assert not leases.crashed_neighbour(leases.poller_id("box", 150, "space1", "n1"), me, alive)
    # Another machine or container (pids mean other processes there), or not an id we made.
    assert not leases.crashed_neighbour(leases.poller_id("box", 100, "space2", "n1"), me, alive)
    assert not leases.crashed_neighbour(leases.poller_id("other", 100, "space1", "n1"), me, alive)
    assert not leases.crashed_neighbour("b", me, alive)
    assert not leases.crashed_neighbour(me, me, alive)


# -- the SQL on both engines -------------------------------------------------------------------
async def _server(port: int = 3493) -> int:
    return (await NutServer.create(host="127.0.0.1", port=port)).id


async def test_claim_renew_and_takeover_after_expiry(db: Settings) -> None:
    sid = await _server()
    now = utcnow()
    assert await lease_store.claim(sid, "a", now, 10)
    assert not await lease_store.claim(sid, "b", now + timedelta(seconds=9), 10)
    assert await lease_store.renew("a", now + timedelta(seconds=5), 10) == {sid}
    # Renewed at +5 s: still a's at +14 s, free at +15 s.
    assert not await lease_store.claim(sid, "b", now + timedelta(seconds=14), 10)
    assert await lease_store.claim(sid, "b", now + timedelta(seconds=15), 10)
    lease = await PollerLease.get(nut_server_id=sid)
    assert lease.poller_id == "b"
    assert lease.acquired_at == now + timedelta(seconds=15)
    assert await lease_store.renew("a", now + timedelta(seconds=16), 10) == set()
    assert (await lease_store.holders())[sid][0] == "b"
    await lease_store.release("b")
    assert await lease_store.claim(sid, "a", now + timedelta(seconds=16), 10)


async def test_concurrent_claimers_give_exactly_one_owner(db: Settings) -> None:
    sids = [await _server(3000 + i) for i in range(3)]
    now = utcnow()
    for round_ in range(5):  # a free lease, then an expired one, each raced by eight claimers
        at = now + timedelta(seconds=20 * round_)
        for sid in sids:
            won = await asyncio.gather(
                *(lease_store.claim(sid, f"p{round_}-{i}", at, 10) for i in range(8))
            )
            assert sum(won) == 1, won
            owner = (await PollerLease.get(nut_server_id=sid)).poller_id
            assert owner == f"p{round_}-{won.index(True)}"


async def test_a_write_after_the_lease_was_taken_over_stores_nothing(db: Settings) -> None:
    ids = await add_server("127.0.0.1", 3493, ["u"])
    sid = (await NutServer.get(port=3493)).id
    now = utcnow()
    assert await lease_store.claim(sid, "old", now - timedelta(seconds=20), 10)  # expired
    assert await lease_store.claim(sid, "new", now, 10)
    rows = await load_rows([ids["u"]])
    row = rows[ids["u"]]
    row.variables, row.status_tokens = {"ups.status": "OB"}, "OB"
    event = Event(ups_id=ids["u"], kind="on_battery", occurred_at=now, details={})
    stale = SweepWrite(
        at=now,
        changes=[RowChange(row, True, False)],
        events=[event],
        lease=lease_store.Guard(sid, "old", 10),
    )
    with pytest.raises(lease_store.LeaseLost):
        await write_sweep(stale)
    assert await Event.all().count() == 0
    assert (await UpsLiveState.get(ups_id=ids["u"])).status_tokens == ""
    # Freshness alone is guarded too (it skips the transaction when unguarded).
    alone = SweepWrite(at=now, attempted=[ids["u"]], lease=lease_store.Guard(sid, "old", 10))
    with pytest.raises(lease_store.LeaseLost):
        await write_sweep(alone)
    assert (await UpsLiveState.get(ups_id=ids["u"])).last_attempt_at is None
    # The holder's write goes through and renews the lease.
    stale.lease = lease_store.Guard(sid, "new", 30)
    await write_sweep(stale)
    assert await kinds(ids["u"]) == ["on_battery"]
    assert (await PollerLease.get(nut_server_id=sid)).expires_at == now + timedelta(seconds=30)


# -- two pollers in one process ------------------------------------------------------------------
async def test_handover_between_pollers_neither_repeats_nor_misses(
    db: Settings, nut: RealNut
) -> None:
    ids = await add_nut(nut)
    u = ids["ups1"]
    fast = replace(db, poller_lease_seconds=1.5)
    a, b = Poller(fast), Poller(fast)
    try:
        await a.sweep_once()
        await b.sweep_once()
        assert set(a.servers) == {(await NutServer.get(port=nut.port)).id}
        assert b.servers == {}  # held by a
        nut.set_status("ups1", "OB")
        await sweep_until(a, lambda: _status(u, "OB"), interval=0.3)
        assert await kinds(u) == ["on_battery"]
        # a stops renewing (hung); b takes over once the lease has expired.
        await asyncio.sleep(1.6)
        await b.sweep_once()
        assert set(b.servers) == set(a.servers)
        nut.set_status("ups1", "OL")
        # a wakes up: it finds its lease gone, drops the server and writes nothing more.
        await a.sweep_once()
        assert a.servers == {}
        await sweep_until(b, lambda: _kinds_are(u, ["on_battery", "online"]), interval=0.3)
        for _ in range(4):
            await asyncio.gather(a.sweep_once(), b.sweep_once())
            await asyncio.sleep(0.2)
        assert await kinds(u) == ["on_battery", "online"]
        assert a.servers == {}
    finally:
        await a.close()
        await b.close()


async def test_a_poller_that_cannot_reach_the_database_stops_polling_before_expiry(
    db: Settings, nut: RealNut
) -> None:
    await add_nut(nut)
    p = Poller(replace(db, poller_lease_seconds=1.5))
    try:
        await p.sweep_once()
        (server,) = p.servers.values()
        assert server.client.connected
        await asyncio.sleep(1.1)  # past two thirds of the lease without a renewal
        result = await server.poll_once()
        assert not result.polled and not server.client.connected
    finally:
        await p.close()


async def test_clean_stop_releases_leases_and_heartbeat(db: Settings, nut: RealNut) -> None:
    await add_nut(nut)
    p = Poller(db)
    await p.sweep_once()
    assert await PollerLease.filter(poller_id=p.id).count() == 1
    rows = await lease_store.dialect.fetch("SELECT id, sites FROM pollers")
    assert [r["id"] for r in rows] == [p.id]
    await p.close()
    assert await PollerLease.all().count() == 0
    assert await lease_store.dialect.fetch("SELECT id FROM pollers") == []


async def test_a_poller_restarted_after_a_crash_takes_its_servers_back_at_once(
    db: Settings,
) -> None:
    """The single container: supervisord restarts a poller that was killed. Its old leases
    (same host and process space, a pid that is gone) are taken at once, not after 15 s; a
    lease of a live poller on this host, or of one elsewhere, is left alone."""
    first, second, third = [await _server(port) for port in (4000, 4001, 4002)]
    space, now = lease_store.process_space(), utcnow()
    crashed = leases.poller_id(socket.gethostname(), _dead_pid(), space, "old1")
    neighbour = leases.poller_id(socket.gethostname(), os.getppid(), space, "live")
    elsewhere = leases.poller_id("another-box", _dead_pid(), "space-of-another", "far")
    for sid, holder in ((first, crashed), (second, neighbour), (third, elsewhere)):
        assert await lease_store.claim(sid, holder, now, 60)
    restarted = Poller(db)
    try:
        await restarted.sweep_once()
        holders = await lease_store.holders()
        assert holders[first][0] == restarted.id  # the crashed poller's: taken at once
        assert holders[second][0] == neighbour and holders[third][0] == elsewhere
        assert set(restarted.servers) == {first}
    finally:
        await restarted.close()


def _dead_pid() -> int:
    """A pid that no process has: a child that has exited and been reaped."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


async def _status(ups_id: int, tokens: str) -> bool:
    return (await live(ups_id)).status_tokens == tokens


async def _kinds_are(ups_id: int, expected: list[str]) -> bool:
    return await kinds(ups_id) == expected


async def test_poller_sites_take_only_their_servers_and_follow_a_site_change(
    db: Settings,
) -> None:
    await add_server("127.0.0.1", 1, [])
    await add_server("127.0.0.1", 2, [])
    await NutServer.filter(port=1).update(site="paris")
    await NutServer.filter(port=2).update(site="lyon")
    sid_paris = (await NutServer.get(port=1)).id
    sid_lyon = (await NutServer.get(port=2)).id
    only_paris = Poller(replace(db, poller_sites=("paris",)))
    every = Poller(db)
    try:
        await only_paris.sweep_once()
        await every.sweep_once()
        assert set(only_paris.servers) == {sid_paris}
        assert set(every.servers) == {sid_lyon}  # paris was taken already
        # Lyon's server moves to paris: every keeps it (it takes all sites).
        await NutServer.filter(id=sid_lyon).update(site="paris")
        await add_server("127.0.0.1", 3, [])  # bumps the configuration counter
        await only_paris.sweep_once()
        await every.sweep_once()
        assert set(only_paris.servers) == {sid_paris}
        assert sid_lyon in every.servers
        # Paris's server leaves paris: only_paris gives its lease back, every takes it.
        await NutServer.filter(id=sid_paris).update(site=None)
        await add_server("127.0.0.1", 4, [])
        await only_paris.sweep_once()
        await every.sweep_once()
        assert only_paris.servers == {}
        assert sid_paris in every.servers
    finally:
        await only_paris.close()
        await every.close()


async def test_a_running_poller_whose_lease_is_taken_stops_writing_at_once(
    db: Settings, nut: RealNut
) -> None:
    ids = await add_nut(nut)
    sid = (await NutServer.get(port=nut.port)).id
    p = Poller(db)
    stop = asyncio.Event()
    task = asyncio.create_task(p.run(stop))
    try:
        for _ in range(100):
            if (await live(ids["ups1"])).last_attempt_at is not None:
                break
            await asyncio.sleep(0.05)
        client = p.servers[sid].client
        # Another poller holds it now (as after a takeover this one did not see yet).
        later = utcnow() + timedelta(seconds=60)
        await PollerLease.filter(nut_server_id=sid).update(poller_id="other", expires_at=later)
        await asyncio.sleep(1.5)
        assert sid not in p.servers and not client.connected
        before = await live(ids["ups1"])
        nut.set_status("ups1", "OB")
        await asyncio.sleep(2.5)
        after = await live(ids["ups1"])
        assert after.last_attempt_at == before.last_attempt_at
        assert await kinds(ids["ups1"]) == []
        assert (await PollerLease.get(nut_server_id=sid)).poller_id == "other"
    finally:
        stop.set()
        await task
