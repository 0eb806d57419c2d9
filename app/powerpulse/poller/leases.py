"""Who polls which NUT server: the pure rules of poller leases (no I/O, no clock).

Any number of poller processes share one database. Each NUT server is polled by the one poller
that holds its lease row (`poller_leases`); the holder renews it every tick and loses it when it
stops renewing for `lease_seconds`, after which any poller that covers the server's site takes
it over. SQL lives in `powerpulse.poller.lease_store`.

Clock: lease times are UTC datetimes written by the pollers themselves, not the database's
clock, so every poller host must keep NTP time (a skew of a few seconds eats into the lease).
A poller stops polling a server on its own monotonic deadline, a safety margin before the
lease it wrote runs out, so it never writes after another may have taken over.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

# Production floor: a poller that is slow for a few seconds (GC, a busy database) must not
# lose its servers; tests lower it with POLLER_LEASE_SECONDS.
MIN_LEASE_SECONDS = 15.0
LEASE_POLLS = 3
# A takeover needs, after the lease ran out, one claim tick of the next poller (≤ 1 s, see
# renew_every) and its first poll; the lease is this much shorter than the failover window so
# that the dead poller's servers are polled again within the window, not just claimable.
TAKEOVER_SLACK = 1.5
# Stop polling this share of the lease before it would expire (a renewal that hangs).
STOP_MARGIN_SHARE = 1 / 3
SITE_MAX = 64
SITE_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def failover_window(poll_interval: float) -> float:
    """The promise: a poller that dies or is cut off has its servers polled by another within
    max(15 s, 3 x POLL_INTERVAL)."""
    return max(MIN_LEASE_SECONDS, LEASE_POLLS * poll_interval)


def lease_seconds(poll_interval: float, override: float | None = None) -> float:
    """How long a lease lasts without renewal: the failover window less the takeover's own
    time (13.5 s at the default 5 s interval), unless the test-only override is set."""
    if override:
        return float(override)
    return failover_window(poll_interval) - TAKEOVER_SLACK


def renew_every(poll_interval: float, lease: float) -> float:
    """How often a poller renews: at least five times per lease, at most once a poll (≤ 1 s)."""
    return min(poll_interval, 1.0, lease / 5)


def expires_at(now: datetime, lease: float) -> datetime:
    return now + timedelta(seconds=lease)


def is_expired(expires: datetime, now: datetime) -> bool:
    return expires <= now


def may_claim(holder: str | None, expires: datetime | None, me: str, now: datetime) -> bool:
    """A lease may be taken when nobody holds it, it is ours, or it has expired."""
    return holder is None or holder == me or expires is None or is_expired(expires, now)


def stop_deadline(renewed_at: float, lease: float) -> float:
    """The monotonic time after which a poller must stop polling a server whose last renewal
    started at `renewed_at` (monotonic): before the lease it wrote then runs out."""
    return renewed_at + lease * (1 - STOP_MARGIN_SHARE)


def poller_id(host: str, pid: int, process_space: str, nonce: str) -> str:
    """A poller's id: host, pid, the process space it runs in (see `same_process_space`) and a
    nonce, so a restarted poller with a recycled pid is still another poller."""
    return f"{host[:60]}:{pid}:{process_space}:{nonce}"


def crashed_neighbour(holder: str, me: str, pid_alive: Callable[[int], bool]) -> bool:
    """Is `holder` a poller that ran in this poller's process space (same host, same boot, same
    pid namespace, so its pid means the same process here) and whose process is gone?

    Then its leases are dead now, not in a lease: a poller that crashed and was restarted (by
    supervisord in the single container) takes its servers back at once instead of leaving them
    unpolled for 15 s. Only a dead pid counts, so a live neighbour (two pollers on one host) is
    never robbed, and a holder from another machine or container never matches.
    """
    theirs, mine = holder.split(":"), me.split(":")
    if len(theirs) != 4 or len(mine) != 4 or theirs == mine:
        return False
    same_space = theirs[0] == mine[0] and theirs[2] == mine[2]
    if not same_space or not theirs[1].isdigit() or theirs[1] == mine[1]:
        return False
    return not pid_alive(int(theirs[1]))


def covers(sites: Sequence[str], site: str | None) -> bool:
    """Does a poller started with POLLER_SITES=`sites` take a server of `site`? Without sites it
    takes every server (all sites and none); with sites only those sites' servers."""
    if not sites:
        return True
    return site is not None and site in sites


def wanted(servers: Iterable[tuple[int, str | None]], sites: Sequence[str]) -> set[int]:
    """The ids of the (id, site) servers a poller with `sites` should hold."""
    return {server_id for server_id, site in servers if covers(sites, site)}


def check_site(value: str) -> str:
    """A site name: 1 to 64 letters, digits, `.`, `-` or `_`; ValueError otherwise."""
    if not SITE_PATTERN.match(value):
        raise ValueError("a site is 1 to 64 letters, digits, '.', '-' or '_'")
    return value


def parse_sites(raw: str) -> tuple[str, ...]:
    """POLLER_SITES (`a,b`) as a tuple of checked site names, without duplicates."""
    return tuple(dict.fromkeys(check_site(s.strip()) for s in raw.split(",") if s.strip()))


def alive(heartbeat: datetime | None, now: datetime, lease: float) -> bool:
    """A poller (or api instance) is alive while its heartbeat is younger than a lease."""
    return heartbeat is not None and now - heartbeat < timedelta(seconds=lease)


def uncovered_sites(
    sites_in_use: Iterable[str | None], live_poller_sites: Iterable[Sequence[str]]
) -> set[str | None]:
    """Sites (None: servers without a site) that no live poller takes."""
    pollers = list(live_poller_sites)
    return {s for s in set(sites_in_use) if not any(covers(p, s) for p in pollers)}
