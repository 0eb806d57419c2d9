"""The poller: one task per NUT server it holds the lease of, a configuration watcher, leases
and heartbeat, and retention.

Step functions for tests: `Poller.reload_config()`, `Poller.manage_leases()` and
`Poller.sweep_once()` (every held server once, concurrently). `Poller.run(stop)` is the thin
forever-shell: each server polls on its own schedule in its own task, so a slow or dead server
never delays the others.

Several pollers may run on one database (see `powerpulse.poller.leases`): each tick this one
renews its leases, drops at once a server whose lease it could not renew (closing its NUT
connection), claims the free or expired leases of the servers its POLLER_SITES cover, and
upserts its `pollers` row (the heartbeat). A server taken over starts from the live rows in the
database (event detection state included), so a handover neither repeats nor misses an event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable

from powerpulse import runtime_settings
from powerpulse.audit import store as audit_store
from powerpulse.config import Settings
from powerpulse.history import SampleSchedule, prune_once
from powerpulse.poller import lease_store, leases, site_watch
from powerpulse.poller.config_cache import ConfigWatcher, ServerConfig, load_config
from powerpulse.poller.live_state import load_rows
from powerpulse.poller.sweep import ClientFactory, PollResult, ServerPoller, default_client
from powerpulse.timeutil import utcnow

log = logging.getLogger(__name__)

RETENTION_EVERY = 3600.0
SITE_CHECK_EVERY = 2.0
RETENTION_FIRST_DELAY = 30.0
STOP_GRACE = 1.5


async def _sleep_or_stop(
    stop: asyncio.Event, seconds: float, wake: asyncio.Event | None = None
) -> None:
    """Sleep `seconds`, ending early when `stop` (or `wake`, when given) is set."""
    if seconds <= 0:
        await asyncio.sleep(0)
        return
    if wake is None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)
        return
    waits = [asyncio.create_task(stop.wait()), asyncio.create_task(wake.wait())]
    try:
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in waits:
            task.cancel()


class Poller:
    def __init__(
        self,
        settings: Settings,
        client_factory: ClientFactory = default_client,
        on_events: Callable[[], None] | None = None,
        on_poll: Callable[[], None] | None = None,
    ) -> None:
        self.env_settings = settings  # the environment's; `settings` adds the saved ones
        self.settings = settings
        self.on_settings: Callable[[Settings], None] | None = None
        # Set (then replaced) when the runtime settings change: sleeping server loops wake up
        # and re-time their next poll with the new interval.
        self._settings_changed = asyncio.Event()
        self.client_factory = client_factory
        self.on_events = on_events
        # Called after every poll of every server (the shutdown engine looks at once).
        self.on_poll = on_poll
        self.servers: dict[int, ServerPoller] = {}  # the servers whose lease this poller holds
        self.config: dict[int, ServerConfig] = {}  # every configured server
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.id = leases.poller_id(
            self.host, self.pid, lease_store.process_space(), secrets.token_hex(4)
        )
        self.started_at = utcnow()
        self.sites = settings.poller_sites
        self.lease = leases.lease_seconds(settings.poll_interval, settings.poller_lease_seconds)
        self.schedule = SampleSchedule(settings.history_interval)
        self.watcher = ConfigWatcher()
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._stop: asyncio.Event | None = None

    # -- configuration ----------------------------------------------------------------------
    async def reload_config(self, force: bool = False) -> bool:
        """Apply the configuration when its counter moved; True when it did."""
        version = await self.watcher.poll()
        if version is None and not force:
            return False
        config = await load_config()
        self._apply_settings(await runtime_settings.current(self.env_settings))
        self.config = config
        dropped = [i for i in self.servers if i not in config or not self._covers(config[i])]
        for server_id in dropped:
            why = "removed from the configuration" if server_id not in config else "its site moved"
            await self._retire(server_id, why)
        await lease_store.release(self.id, dropped)  # a site moved away: its poller takes it now
        rows = await load_rows(u.id for i in self.servers for u in config[i].ups)
        for server_id, poller in self.servers.items():
            mine = {u.id: rows[u.id] for u in config[server_id].ups if u.id in rows}
            poller.reconfigure(config[server_id], mine)
        if version is not None:
            self.watcher.loaded(version)
        log.info(
            "configuration loaded: %d NUT servers, %d UPS",
            len(config),
            sum(len(s.ups) for s in config.values()),
        )
        return True

    def _apply_settings(self, settings: Settings) -> None:
        """Take changed runtime settings (poll, history, discovery, retention, grace)."""
        if settings == self.settings:
            return
        old, self.settings = self.settings, settings
        log.info(
            "system settings: poll every %gs, history every %gs, discovery every %gs, "
            "%d days of history, %gs grace",
            settings.poll_interval,
            settings.history_interval,
            settings.discovery_interval,
            settings.history_retention_days,
            settings.comm_grace_seconds,
        )
        self.schedule.interval = settings.history_interval
        if settings.poll_interval != old.poll_interval:
            self.lease = leases.lease_seconds(settings.poll_interval, settings.poller_lease_seconds)
        for server_id, poller in self.servers.items():
            poller.apply_settings(settings)
            poller.lease_guard = lease_store.Guard(server_id, self.id, self.lease)
        if self.on_settings is not None:
            self.on_settings(settings)
        self._settings_changed.set()
        self._settings_changed = asyncio.Event()

    def _covers(self, config: ServerConfig) -> bool:
        return leases.covers(self.sites, config.site)

    # -- leases and heartbeat ---------------------------------------------------------------
    async def manage_leases(self) -> None:
        """Heartbeat, renew what is held (dropping what could not be renewed), claim what is
        free; servers are added and retired accordingly. Raises when the database failed, after
        stopping every server (we cannot know we still hold them)."""
        started, now = time.monotonic(), utcnow()
        try:
            await lease_store.heartbeat(
                self.id, self.host, self.pid, self.sites, self.started_at, now
            )
            held = await lease_store.renew(self.id, now, self.lease)
        except Exception:
            for server_id in list(self.servers):
                await self._retire(server_id, "its lease could not be renewed")
            raise
        for server_id in [i for i in self.servers if i not in held]:
            await self._retire(server_id, "its lease was lost (taken over or expired)")
        deadline = leases.stop_deadline(started, self.lease)
        for server_id in held & set(self.servers):
            self.servers[server_id].stop_at = deadline
        wanted = leases.wanted(((c.id, c.site) for c in self.config.values()), self.sites)
        stray = held - wanted - set(self.servers)
        if stray:  # held in the database but not polled here (e.g. a site changed meanwhile)
            await lease_store.release(self.id, stray)
        missing = wanted - set(self.servers)
        if not missing:
            return
        taken = await lease_store.holders()
        for server_id in sorted(missing):
            holder, expires = taken.get(server_id, (None, None))
            if holder is not None and leases.crashed_neighbour(
                holder, self.id, lease_store.pid_alive
            ):
                if not await lease_store.take_over(server_id, holder, self.id, now, self.lease):
                    continue  # another poller was quicker
                log.info("NUT server %s: poller %s is gone, taking it now", server_id, holder)
            elif not leases.may_claim(holder, expires, self.id, now):
                continue
            elif not await lease_store.claim(server_id, self.id, now, self.lease):
                continue  # another poller was quicker
            config = self.config[server_id]
            # Loaded after the claim: the previous holder can no longer write, so these rows
            # (event detection state included) are the last it stored.
            rows = await load_rows(u.id for u in config.ups)
            log.info("NUT server %s: lease taken by poller %s", config.label, self.id)
            self._add(config, rows)
            self.servers[server_id].stop_at = deadline

    async def check_sites(self) -> None:
        """Alert once for each site no live poller takes (see `site_watch`)."""
        try:
            await site_watch.check_once((c.site for c in self.config.values()), self.lease)
        except Exception:
            log.exception("could not check which sites have a poller; trying again later")

    def _add(self, config: ServerConfig, rows: dict) -> None:
        poller = ServerPoller(
            config, self.settings, rows, self.schedule, self.client_factory, self.on_events
        )
        poller.lease_guard = lease_store.Guard(config.id, self.id, self.lease)
        self.servers[config.id] = poller
        if self._stop is not None:
            self._tasks[config.id] = asyncio.create_task(self._server_loop(poller))

    async def _retire(self, server_id: int, why: str) -> None:
        poller = self.servers.pop(server_id)
        log.info("NUT server %s: no longer polled here, %s", poller.config.label, why)
        task = self._tasks.pop(server_id, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for ups_id in list(poller.rows):
            self.schedule.forget(ups_id)
        await poller.close()

    # -- step functions ---------------------------------------------------------------------
    async def sweep_once(self) -> dict[int, PollResult]:
        """Reload the configuration if it changed, then poll every server once, concurrently."""
        await self.reload_config()
        await self.manage_leases()
        ids = list(self.servers)
        results = await asyncio.gather(*(self.servers[i].poll_once() for i in ids))
        return dict(zip(ids, results, strict=True))

    async def close(self) -> None:
        """Stop polling, give the leases back and remove the heartbeat (a clean stop: another
        poller takes the servers at once instead of after the lease time)."""
        for server_id in list(self.servers):
            await self._retire(server_id, "the poller is stopping")
        try:
            await lease_store.release(self.id)
            await lease_store.gone(self.id)
        except Exception:  # the leases then lapse on their own
            log.warning("could not release the leases of poller %s", self.id, exc_info=True)

    # -- the forever shell ------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> None:
        self._stop = stop
        await self.reload_config(force=True)  # servers added from here on get their task in _add
        for server_id, poller in self.servers.items():
            if server_id not in self._tasks:  # added before run() (e.g. by sweep_once)
                self._tasks[server_id] = asyncio.create_task(self._server_loop(poller))
        retention = asyncio.create_task(self._retention_loop(stop))
        site_check_due = time.monotonic() + self.lease  # let the other pollers start first
        log.info("poller %s: sites %s, lease %g s", self.id, list(self.sites) or "all", self.lease)
        try:
            while not stop.is_set():
                try:
                    await self.manage_leases()
                except Exception:
                    log.exception("could not renew or claim leases; polling nothing until it works")
                if time.monotonic() >= site_check_due:
                    site_check_due = time.monotonic() + SITE_CHECK_EVERY
                    await self.check_sites()
                tick = leases.renew_every(self.settings.poll_interval, self.lease)
                await _sleep_or_stop(stop, tick)
                if stop.is_set():
                    break
                try:
                    await self.reload_config()
                except Exception:
                    log.exception("could not reload the configuration; keeping the old one")
        finally:
            # Server loops see `stop` and finish the poll in flight, then exit. A poll stuck on a
            # silent server (up to NUT_TIMEOUT) is cut after STOP_GRACE: cancelling drops its
            # connection and rolls back its transaction, and the next start polls again.
            tasks = list(self._tasks.values())
            if tasks:
                _, stuck = await asyncio.wait(tasks, timeout=STOP_GRACE)
                for task in stuck:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
            retention.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await retention
            self._tasks.clear()
            await self.close()

    async def _server_loop(self, poller: ServerPoller) -> None:
        assert self._stop is not None
        stop = self._stop
        next_tick = time.monotonic()
        while not stop.is_set():
            started = next_tick
            try:
                await poller.poll_once()
            except lease_store.LeaseLost:
                # Taken over meanwhile: touch the server no more; the next lease tick retires it.
                log.warning("NUT server %s: lease lost, stopping", poller.config.label)
                poller.stop_at = 0.0
                await poller.close()
            except Exception:
                # A database hiccup (or a UPS deleted mid-poll): log, keep polling.
                log.exception("poll of NUT server %s failed", poller.config.label)
            if self.on_poll is not None:
                self.on_poll()
            while not stop.is_set():
                # Read each time: a changed interval re-times the sleep in progress.
                wake = self._settings_changed
                next_tick = started + self.settings.poll_interval
                now = time.monotonic()
                if next_tick <= now:  # we fell behind: skip the missed ticks, no burst
                    next_tick = now
                    break
                await _sleep_or_stop(stop, next_tick - now, wake)
                if not wake.is_set():
                    break

    async def _retention_loop(self, stop: asyncio.Event) -> None:
        await _sleep_or_stop(stop, RETENTION_FIRST_DELAY)
        while not stop.is_set():
            try:
                now = utcnow()
                removed = await prune_once(now, self.settings.history_retention_days)
                removed["audit"] = await audit_store.prune(now, self.settings.audit_retention_days)
                if any(removed.values()):
                    log.info("retention removed %s", removed)
            except Exception:
                log.exception("retention failed; trying again later")
            await _sleep_or_stop(stop, RETENTION_EVERY)
