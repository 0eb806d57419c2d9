"""The poller: one task per NUT server, a configuration watcher, and retention.

Step functions for tests: `Poller.reload_config()` and `Poller.sweep_once()` (every server once,
concurrently). `Poller.run(stop)` is the thin forever-shell: each server polls on its own
schedule in its own task, so a slow or dead server never delays the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from powerpulse.config import Settings
from powerpulse.history import SampleSchedule, prune_once
from powerpulse.poller.config_cache import ConfigWatcher, ServerConfig, load_config
from powerpulse.poller.live_state import load_rows
from powerpulse.poller.sweep import ClientFactory, PollResult, ServerPoller, default_client
from powerpulse.timeutil import utcnow

log = logging.getLogger(__name__)

RETENTION_EVERY = 3600.0
RETENTION_FIRST_DELAY = 30.0
STOP_GRACE = 1.5


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    if seconds <= 0:
        await asyncio.sleep(0)
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


class Poller:
    def __init__(
        self,
        settings: Settings,
        client_factory: ClientFactory = default_client,
        on_events: Callable[[], None] | None = None,
    ) -> None:
        self.settings = settings
        self.client_factory = client_factory
        self.on_events = on_events
        self.servers: dict[int, ServerPoller] = {}
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
        rows = await load_rows(u.id for s in config.values() for u in s.ups)
        for server_id in [i for i in self.servers if i not in config]:
            await self._retire(server_id)
        for server_id, server_config in config.items():
            mine = {u.id: rows[u.id] for u in server_config.ups if u.id in rows}
            if server_id in self.servers:
                self.servers[server_id].reconfigure(server_config, mine)
            else:
                self._add(server_config, mine)
        if version is not None:
            self.watcher.loaded(version)
        log.info(
            "configuration loaded: %d NUT servers, %d UPS",
            len(config),
            sum(len(s.ups) for s in config.values()),
        )
        return True

    def _add(self, config: ServerConfig, rows: dict) -> None:
        poller = ServerPoller(
            config, self.settings, rows, self.schedule, self.client_factory, self.on_events
        )
        self.servers[config.id] = poller
        if self._stop is not None:
            self._tasks[config.id] = asyncio.create_task(self._server_loop(poller))

    async def _retire(self, server_id: int) -> None:
        poller = self.servers.pop(server_id)
        log.info("NUT server %s removed from the configuration", poller.config.label)
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
        ids = list(self.servers)
        results = await asyncio.gather(*(self.servers[i].poll_once() for i in ids))
        return dict(zip(ids, results, strict=True))

    async def close(self) -> None:
        for server_id in list(self.servers):
            await self._retire(server_id)

    # -- the forever shell ------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> None:
        self._stop = stop
        await self.reload_config(force=True)  # servers added from here on get their task in _add
        for server_id, poller in self.servers.items():
            if server_id not in self._tasks:  # added before run() (e.g. by sweep_once)
                self._tasks[server_id] = asyncio.create_task(self._server_loop(poller))
        retention = asyncio.create_task(self._retention_loop(stop))
        try:
            while not stop.is_set():
                await _sleep_or_stop(stop, min(self.settings.poll_interval, 1.0))
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
        stop, interval = self._stop, self.settings.poll_interval
        next_tick = time.monotonic()
        while not stop.is_set():
            try:
                await poller.poll_once()
            except Exception:
                # A database hiccup (or a UPS deleted mid-poll): log, keep polling.
                log.exception("poll of NUT server %s failed", poller.config.label)
            next_tick += interval
            now = time.monotonic()
            if next_tick < now:  # we fell behind: skip the missed ticks instead of bursting
                next_tick = now
            await _sleep_or_stop(stop, next_tick - now)

    async def _retention_loop(self, stop: asyncio.Event) -> None:
        await _sleep_or_stop(stop, RETENTION_FIRST_DELAY)
        while not stop.is_set():
            try:
                removed = await prune_once(utcnow(), self.settings.history_retention_days)
                if any(removed.values()):
                    log.info("retention removed %s", removed)
            except Exception:
                log.exception("retention failed; trying again later")
            await _sleep_or_stop(stop, RETENTION_EVERY)
