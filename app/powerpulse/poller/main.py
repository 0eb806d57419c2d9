"""`powerpulse poller`: migrations, the poll loop, the notifications dispatcher and the shutdown
engine, until SIGTERM.

SIGTERM / SIGINT set a stop flag: each server finishes the poll in flight, clients close, the
dispatcher leaves unconfirmed deliveries claimable, and the process exits within a few seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import importlib.util
import logging
import signal
from typing import Any

from powerpulse.config import Settings
from powerpulse.db.setup import close_db, init_db, run_migrations
from powerpulse.digest import sender as digest_sender
from powerpulse.outages.recorder import OutageRecorder
from powerpulse.poller.loop import Poller

log = logging.getLogger(__name__)

SHUTDOWN_GRACE = 4.0


def _dispatcher(settings: Settings) -> Any | None:
    """The notifications dispatcher when that package is installed (built by another module)."""
    name = "powerpulse.notify.dispatcher"
    if importlib.util.find_spec(name) is None:
        log.info("notifications dispatcher not available; events are stored only")
        return None
    # A broken dispatcher must fail loudly, not silently turn notifications off.
    return importlib.import_module(name).Dispatcher(settings)


def _shutdown_engine(settings: Settings) -> Any | None:
    """The shutdown plans engine; a broken import (an action type) is logged, and the poller
    keeps polling: watching the UPS matters more than any one feature on top of it."""
    try:
        from powerpulse.shutdown.engine import ShutdownEngine
    except Exception:
        log.exception("shutdown engine unavailable: shutdown plans will NOT run")
        return None
    return ShutdownEngine(settings)


def _self_test_runner(settings: Settings) -> Any | None:
    """Scheduled battery self-tests (`selftest.runner`); a broken import is logged, not fatal."""
    try:
        from powerpulse.selftest.runner import SelfTestRunner
    except Exception:
        log.exception("self-test runner unavailable: scheduled battery tests will NOT run")
        return None
    return SelfTestRunner(settings)


async def serve(settings: Settings, stop: asyncio.Event) -> None:
    await run_migrations(settings)
    await init_db(settings)
    tasks: list[asyncio.Task[None]] = []
    try:
        dispatcher = _dispatcher(settings)
        engine = _shutdown_engine(settings)
        poller = Poller(
            settings,
            on_events=getattr(dispatcher, "wake", None),
            on_poll=getattr(engine, "wake", None),
        )
        if dispatcher is not None:  # its event retention follows the saved settings too
            poller.on_settings = lambda new: setattr(dispatcher, "settings", new)
        tasks.append(asyncio.create_task(poller.run(stop), name="poller"))
        if dispatcher is not None:
            tasks.append(asyncio.create_task(dispatcher.run(stop), name="dispatcher"))
        # Shutdown plans: never crashes (a broken plan is logged), so it cannot stop polling.
        if engine is not None:
            tasks.append(asyncio.create_task(engine.run(stop), name="shutdown-engine"))
        # Scheduled digest reports: written to the outbox the dispatcher delivers.
        tasks.append(asyncio.create_task(digest_sender.run(stop), name="digest-sender"))
        # Outage records from on_battery / online events: never crashes (logged, retried).
        recorder = OutageRecorder(settings.history_interval)
        tasks.append(asyncio.create_task(recorder.run(stop), name="outage-recorder"))
        if (selftests := _self_test_runner(settings)) is not None:  # never crashes either
            tasks.append(asyncio.create_task(selftests.run(stop), name="self-tests"))
        # Battery dates and age alerts: logs its failures and keeps going (never crashes).
        from powerpulse.battery.watch import BatteryWatch

        watch = BatteryWatch(on_events=getattr(dispatcher, "wake", None))
        tasks.append(asyncio.create_task(watch.run(stop), name="battery-watch"))
        log.info("poller started (every %gs)", settings.poll_interval)
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait([stopping, *tasks], return_when=asyncio.FIRST_COMPLETED)
        crashed = [t for t in tasks if t.done() and not t.cancelled() and t.exception()]
        stop.set()  # a crashed worker stops the process: supervisord restarts it cleanly
        await stopping
        _, pending = await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE)
        for task in pending:
            log.warning("%s did not stop in time; cancelling", task.get_name())
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if crashed:
            raise RuntimeError(f"{crashed[0].get_name()} crashed") from crashed[0].exception()
    finally:
        await close_db()


def run(settings: Settings) -> int:
    """Entry point of `powerpulse poller`; returns the exit status."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await serve(settings, stop)

    try:
        asyncio.run(main())
    except Exception:
        log.exception("poller crashed")
        return 1
    log.info("poller stopped")
    return 0
