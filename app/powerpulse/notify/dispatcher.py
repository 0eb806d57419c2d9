"""The notification worker: events → outbox → channels, as step functions plus a thin loop.

`fan_out_once()` turns undispatched `Event` rows into history rows and deliveries (one
transaction per event, claimed with a conditional update so two dispatchers never fan out the
same event). `deliver_due_once()` claims due deliveries and sends each in its own task under a
per-attempt timeout, so a hanging webhook delays nobody else. `run(stop)` repeats both; it runs
inside the poller process, which may call `wake()` right after writing events.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType

import aiohttp
import orjson
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from powerpulse.config import Settings
from powerpulse.db.models import (
    ROLE_ADMIN,
    Alert,
    Drill,
    Event,
    NotificationChannel,
    NotificationDelivery,
    NotificationLog,
    UpsSystem,
    User,
)
from powerpulse.notify import alerts, outbox, routing, smtp
from powerpulse.notify.channels import KINDS, ConfigError, Context, DeliveryResult, Transport
from powerpulse.notify.messages import Notice, extra_from_details, readings_from_details
from powerpulse.timeutil import utcnow

log = logging.getLogger(__name__)

ATTEMPT_TIMEOUT = 10.0
# A claim outlives the attempt it covers, so only a dead sender's claim ever lapses.
CLAIM_MARGIN = 5.0
TICK = 0.25
BATCH = 50
# On stop, deliveries in flight get this long (inside the poller's own shutdown grace); the rest
# keep their claim and are re-sent after the next start.
STOP_GRACE = 3.0
PRUNE_EVERY = 3600.0
ALERT_SWEEP_EVERY = 5.0  # clear alerts whose condition ended, send due reminders

ups_display_name = alerts.ups_display_name


def notice_for_event(event: Event, ups: UpsSystem) -> Notice:
    details = event.details if isinstance(event.details, dict) else {}
    r = readings_from_details(details)
    return Notice(
        kind=event.kind,
        ups_name=ups_display_name(ups),
        status=event.new_status,
        previous_status=event.previous_status,
        occurred_at=event.occurred_at,
        charge=r["charge"],
        runtime_seconds=r["runtime_seconds"],
        load=r["load"],
        extra=extra_from_details(event.kind, details),
        ups_id=ups.id,
    )


@dataclass(frozen=True)
class Outcome:
    """What one delivery ended as, for API answers."""

    channel: str
    state: str
    error: str | None
    attempts: int
    delivery_id: int = 0

    @property
    def ok(self) -> bool:
        return self.state == outbox.DELIVERED


class Dispatcher:
    def __init__(
        self,
        settings: Settings,
        *,
        attempt_timeout: float = ATTEMPT_TIMEOUT,
        claim_margin: float = CLAIM_MARGIN,
        tick: float = TICK,
        batch: int = BATCH,
        tls_context: ssl.SSLContext | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.attempt_timeout = attempt_timeout
        self.lease = attempt_timeout + claim_margin
        self.tick = tick
        self.batch = batch
        self.tls_context = tls_context
        self.clock = clock
        self._session: aiohttp.ClientSession | None = None
        self._wake = asyncio.Event()

    async def __aenter__(self) -> Dispatcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def wake(self) -> None:
        """Look for new events now instead of at the next tick."""
        self._wake.set()

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    # --- fan-out ---------------------------------------------------------------------------

    async def fan_out_once(self) -> int:
        """Fan out every undispatched event; returns how many this call claimed."""
        events = await Event.filter(dispatched=False).order_by("id").limit(self.batch)
        done = 0
        for event in events:
            if await self._fan_out(event):
                done += 1
        return done

    async def _fan_out(self, event: Event) -> bool:
        async with in_transaction():
            if await Event.filter(id=event.id, dispatched=False).update(dispatched=True) != 1:
                return False  # another dispatcher has it
            ups = await UpsSystem.get_or_none(id=event.ups_id)  # type: ignore[attr-defined]
            if ups is None:
                return True
            notice = notice_for_event(event, ups)
            alert = await alerts.on_event(event, self.clock())
            routes = await routing.routes_for(ups, event.kind, event.occurred_at)
            source = outbox.Source(
                ups_id=ups.id, event_id=event.id, alert_id=alert.id if alert else None
            )
            await routing.write(routes, notice, source)
        log.info("event %s (%s) of %s fanned out", event.id, event.kind, notice.ups_name)
        return True

    # --- delivery --------------------------------------------------------------------------

    async def deliver_due_once(self) -> int:
        """Claim due deliveries and send them concurrently; returns how many were attempted."""
        claimed = await outbox.claim_due(self.clock(), self.lease, self.batch)
        if claimed:
            await asyncio.gather(*(self.deliver(d) for d in claimed))
        return len(claimed)

    async def deliver(self, delivery: NotificationDelivery, *, final: bool = False) -> str:
        """One attempt of one claimed delivery, outcome recorded; returns the new state."""
        started = time.monotonic()
        result = await self._attempt(delivery)
        duration_ms = int((time.monotonic() - started) * 1000)
        state = await outbox.record(
            delivery, result, now=self.clock(), duration_ms=duration_ms, final=final
        )
        level = logging.INFO if result.ok else logging.WARNING
        log.log(
            level,
            "delivery %s (%s, attempt %s): %s%s",
            delivery.id,
            delivery.channel,
            delivery.attempts,
            state or "claim lost",
            "" if result.ok else f" - {result.error}",
        )
        return state

    async def _attempt(self, delivery: NotificationDelivery) -> DeliveryResult:
        kind = KINDS.get(delivery.channel)
        if kind is None:
            return DeliveryResult.fail(f"unknown channel kind {delivery.channel!r}")
        found = await self._config_of(delivery)
        if isinstance(found, DeliveryResult):
            return found
        config, admin = found
        if kind.admin_only and not admin:  # an admin-only kind whose owner was since demoted
            return DeliveryResult.fail(f"{kind.label} channels are for admins only")
        try:
            # Checked again at send time: a config saved before WEBHOOK_ALLOWED_HOSTS was
            # narrowed (or by an admin since demoted) is not posted to.
            config = kind.validate(config, Context(self.settings, admin=admin))
        except ConfigError as err:
            return DeliveryResult.fail(f"channel config is no longer allowed: {err.message}")
        transport = Transport(
            self._http(),
            self.settings,
            self.attempt_timeout,
            tls_context=self.tls_context,
            smtp=await smtp.load(self.settings) if kind.kind == "email" else None,
        )
        try:
            # The channel has its own timeout; this one also covers DNS, TLS and SMTP dialogue.
            return await asyncio.wait_for(
                kind.send(delivery.payload, config, transport), self.attempt_timeout + 1.0
            )
        except TimeoutError:
            return DeliveryResult.retry(f"timed out after {self.attempt_timeout:g} s")
        except Exception as err:  # a bug in a channel must not kill the worker
            log.exception("delivery %s: channel raised", delivery.id)
            return DeliveryResult.retry(f"internal error ({type(err).__name__})")

    async def _config_of(
        self, delivery: NotificationDelivery
    ) -> tuple[dict[str, object], bool] | DeliveryResult:
        """The config to send with, and whether an admin stands behind it."""
        channel_id = delivery.notification_channel_id  # type: ignore[attr-defined]
        if channel_id is None:
            if not delivery.target:
                return DeliveryResult.fail("the channel was deleted")
            try:
                config = orjson.loads(delivery.target)
            except orjson.JSONDecodeError:
                return DeliveryResult.fail("the delivery has no valid target")
            return (config if isinstance(config, dict) else {}), False
        channel = await NotificationChannel.get_or_none(id=channel_id)
        if channel is None:
            return DeliveryResult.fail("the channel was deleted")
        if not channel.enabled:
            return DeliveryResult.fail("the channel is disabled")
        owner_id = channel.owner_id  # type: ignore[attr-defined]
        admin = owner_id is None or await User.filter(id=owner_id, role=ROLE_ADMIN).exists()
        return dict(channel.config or {}), admin

    async def send_now(
        self,
        user_id: int | None,
        notice: Notice,
        destinations: Sequence[outbox.Destination],
        *,
        ups_id: int | None = None,
    ) -> list[Outcome]:
        """Record and deliver at once, one attempt each (test buttons and API sends: the caller
        waits for the answer, so a failure is reported, not retried behind their back)."""
        until = self.clock() + timedelta(seconds=self.lease)
        async with in_transaction():
            _, deliveries = await outbox.enqueue(
                user_id,
                notice,
                destinations,
                outbox.Source(ups_id=ups_id),
                claim_until=until,
            )
        await asyncio.gather(*(self.deliver(d, final=True) for d in deliveries))
        return [Outcome(d.channel, d.state, d.last_error, d.attempts, d.id) for d in deliveries]

    # --- retention -------------------------------------------------------------------------

    async def prune_once(self) -> int:
        """Delete history older than HISTORY_RETENTION_DAYS whose deliveries are all closed
        (an open delivery keeps its row however old), and the alerts and drills of that age;
        returns how many history rows went."""
        cutoff = self.clock() - timedelta(days=self.settings.history_retention_days)
        open_logs = NotificationDelivery.filter(state__in=outbox.OPEN_STATES).values("log_id")
        ids = (
            await NotificationLog.filter(created_at__lt=cutoff)
            .exclude(id__in=Subquery(open_logs))
            .values_list("id", flat=True)
        )
        if ids:  # deliveries go with their history row (cascade)
            await NotificationLog.filter(id__in=list(ids)).delete()
        # Alerts that ended and drills as old as that go too (their history rows went above).
        await Alert.filter(cleared_at__lt=cutoff).delete()
        await (
            Drill.filter(started_at__lt=cutoff)
            .exclude(
                id__in=Subquery(
                    NotificationLog.filter(drill_id__not_isnull=True).values("drill_id")
                )
            )
            .delete()
        )
        return len(ids)

    # --- the loop --------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Fan out and deliver until `stop` is set; work in flight is finished (or, after one
        attempt timeout, left claimed so the next start re-sends it)."""
        inflight: set[asyncio.Task[str]] = set()
        next_prune = next_alert_sweep = time.monotonic()
        try:
            while not stop.is_set():
                self._wake.clear()
                try:
                    if time.monotonic() >= next_prune:
                        next_prune = time.monotonic() + PRUNE_EVERY
                        await self.prune_once()
                    await self.fan_out_once()
                    if time.monotonic() >= next_alert_sweep:
                        next_alert_sweep = time.monotonic() + ALERT_SWEEP_EVERY
                        await alerts.sweep_once(self.clock())
                    for delivery in await outbox.claim_due(self.clock(), self.lease, self.batch):
                        task = asyncio.create_task(self.deliver(delivery))
                        inflight.add(task)
                        task.add_done_callback(inflight.discard)
                except Exception:
                    log.exception("notification dispatch step failed; retrying")
                await _first_of(stop, self._wake, self.tick)
            if inflight:
                await asyncio.wait(inflight, timeout=min(STOP_GRACE, self.attempt_timeout + 1.0))
        finally:
            for task in inflight:
                task.cancel()
            await self.close()


async def _first_of(stop: asyncio.Event, wake: asyncio.Event, timeout: float) -> None:
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*waiters, return_exceptions=True)


async def send_immediately(
    settings: Settings,
    user_id: int | None,
    notice: Notice,
    channels: Sequence[outbox.Destination],
    *,
    ups_id: int | None = None,
    tls_context: ssl.SSLContext | None = None,
) -> list[Outcome]:
    """`Dispatcher.send_now` for callers without a running dispatcher (the api worker)."""
    async with Dispatcher(settings, tls_context=tls_context) as dispatcher:
        return await dispatcher.send_now(user_id, notice, channels, ups_id=ups_id)
