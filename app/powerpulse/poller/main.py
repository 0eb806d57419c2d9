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
from collections.abc import Callable
from typing import Any

from powerpulse.config import Settings
from powerpulse.db.setup import close_db, init_db, run_migrations
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


def _optional(feature: str, build: Callable[[], Any]) -> Any | None:
    """A worker on top of polling, or None when its code fails to import or start: that is
    logged, and the poller keeps polling (watching the UPS matters more than any one feature
    on top of it). Each worker's `run` never crashes either: it logs and retries."""
    try:
        return build()
    except Exception:
        log.exception("%s unavailable: it will NOT run", feature)
        return None


def _shutdown_engine(settings: Settings) -> Any:
    from powerpulse.shutdown.engine import ShutdownEngine

    return ShutdownEngine(settings)


def _self_test_runner(settings: Settings) -> Any:
    from powerpulse.selftest.runner import SelfTestRunner

    return SelfTestRunner(settings)


def _outage_recorder(settings: Settings) -> Any:
    from powerpulse.outages.recorder import OutageRecorder

    return OutageRecorder(settings.history_interval)


def _digest_sender() -> Any:
    from powerpulse.digest import sender

    return sender  # a module: its `run` writes due digests to the outbox


def _battery_watch(settings: Settings, on_events: Callable[[], None] | None) -> Any:
    from powerpulse.battery.watch import BatteryWatch

    return BatteryWatch(on_events=on_events)


def _mqtt_publisher(settings: Settings) -> Any:
    if settings.mqtt is None:
        return None
    from powerpulse.mqtt.publisher import MqttPublisher

    return MqttPublisher(settings, settings.mqtt)


async def serve(settings: Settings, stop: asyncio.Event) -> None:
    await run_migrations(settings)
    await init_db(settings)
    tasks: list[asyncio.Task[None]] = []
    try:
        dispatcher = _dispatcher(settings)
        wake = getattr(dispatcher, "wake", None)
        engine = _optional("shutdown engine", lambda: _shutdown_engine(settings))
        poller = Poller(
            settings,
            on_events=wake,
            on_poll=getattr(engine, "wake", None),
        )
        if dispatcher is not None:  # its event retention follows the saved settings too
            poller.on_settings = lambda new: setattr(dispatcher, "settings", new)
        tasks.append(asyncio.create_task(poller.run(stop), name="poller"))
        if dispatcher is not None:
            tasks.append(asyncio.create_task(dispatcher.run(stop), name="dispatcher"))
        workers = {
            "shutdown-engine": engine,  # shutdown plans
            "digest-sender": _optional("digest sender", _digest_sender),
            "outage-recorder": _optional("outage recorder", lambda: _outage_recorder(settings)),
            "self-tests": _optional("self-test runner", lambda: _self_test_runner(settings)),
            "battery-watch": _optional("battery watch", lambda: _battery_watch(settings, wake)),
            "mqtt-publisher": _optional("MQTT publisher", lambda: _mqtt_publisher(settings)),
        }
        for name, worker in workers.items():
            if worker is not None:
                tasks.append(asyncio.create_task(worker.run(stop), name=name))
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
