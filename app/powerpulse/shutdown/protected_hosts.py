"""The hosts that must stay protected by each UPS, from the database, their names resolved.

Two sources (`shutdown.coverage.Source`): the operator's `ProtectedHost` rows and the
`protected_hosts` of every enabled shutdown plan. upsd lists clients by IP address, so a host
written as a name is resolved to its addresses off the event loop (`loop.getaddrinfo`, which
runs the blocking resolver in the default executor), under a timeout, and cached: the poller
and the api worker ask again at most every `Resolver.ttl` seconds per name, and a lookup that
fails keeps the last good answer (a DNS hiccup must not look like every host leaving).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Callable, Collection, Iterable

from powerpulse.db.models import ProtectedHost, ShutdownPlan
from powerpulse.shutdown import coverage
from powerpulse.shutdown.coverage import OPERATOR, PLAN, Expected, Source

log = logging.getLogger(__name__)

RESOLVE_TTL = 300.0  # seconds a resolved name is trusted
FAILED_TTL = 30.0  # seconds before a name that did not resolve is tried again
RESOLVE_TIMEOUT = 2.0

Entries = dict[int, list[tuple[str, Source]]]


class Resolver:
    """Host name → its addresses (normalised), cached. One per process is enough."""

    def __init__(
        self,
        ttl: float = RESOLVE_TTL,
        failed_ttl: float = FAILED_TTL,
        timeout: float = RESOLVE_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl, self.failed_ttl, self.timeout, self.clock = ttl, failed_ttl, timeout, clock
        self._cache: dict[str, tuple[float, frozenset[str] | None]] = {}
        self._last_good: dict[str, frozenset[str]] = {}
        self._pending: dict[str, asyncio.Task[frozenset[str] | None]] = {}

    async def addresses(self, host: str) -> frozenset[str] | None:
        """What `host` stands for: itself when it is an address; None when a name never
        resolved."""
        key = coverage.host_key(host)
        if coverage.is_address(key):
            return frozenset({key})
        now = self.clock()
        cached = self._cache.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        found = await self._lookup(key)
        if found:
            self._last_good[key] = found
            self._cache[key] = (now + self.ttl, found)
            return found
        kept = self._last_good.get(key)
        self._cache[key] = (now + self.failed_ttl, kept)
        return kept

    def known(self, host: str) -> frozenset[str] | None:
        """What `host` stands for without waiting: the cached answer (None while a name was
        never resolved), a lookup started in the background when it is stale. The poller
        uses this: a slow resolver must never hold a poll up."""
        key = coverage.host_key(host)
        if coverage.is_address(key):
            return frozenset({key})
        cached = self._cache.get(key)
        if (cached is None or cached[0] <= self.clock()) and key not in self._pending:
            task = asyncio.get_running_loop().create_task(self.addresses(key))
            self._pending[key] = task
            task.add_done_callback(lambda _t: self._pending.pop(key, None))
        return cached[1] if cached is not None else self._last_good.get(key)

    async def _lookup(self, name: str) -> frozenset[str] | None:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.timeout):
                infos = await loop.getaddrinfo(name, None, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError, ValueError, TimeoutError) as err:
            log.info("protected host %s does not resolve: %s", name, err)
            return None
        found = {coverage.normalise(str(info[4][0])) for info in infos}
        return frozenset(a for a in found if a is not None) or None

    def forget(self) -> None:
        self._cache.clear()


async def plan_entries(ups_ids: Collection[int] | None = None) -> Entries:
    """The hosts enabled plans say must be protected, per UPS."""
    try:  # the action registry: only when needed, and a broken action type costs only this
        from powerpulse.shutdown.plan import load_plan
    except Exception:
        log.exception("shutdown plans cannot be read: their protected hosts are not watched")
        return {}
    out: Entries = {}
    for row in await ShutdownPlan.filter(enabled=True).order_by("id"):
        try:
            plan = load_plan(row.definition or {})
        except Exception as err:  # a stored plan this version cannot read: not its hosts
            log.warning("shutdown plan %s cannot be read for its protected hosts: %s", row.id, err)
            continue
        if not plan.enabled:
            continue
        for item in plan.protected_hosts:
            if ups_ids is None or item.ups_id in ups_ids:
                source = Source(PLAN, plan_id=row.id, plan_name=row.name)
                out.setdefault(item.ups_id, []).append((item.host, source))
    return out


async def operator_entries(ups_ids: Collection[int] | None = None) -> Entries:
    query = ProtectedHost.all().order_by("id")
    if ups_ids is not None:
        query = query.filter(ups_id__in=list(ups_ids))
    out: Entries = {}
    for row in await query:
        source = Source(OPERATOR, label=row.label or "", host_id=row.id)
        out.setdefault(row.ups_id, []).append((row.host, source))  # type: ignore[attr-defined]
    return out


async def load_entries(ups_ids: Collection[int] | None = None) -> Entries:
    """Both sources, the operator's first."""
    out = await operator_entries(ups_ids)
    for ups_id, items in (await plan_entries(ups_ids)).items():
        out.setdefault(ups_id, []).extend(items)
    return out


async def resolve(entries: Iterable[tuple[str, Source]], resolver: Resolver) -> list[Expected]:
    """The expected hosts of one UPS, one per `host_key`, their names resolved (waiting for
    the resolver, up to its timeout)."""
    merged = coverage.merge(entries)
    found = await asyncio.gather(*(resolver.addresses(h) for h in merged))
    return [
        Expected(host, addresses, tuple(sources))
        for (host, sources), addresses in zip(merged.items(), found, strict=True)
    ]


def resolve_now(entries: Iterable[tuple[str, Source]], resolver: Resolver) -> list[Expected]:
    """The same from the resolver's cache, without waiting (`Resolver.known`)."""
    return [
        Expected(host, resolver.known(host), tuple(sources))
        for host, sources in coverage.merge(entries).items()
    ]
