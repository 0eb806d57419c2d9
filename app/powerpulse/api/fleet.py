"""Which pollers and api instances run, as their heartbeat rows say: `/api/system/status`, and
the NUT servers whose site no live poller covers (`pollerMissing`).

A poller is alive while its heartbeat is younger than one lease (`powerpulse.poller.leases`);
it renews it about every second, so a dead one shows within the lease time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from powerpulse.api import instance
from powerpulse.config import Settings
from powerpulse.db.models import ApiInstance, NutServer, Poller, PollerLease
from powerpulse.poller import leases
from powerpulse.timeutil import iso, utcnow


def lease_of(settings: Settings) -> float:
    return leases.lease_seconds(settings.poll_interval, settings.poller_lease_seconds)


async def live_poller_sites(settings: Settings) -> list[list[str]]:
    """The POLLER_SITES of every live poller ([] takes every site)."""
    now, lease = utcnow(), lease_of(settings)
    return [
        list(p.sites or []) for p in await Poller.all() if leases.alive(p.heartbeat_at, now, lease)
    ]


async def poller_missing(settings: Settings, servers: Iterable[NutServer]) -> dict[int, bool]:
    """Server id → True when no live poller takes that server's site."""
    servers = list(servers)
    live = await live_poller_sites(settings)
    uncovered = leases.uncovered_sites([s.site for s in servers], live)
    return {s.id: s.site in uncovered for s in servers}


async def status(settings: Settings) -> dict[str, Any]:
    now, lease = utcnow(), lease_of(settings)
    held: dict[str, list[dict[str, Any]]] = {}
    for row in await PollerLease.all().order_by("nut_server_id").prefetch_related("nut_server"):
        server = row.nut_server
        held.setdefault(row.poller_id, []).append(
            {
                "nutServerId": server.id,
                "host": server.host,
                "port": server.port,
                "site": server.site,
                "expiresAt": iso(row.expires_at),
            }
        )
    pollers = [
        {
            "id": p.id,
            "host": p.host,
            "pid": p.pid,
            "sites": list(p.sites or []),
            "leases": held.get(p.id, []),
            "startedAt": iso(p.started_at),
            "lastHeartbeat": iso(p.heartbeat_at),
            "alive": leases.alive(p.heartbeat_at, now, lease),
        }
        for p in await Poller.all().order_by("started_at", "id")
    ]
    apis = [
        {
            "id": a.id,
            "host": a.host,
            "pid": a.pid,
            "startedAt": iso(a.started_at),
            "lastHeartbeat": iso(a.heartbeat_at),
            "alive": instance.alive(a.heartbeat_at, now),
        }
        for a in await ApiInstance.all().order_by("started_at", "id")
    ]
    return {"leaseSeconds": lease, "pollers": pollers, "apiInstances": apis}
