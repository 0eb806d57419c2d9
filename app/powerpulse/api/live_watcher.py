"""The api worker's one live watcher: notices database changes, fans them out to stream clients.

Every `interval` (0.25 s) it asks the database one cheap question — the highest live-state
version, the `config` counter and the highest event id — and only when one of them moved does
it read rows: live rows newer than the last version it published, every UPS after a
configuration change (renames, additions, removals), new `Event` rows. Each change is
serialised once and the same SSE frame is put on every subscriber's bounded queue. A
subscriber whose queue is full (a client that does not read) is dropped: its queue is emptied
and closed, and its browser reconnects and starts again from a snapshot.

Shutdown runs: the `shutdown` counter moves on every run or step change (`shutdown.run_store`);
then the active runs (and the few newest, so a run that ended between two looks is seen) are
read with their steps, and each run whose progress changed goes out as one `shutdown_run`
frame to logged-in subscribers. Outputs and errors are never in it (the run's page has them).

Every `refresh` (5 s) the live rows are re-read without a version change so that `stale`
(no successful poll for a while, e.g. the poller is down) is re-evaluated and published when it
flips, and snapshots carry a recent `lastUpdated`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import orjson

from powerpulse.api.safe_ups import encoded, safe_values, ups_object
from powerpulse.api.serializers import UPS_WITH_SITE
from powerpulse.db import dialect
from powerpulse.db.counters import CONFIG, SHUTDOWN
from powerpulse.db.models import Event, ShutdownRun, ShutdownStep, UpsLiveState, UpsSystem
from powerpulse.shutdown import states as run_states
from powerpulse.timeutil import iso, utcnow

log = logging.getLogger(__name__)

POLL_INTERVAL = 0.25
REFRESH_INTERVAL = 5.0
QUEUE_SIZE = 1000  # frames; a client this far behind is dropped rather than buffered
MAX_SUBSCRIBERS = 2000
EVENT_BATCH = 200
PUBLISH_CHUNK = 50  # UPS serialised between two turns of the event loop
RECENT_RUNS = 10  # ended runs looked at again, so a run that ended between two looks is sent

_HEADS_SQL = (
    "SELECT (SELECT max(version) FROM ups_live_state) AS live, "
    f"(SELECT value FROM counters WHERE name = '{CONFIG}') AS config, "
    "(SELECT max(id) FROM events) AS event, "
    f"(SELECT value FROM counters WHERE name = '{SHUTDOWN}') AS shutdown"
)


def sse_frame(event: str, data: Any, event_id: int | None = None) -> str:
    """One Server-Sent Events message. Compact JSON never contains a newline."""
    return _frame(event, orjson.dumps(data).decode(), event_id)


def _frame(event: str, json_text: str, event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json_text}\n\n"


def event_to_dict(event: Event, ups_name: str | None) -> dict[str, Any]:
    """A power event as the stream sends it (texts from the UPS made display-safe)."""
    return {
        "id": event.id,
        "upsId": event.ups_id,  # type: ignore[attr-defined]
        "upsName": ups_name,
        "kind": event.kind,
        "previousStatus": event.previous_status,
        "newStatus": event.new_status,
        "occurredAt": iso(event.occurred_at),
        "details": safe_values(event.details or {}),
    }


def run_frame_data(run: ShutdownRun, steps: list[ShutdownStep]) -> dict[str, Any]:
    """A shutdown run's progress as the `shutdown_run` frame sends it: no outputs, no secrets."""
    definition = run.definition if isinstance(run.definition, dict) else {}
    phases = definition.get("phases")
    steps = sorted(steps, key=lambda s: (s.section != "phase", s.phase, s.position, s.id))
    return {
        "id": run.id,
        "plan_id": run.plan_id,  # type: ignore[attr-defined]
        "plan_name": run.plan_name,
        "state": run.state,
        "phase": run.phase,
        "phases": len(phases) if isinstance(phases, list) else 0,
        "reason": run.reason,
        "steps": [
            {
                "id": s.id,
                "section": s.section,
                "phase": s.phase,
                "position": s.position,
                "state": s.state,
            }
            for s in steps
        ],
    }


def _without_time(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k != "lastUpdated"}


@dataclass(eq=False)
class Subscriber:
    """One connected stream client. `public` clients (kiosk) get status-only objects."""

    public: bool
    queue: asyncio.Queue[str | None] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    dropped: bool = False


class TooManySubscribers(Exception):
    pass


class WatcherStopped(Exception):
    """The api is shutting down: a stream opened now would never be ended (close_all ran)."""


