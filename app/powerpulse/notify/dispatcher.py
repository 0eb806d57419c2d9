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
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from powerpulse.config import Settings
from powerpulse.db.models import Event, NotificationDelivery, NotificationLog, UpsSystem
from powerpulse.notify import outbox
from powerpulse.notify.channels import DeliveryResult, make_channel
from powerpulse.notify.messages import Notice, extra_from_details, readings_from_details
from powerpulse.notify.recipients import recipients_for
from powerpulse.notify.webhooks import WebhookUrlError, validate_webhook_url
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


def ups_display_name(ups: UpsSystem) -> str:
    return ups.nickname or ups.name


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
    )


@dataclass(frozen=True)
class Outcome:
    """What one delivery ended as, for API answers."""

    channel: str
    state: str
    error: str | None
    attempts: int

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
            for recipient in await recipients_for(event.kind):
                await outbox.enqueue(
                    recipient.user_id,
                    notice,
                    recipient.channels,
                    ups_id=ups.id,
                    event_id=event.id,
                )
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
        if delivery.channel in ("discord", "slack"):
            # Checked again at send time: a URL stored before WEBHOOK_ALLOWED_HOSTS was narrowed
            # is not posted to.
            try:
                validate_webhook_url(delivery.channel, delivery.target, self.settings)
            except WebhookUrlError:
                return DeliveryResult.fail("webhook URL is no longer allowed by the configuration")
        channel = make_channel(
            delivery.channel,
            delivery.target,
            self.settings,
            session=self._http(),
            tls_context=self.tls_context,
            timeout=self.attempt_timeout,
        )
        try:
            # The channel has its own timeout; this one also covers DNS, TLS and SMTP dialogue.
            return await asyncio.wait_for(
                channel.send(delivery.payload), self.attempt_timeout + 1.0
            )
        except TimeoutError:
            return DeliveryResult.retry(f"timed out after {self.attempt_timeout:g} s")
        except Exception as err:  # a bug in a channel must not kill the worker
            log.exception("delivery %s: channel raised", delivery.id)
            return DeliveryResult.retry(f"internal error ({type(err).__name__})")

    async def send_now(
        self,
        user_id: int,
        notice: Notice,
        channels: Sequence[tuple[str, str]],
        *,
        ups_id: int | None = None,
    ) -> list[Outcome]:
        """Record and deliver at once, one attempt each (test buttons and API sends: the caller
        waits for the answer, so a failure is reported, not retried behind their back)."""
        until = self.clock() + timedelta(seconds=self.lease)
        async with in_transaction():
            _, deliveries = await outbox.enqueue(
                user_id, notice, channels, ups_id=ups_id, claim_until=until
            )
        await asyncio.gather(*(self.deliver(d, final=True) for d in deliveries))
        return [Outcome(d.channel, d.state, d.last_error, d.attempts) for d in deliveries]

    # --- retention -------------------------------------------------------------------------

    async def prune_once(self) -> int:
        """Delete history older than HISTORY_RETENTION_DAYS whose deliveries are all closed
        (an open delivery keeps its row however old); returns how many rows went."""
        cutoff = self.clock() - timedelta(days=self.settings.history_retention_days)
        open_logs = NotificationDelivery.filter(state__in=outbox.OPEN_STATES).values("log_id")
        ids = (
            await NotificationLog.filter(created_at__lt=cutoff)
            .exclude(id__in=Subquery(open_logs))
            .values_list("id", flat=True)
        )
        if ids:  # deliveries go with their history row (cascade)
            await NotificationLog.filter(id__in=list(ids)).delete()
        return len(ids)

    # --- the loop --------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Fan out and deliver until `stop` is set; work in flight is finished (or, after one
        attempt timeout, left claimed so the next start re-sends it)."""
        inflight: set[asyncio.Task[str]] = set()
        next_prune = time.monotonic()
        try:
            while not stop.is_set():
                self._wake.clear()
                try:
                    if time.monotonic() >= next_prune:
                        next_prune = time.monotonic() + PRUNE_EVERY
                        await self.prune_once()
                    await self.fan_out_once()
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
    user_id: int,
    notice: Notice,
    channels: Sequence[tuple[str, str]],
    *,
    ups_id: int | None = None,
    tls_context: ssl.SSLContext | None = None,
) -> list[Outcome]:
    """`Dispatcher.send_now` for callers without a running dispatcher (the api worker)."""
    async with Dispatcher(settings, tls_context=tls_context) as dispatcher:
        return await dispatcher.send_now(user_id, notice, channels, ups_id=ups_id)