class LiveWatcher:
    """Cache of what clients have been sent, plus the fan-out to every subscriber."""

    def __init__(
        self,
        poll_interval: float,
        interval: float = POLL_INTERVAL,
        refresh: float = REFRESH_INTERVAL,
    ) -> None:
        self.poll_interval = poll_interval  # the poller's, for `stale`
        self.interval = interval
        self.refresh = refresh
        self.subscribers: set[Subscriber] = set()
        self.live_version = 0
        self.config_version = 0
        self.event_id = 0
        self.shutdown_version = 0
        self._runs_sent: dict[int, dict[str, Any]] = {}  # run id -> the frame data last sent
        self.dropped_total = 0
        self._ups: dict[int, UpsSystem] = {}
        self._live: dict[int, UpsLiveState] = {}
        self._sent: dict[int, dict[str, Any]] = {}
        self._last_refresh = 0.0
        self._shutdown_head = 0
        self._task: asyncio.Task[None] | None = None
        self._stopped = False
        self.loaded = False  # set after the first load: cursors mean "now" from then on

    # -- subscribers ------------------------------------------------------------------------
    def subscribe(self, public: bool) -> Subscriber:
        if self._stopped:
            raise WatcherStopped
        if len(self.subscribers) >= MAX_SUBSCRIBERS:
            raise TooManySubscribers
        sub = Subscriber(public)
        self.subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        self.subscribers.discard(sub)

    def snapshot(self, public: bool) -> list[dict[str, Any]]:
        """Every UPS as a client should see it now (from the cache: no database read). Each
        object is known to encode (a UPS that does not is its bad-data object)."""
        now = utcnow()
        return [self._serialise(ups_id, now, public)[0] for ups_id in sorted(self._ups)]

    def _publish(self, frame: str, *, public: bool | None) -> None:
        """Queue `frame` for every subscriber (`public=None`), or only public/private ones."""
        for sub in list(self.subscribers):
            if public is not None and sub.public != public:
                continue
            try:
                sub.queue.put_nowait(frame)
            except asyncio.QueueFull:
                self._drop(sub)

    def _drop(self, sub: Subscriber) -> None:
        self.subscribers.discard(sub)
        sub.dropped = True
        self.dropped_total += 1
        while not sub.queue.empty():
            sub.queue.get_nowait()
        sub.queue.put_nowait(None)  # tells the handler to end the response

    def close_all(self) -> None:
        for sub in list(self.subscribers):
            self.subscribers.discard(sub)
            with contextlib.suppress(asyncio.QueueFull):
                sub.queue.put_nowait(None)

    # -- database ---------------------------------------------------------------------------
    def _serialise(self, ups_id: int, now: Any, public: bool) -> tuple[dict[str, Any], str]:
        """One UPS's object and its JSON; whatever the UPS reported, neither step raises (a
        failure is logged once and shows that UPS with an error), so one UPS cannot stop the
        updates of the others."""
        obj = ups_object(
            self._ups[ups_id],
            self._live.get(ups_id),
            now=now,
            poll_interval=self.poll_interval,
            public=public,
        )
        obj, data = encoded(obj, public=public)
        return obj, data.decode()

    async def _heads(self) -> tuple[int, int, int]:
        rows = await dialect.fetch(_HEADS_SQL)
        row = rows[0] if rows else {}
        self._shutdown_head = int(row.get("shutdown") or 0)
        return int(row.get("live") or 0), int(row.get("config") or 0), int(row.get("event") or 0)

    async def load(self) -> None:
        """Fill the cache and set the cursors to "now": later events and changes are published.

        Clients that connected before this first load got an empty snapshot: they receive
        every UPS as an `ups` message now."""
        live, config, event = await self._heads()
        await self._reload_all()
        self.live_version = max(live, self.live_version)
        self.config_version, self.event_id = config, event
        self.shutdown_version = self._shutdown_head
        await self._read_runs()
        self._last_refresh = time.monotonic()
        self.loaded = True

    async def _reload_all(self) -> None:
        ups_rows = {u.id: u for u in await UpsSystem.all().select_related(*UPS_WITH_SITE)}
        live_rows = {row.ups_id: row for row in await UpsLiveState.all()}  # type: ignore[attr-defined]
        removed = set(self._ups) - set(ups_rows)
        self._ups, self._live = ups_rows, live_rows
        if live_rows:
            self.live_version = max(self.live_version, *(r.version for r in live_rows.values()))
        for ups_id in removed:
            self._sent.pop(ups_id, None)
            self._publish(sse_frame("removed", {"id": ups_id}), public=None)
        await self._publish_changed(list(ups_rows), force=False)

    async def _publish_changed(self, ups_ids: list[int], *, force: bool) -> int:
        """Publish each UPS whose object changed (ignoring `lastUpdated` unless `force`).

        Serialising one UPS costs ~0.1 ms: every PUBLISH_CHUNK UPS the event loop gets a turn,
        so 1,000 changed UPS never hold up the requests in flight for 100 ms, and the streams'
        queues drain between chunks. A client that subscribes meanwhile is still right: its
        snapshot is built from the rows already read, and later frames only repeat it."""
        now = utcnow()
        sent = 0
        kiosks = any(sub.public for sub in self.subscribers)
        for count, ups_id in enumerate(ups_ids, 1):
            if count % PUBLISH_CHUNK == 0:
                await asyncio.sleep(0)
                kiosks = any(sub.public for sub in self.subscribers)
            if ups_id not in self._ups:
                continue
            full, full_json = self._serialise(ups_id, now, public=False)
            previous = self._sent.get(ups_id)
            self._sent[ups_id] = full
            if (
                not force
                and previous is not None
                and _without_time(previous) == _without_time(full)
            ):
                continue
            self._publish(_frame("ups", full_json), public=False)
            if kiosks:  # the status-only object is only built when a kiosk listens
                self._publish(
                    _frame("ups", self._serialise(ups_id, now, public=True)[1]), public=True
                )
            sent += 1
        return sent

    async def _read_live_changes(self) -> None:
        rows = await UpsLiveState.filter(version__gt=self.live_version).order_by("version")
        unknown = [r.ups_id for r in rows if r.ups_id not in self._ups]  # type: ignore[attr-defined]
        if unknown:  # a UPS added since the last configuration reload
            for ups in await UpsSystem.filter(id__in=unknown).select_related(*UPS_WITH_SITE):
                self._ups[ups.id] = ups
        for row in rows:
            self._live[row.ups_id] = row  # type: ignore[attr-defined]
            self.live_version = max(self.live_version, row.version)
        # A version bump always means something a user sees changed: send it as it is.
        await self._publish_changed([r.ups_id for r in rows], force=True)  # type: ignore[attr-defined]

    async def _read_events(self) -> None:
        events = await Event.filter(id__gt=self.event_id).order_by("id").limit(EVENT_BATCH)
        for event in events:
            self.event_id = max(self.event_id, event.id)
            self._publish(self._event_frame(event), public=False)

    def _event_frame(self, event: Event) -> str:
        sent = self._sent.get(event.ups_id)  # type: ignore[attr-defined]
        name = sent["displayName"] if sent else None  # the name the dashboard shows
        return sse_frame("event", event_to_dict(event, name), event.id)

    def runs_snapshot(self) -> list[str]:
        """`shutdown_run` frames of the active runs (sent after the snapshot on connect)."""
        return [
            sse_frame("shutdown_run", data)
            for data in self._runs_sent.values()
            if data["state"] in run_states.ACTIVE
        ]

    async def _read_runs(self) -> None:
        """Publish each shutdown run whose progress changed since it was last sent."""
        active = await ShutdownRun.filter(state__in=run_states.ACTIVE)
        recent = await ShutdownRun.all().order_by("-id").limit(RECENT_RUNS)
        runs = {r.id: r for r in [*active, *recent]}
        steps: dict[int, list[ShutdownStep]] = {}
        if runs:
            for step in await ShutdownStep.filter(run_id__in=list(runs)):
                steps.setdefault(step.run_id, []).append(step)  # type: ignore[attr-defined]
        for run_id in sorted(runs):
            data = run_frame_data(runs[run_id], steps.get(run_id, []))
            if self._runs_sent.get(run_id) != data:
                self._runs_sent[run_id] = data
                self._publish(sse_frame("shutdown_run", data), public=False)
        for run_id in [r for r in self._runs_sent if r not in runs]:
            del self._runs_sent[run_id]

    async def events_since(self, after: int, until: int) -> list[str]:
        """Frames for events a reconnecting client missed (`Last-Event-ID`), oldest first."""
        events = await Event.filter(id__gt=after, id__lte=until).order_by("-id").limit(EVENT_BATCH)
        return [self._event_frame(event) for event in reversed(events)]

    async def poll_once(self) -> None:
        """One look at the database; publishes whatever changed since the last look."""
        live, config, event = await self._heads()
        if config != self.config_version:
            self.config_version = config
            await self._reload_all()
        if live > self.live_version:
            await self._read_live_changes()
        if event > self.event_id:
            await self._read_events()
        if self._shutdown_head != self.shutdown_version:
            self.shutdown_version = self._shutdown_head
            await self._read_runs()
        if time.monotonic() - self._last_refresh >= self.refresh:
            self._last_refresh = time.monotonic()
            self._live = {r.ups_id: r for r in await UpsLiveState.all()}  # type: ignore[attr-defined]
            await self._publish_changed(list(self._ups), force=False)

    # -- task -------------------------------------------------------------------------------
    async def run(self) -> None:
        loaded = failing = False
        while True:
            try:
                if loaded:
                    await self.poll_once()
                else:
                    await self.load()
                    loaded = True
                if failing:
                    log.info("live watcher: database reads work again")
                failing = False
            except asyncio.CancelledError:
                raise
            except Exception:  # a locked or briefly missing database must not end live updates
                if not failing:
                    log.exception("live watcher: reading the database failed; retrying")
                failing = True
            await asyncio.sleep(self.interval)

    async def start(self) -> None:
        """Start the task; it loads the cache itself, so server start-up does not wait on the
        database (a SIGTERM during Sanic's start-up listeners is handled badly)."""
        self._task = asyncio.create_task(self.run(), name="live-watcher")

    async def stop(self) -> None:
        # Clients reconnect at once when their stream ends (the kiosk does): a stream opened
        # after close_all() would keep the shutdown waiting for Sanic's graceful timeout.
        self._stopped = True
        self.close_all()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
