"""One NUT server's poll: `ServerPoller.poll_once()` is the step function tests call directly.

Each server has one persistent `NutClient` and reads all its UPS with one pipelined
`list_var_many` exchange per poll. A failure of the server itself (refused, timeout, auth)
marks all its UPS and backs off exponentially up to `MAX_BACKOFF`; per-UPS errors (DATA-STALE,
DRIVER-NOT-CONNECTED, UNKNOWN-UPS, a status of WAIT alone) mark only that UPS. While backing off,
ticks still run event detection on the last failure without touching the network, so
"communication lost" fires on time.

Rediscovery: `LIST UPS` on the same connection after every poll that (re)connected, every
DISCOVERY_INTERVAL, and when a UPS turns UNKNOWN-UPS; `powerpulse.discovery.reconcile` adds the
new names (when the server's auto-add is on). A server without UPS yet is still connected to
on every poll (with the usual back-off), so its UPS appear as soon as upsd answers. Back-off
never waits longer than DISCOVERY_INTERVAL. `LIST CLIENT` (protection coverage) is read on the
same connection at its own cadence, after a (re)connect too (`poller.clients`).

A UPS whose variables are exactly those of its last poll, on a state detection left alone then
(`LiveRow.settled`), skips observation and detection: they would give the same state and no
event (see `events.detect`): unchanged readings cost one dict comparison, not a detection."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from powerpulse import discovery
from powerpulse.config import Settings
from powerpulse.db.models import Event
from powerpulse.history import SampleSchedule, build_sample
from powerpulse.nut.client import NutClient
from powerpulse.nut.errors import (
    NutAccessDenied,
    NutAuthError,
    NutConnectionError,
    NutError,
    NutInvalidValue,
    NutProtocolError,
    NutUnknownUps,
)
from powerpulse.nut.protocol import check_name
from powerpulse.nut.status import display_status, parse_status
from powerpulse.nut.variables import as_float
from powerpulse.poller import events as ev
from powerpulse.poller import lease_store
from powerpulse.poller import thresholds as th
from powerpulse.poller.clients import COVERAGE_KEY, ClientWatch
from powerpulse.poller.config_cache import ServerConfig, UpsConfig
from powerpulse.poller.live_state import (
    FRESHNESS_EVERY,
    LiveRow,
    RowChange,
    SweepWrite,
    event_row,
    write_sweep,
)
from powerpulse.timeutil import utcnow

log = logging.getLogger(__name__)

MAX_BACKOFF = 30.0
ClientFactory = Callable[[ServerConfig, float], NutClient]
# (variables, status tokens, error code, error message): what the UI sees of a live row.
Content = tuple[dict[str, str], str, str | None, str | None]
Outcomes = dict[int, dict[str, str] | NutError]


class DriverWaiting(NutError):
    """upsd answered, but the status is only WAIT: right after an upsd restart or when a
    driver just died. Treated like DATA-STALE: the last good values stay, nothing fires."""

    code = "driver-waiting"

    @property
    def no_fresh_data(self) -> bool:
        return True


class UpsGone(NutUnknownUps):
    """upsd answered UNKNOWN-UPS: the UPS has left the server. It stays configured, with its
    history, until an admin deletes it; comm_lost follows the usual rules."""

    def __init__(self, ups_name: str, server: str) -> None:
        super().__init__("UNKNOWN-UPS", "", f"UPS {ups_name} is no longer on NUT server {server}")


def _waiting(variables: Mapping[str, str]) -> bool:
    """The status is WAIT alone (the substring test first: it is almost never there)."""
    status = variables.get("ups.status") or ""
    return "WAIT" in status.upper() and parse_status(status) == ("WAIT",)


def default_client(config: ServerConfig, timeout: float) -> NutClient:
    return NutClient(
        config.host,
        config.port,
        username=config.username,
        password=config.password,
        starttls=config.starttls,
        timeout=timeout,
    )


def is_server_failure(err: NutError) -> bool:
    """Errors that say nothing about one UPS but about the whole server or our login."""
    return isinstance(err, NutConnectionError | NutProtocolError | NutAuthError | NutAccessDenied)


def _num(variables: Mapping[str, str], name: str) -> float | None:
    # Finite only: a NaN or inf from a driver must not reach event details (JSON) or rules.
    return as_float(variables.get(name))


def observe(variables: Mapping[str, str]) -> ev.Observation:
    tokens = parse_status(variables.get("ups.status"))
    return ev.Observation(
        tokens=tokens,
        display=display_status(tokens),
        charge=_num(variables, "battery.charge"),
        charge_low=_num(variables, "battery.charge.low"),
        runtime=_num(variables, "battery.runtime"),
        runtime_low=_num(variables, "battery.runtime.low"),
        load=_num(variables, "ups.load"),
        test_result=(variables.get("ups.test.result") or "").strip()[:200] or None,
    )


def failure(err: NutError) -> ev.Observation:
    return ev.Observation(error_code=err.code, error_message=str(err))


def backoff_delay(failures: int, interval: float, cap: float = MAX_BACKOFF) -> float:
    """interval, then doubling, capped: 5, 10, 20, 30, 30 s at the default interval."""
    return float(min(cap, interval * 2 ** max(0, failures - 1)))


@dataclass
class PollResult:
    """What one `poll_once` did, for tests and logs."""

    polled: bool
    ok: int = 0
    failed: int = 0
    events: int = 0
    samples: int = 0
    changed: int = 0


class ServerPoller:
    """Polls one NUT server. Not thread-safe; one task drives it."""

    def __init__(
        self,
        config: ServerConfig,
        settings: Settings,
        rows: dict[int, LiveRow],
        schedule: SampleSchedule,
        client_factory: ClientFactory = default_client,
        on_events: Callable[[], None] | None = None,
    ) -> None:
        self.config = config
        self.on_events = on_events
        self.settings = settings
        self.rules = ev.Rules.for_interval(settings.poll_interval, settings.comm_grace_seconds)
        self.rows = rows
        self.schedule = schedule
        self._factory = client_factory
        self.client = client_factory(config, settings.nut_timeout)
        self._pending: ServerConfig | None = None
        self.failures = 0
        self.retry_at = 0.0  # monotonic
        self.outage: NutError | None = None
        self._fresh_at = -FRESHNESS_EVERY  # monotonic time of the last freshness write
        self.outage_since = 0.0
        self.discovery_due = 0.0  # monotonic: LIST UPS at the first good poll, then every interval
        self.last_discovery: discovery.Discovery | None = None
        # Set by the poller that holds this server's lease: every write checks and renews it,
        # and past `stop_at` (monotonic, before the lease runs out) nothing is polled at all.
        self.lease_guard: lease_store.Guard | None = None
        self.stop_at: float | None = None
        self._specs_for: ServerConfig | None = None
        self._specs_by_ups: dict[int, tuple[th.ThresholdSpec, ...]] = {}
        # LIST CLIENT at its own cadence and the protection coverage (`poller.clients`).
        self.client_watch = ClientWatch()

    # -- configuration ----------------------------------------------------------------------
    def apply_settings(self, settings: Settings) -> None:
        """New runtime settings (intervals, grace), from the next poll on."""
        self.settings = settings
        self.rules = ev.Rules.for_interval(settings.poll_interval, settings.comm_grace_seconds)
        # A shorter discovery interval counts from now, not from the long one's due time.
        self.discovery_due = min(self.discovery_due, time.monotonic() + settings.discovery_interval)

    def reconfigure(self, config: ServerConfig, rows: dict[int, LiveRow]) -> None:
        """Take a new config at the start of the next poll (never mid-poll)."""
        self.rows.update({k: v for k, v in rows.items() if k not in self.rows})
        self._pending = config

    async def _apply_pending(self) -> None:
        new, self._pending = self._pending, None
        if new is None:
            return
        if new.connection_key != self.config.connection_key:
            log.info("NUT server %s: address or credentials changed, reconnecting", new.label)
            await self.client.close()
            self.client = self._factory(new, self.settings.nut_timeout)
            self.failures, self.retry_at = 0, 0.0
        if new.auto_add and not self.config.auto_add:
            self.discovery_due = 0.0  # auto-add turned on: look at once
        keep = {u.id for u in new.ups}
        for ups_id in [i for i in self.rows if i not in keep]:
            del self.rows[ups_id]
            self.schedule.forget(ups_id)
        self.config = new

    async def close(self) -> None:
        await self.client.close()

    # -- the step -------------------------------------------------------------------------------
    def next_delay(self) -> float:
        return max(0.0, self.retry_at - time.monotonic()) if self.failures else 0.0

    def lease_ran_out(self) -> bool:
        return self.stop_at is not None and time.monotonic() >= self.stop_at

    async def poll_once(self) -> PollResult:
        if self.lease_ran_out():
            # The lease was not renewed in time (a database that hangs): stop touching the
            # server before another poller may take it; the lease manager retires us.
            await self.client.close()
            return PollResult(polled=False)
        await self._apply_pending()
        ups = [u for u in self.config.ups if u.id in self.rows]
        if self.failures and time.monotonic() < self.retry_at:
            return await self._hold(ups)
        link = _link(self.client)
        if ups:
            results, server_err = await self._read(ups)
        else:
            results, server_err = {}, await self._reach()
        self._track_outage(server_err)
        # A UPS that just turned UNKNOWN-UPS: upsd's configuration changed, look at it now.
        left = any(
            isinstance(r, UpsGone) and self.rows[i].error_code != UpsGone.code
            for i, r in results.items()
        )
        result = await self._store(results, attempted=True)
        due = time.monotonic() >= self.discovery_due
        reconnected = _link(self.client) is not link
        if server_err is None and (due or left or reconnected):
            await self.rediscover()
        if server_err is None and ups:
            result.events += await self._read_clients(reconnected)
        return result

    async def _read_clients(self, reconnected: bool) -> int:
        """LIST CLIENT when due (or right after a reconnect); the coverage events it wrote."""
        watch = self.client_watch
        try:
            await watch.configure(self.config)
            if not (reconnected or watch.is_due()):
                return 0
            found = await watch.read(self.client, self.config, self.rows, self.lease_guard)
        except lease_store.LeaseLost:
            raise
        except Exception:  # coverage must never stop the polls
            log.exception("NUT server %s: could not store its clients", self.config.label)
            return 0
        if found.events and self.on_events is not None:
            self.on_events()
        return found.events

    async def _reach(self) -> NutError | None:
        """A server with no UPS (yet): open the connection, so that the poll that first reaches
        upsd lists its UPS. Cheap while the connection stays open."""
        try:
            await self.client.connect()
        except NutError as err:
            return err
        return None

    async def rediscover(self) -> discovery.Discovery | None:
        """`LIST UPS` now on the poll connection; add what is new (see powerpulse.discovery)."""
        self.discovery_due = time.monotonic() + self.settings.discovery_interval
        try:
            names = await self.client.list_ups()
        except NutError as err:  # the next poll sees the outage, if it is one
            log.info("NUT server %s: LIST UPS failed: %s", self.config.label, err)
            return None
        try:
            found = await discovery.reconcile(
                self.config.id, names, add=self.config.auto_add, source="poller"
            )
        except Exception:
            log.exception("NUT server %s: could not store what LIST UPS found", self.config.label)
            return None
        for ups in found.added:
            log.info("NUT server %s: new UPS %s added", self.config.label, ups.ups_name)
        before = self.last_discovery
        if found.not_added and (before is None or before.not_added != found.not_added):
            log.info(
                "NUT server %s also lists %s (not added: auto-add is off or they were deleted)",
                self.config.label,
                ", ".join(found.not_added),
            )
        self.last_discovery = found
        if found.added and self.on_events is not None:
            self.on_events()  # their ups_added events
        return found

    async def _read(self, ups: list[UpsConfig]) -> tuple[Outcomes, NutError | None]:
        """One pipelined `LIST VAR` exchange for every UPS of the server.

        Per-UPS answers (DATA-STALE, DRIVER-NOT-CONNECTED, UNKNOWN-UPS, WAIT only) mark only
        that UPS. A connection failure, a timeout or a refused login marks them all and is
        returned as the server's error.
        """
        results: Outcomes = {}
        names: list[str] = []
        for u in ups:
            try:
                names.append(check_name(u.name, "UPS name"))
            except ValueError as err:  # stored by hand through the API: only this UPS fails
                results[u.id] = NutInvalidValue("INVALID-ARGUMENT", "", str(err))
        try:
            replies = await self.client.list_var_many(names) if names else {}
        except NutError as err:
            return {u.id: err for u in ups}, err
        for answer in replies.values():
            if isinstance(answer, NutError) and is_server_failure(answer):
                return {u.id: answer for u in ups}, answer  # e.g. ACCESS-DENIED: our login
        for u in ups:
            if u.name not in replies:
                continue  # an invalid name, already marked
            reply = replies[u.name]
            if isinstance(reply, NutUnknownUps):
                results[u.id] = UpsGone(u.name, self.config.label)
            elif not isinstance(reply, NutError) and _waiting(reply):
                results[u.id] = DriverWaiting(f"UPS {u.name} has no data yet (driver status WAIT)")
            else:
                results[u.id] = reply
        return {u.id: results[u.id] for u in ups}, None

    async def _hold(self, ups: list[UpsConfig]) -> PollResult:
        """A tick during back-off: detection only, so comm_lost still fires on time."""
        assert self.outage is not None
        results: Outcomes = {u.id: self.outage for u in ups}
        return await self._store(results, attempted=False)

    def _track_outage(self, err: NutError | None) -> None:
        now = time.monotonic()
        if err is None:
            if self.outage is not None:
                log.warning(
                    "NUT server %s is answering again after %.0f s",
                    self.config.label,
                    now - self.outage_since,
                )
            self.outage, self.failures, self.retry_at = None, 0, 0.0
            return
        if self.outage is None or _outage_kind(self.outage) != _outage_kind(err):
            log.warning(
                "NUT server %s %s: %s (retrying with back-off)",
                self.config.label,
                _outage_kind(err),
                err,
            )
            if self.outage is None:
                self.outage_since = now
        self.outage = err
        self.failures += 1
        cap = min(MAX_BACKOFF, self.settings.discovery_interval)
        self.retry_at = now + backoff_delay(self.failures, self.settings.poll_interval, cap)

    async def _store(
        self, results: Mapping[int, dict[str, str] | NutError], *, attempted: bool
    ) -> PollResult:
        at = utcnow()
        now = at.timestamp()
        write = SweepWrite(at=at, lease=self.lease_guard)
        result = PollResult(polled=attempted)
        undo: list[tuple[LiveRow, tuple[object, ...]]] = []
        fresh = attempted and time.monotonic() - self._fresh_at >= FRESHNESS_EVERY
        if fresh:
            self._fresh_at = time.monotonic()
        for ups_id, outcome in results.items():
            row = self.rows[ups_id]
            if fresh:
                write.attempted.append(ups_id)
            if isinstance(outcome, NutError):
                result.failed += 1
            else:
                result.ok += 1
                if fresh:
                    write.succeeded.append(ups_id)
                if row.settled is not None and row.error_code is None and outcome == row.variables:
                    # The same readings on a settled state: detection would change nothing.
                    self._sample_if_due(row, outcome, row.settled, write, at)
                    continue
            obs, content = self._observe(row, outcome, write, at)
            new_state, found = ev.detect(row.event_state, obs, now, self.rules)
            if (coverage := (row.event_state or {}).get(COVERAGE_KEY)) is not None:
                new_state[COVERAGE_KEY] = coverage  # `poller.clients` keeps it, not detection
            crossed = self._thresholds(ups_id, row, new_state, outcome, now)
            content_changed = content != row.content()
            state_changed = new_state != row.event_state
            if content_changed or state_changed:
                self._log_ups_error(row, obs)
                undo.append((row, row.snapshot()))
                row.variables, row.status_tokens, row.error_code, row.error_message = content  # type: ignore[assignment]
                row.event_state = new_state
                write.changes.append(RowChange(row, content_changed, state_changed))
            quiet = not found and not crossed
            row.settled = obs.tokens if obs.ok and not state_changed and quiet else None
            write.events += [event_row(ups_id, e, at) for e in found]
            write.events += [_thresholdevent_row(ups_id, e, obs, at) for e in crossed]
        if write.empty:
            return result  # nothing changed and freshness is not due: no write at all
        try:
            await write_sweep(write)
        except Exception:
            # Nothing was stored (e.g. a UPS deleted mid-poll): forget this poll's changes so the
            # next poll writes them again and re-detects its events. Nothing is lost.
            for row, before in reversed(undo):
                row.restore(before)
            for sample in write.samples:
                self.schedule.forget(sample.ups_id)  # type: ignore[attr-defined]
            raise
        if write.events and self.on_events is not None:
            self.on_events()  # e.g. wake the dispatcher: notifications go out without a tick
        result.events, result.samples = len(write.events), len(write.samples)
        result.changed = sum(c.content_changed for c in write.changes)
        return result

    def _thresholds(
        self,
        ups_id: int,
        row: LiveRow,
        new_state: dict[str, Any],
        outcome: dict[str, str] | NutError,
        now: float,
    ) -> list[th.ThresholdEvent]:
        """Threshold crossings of this poll, their state kept in `new_state["thresholds"]`
        (`events.detect` knows nothing of it; a failed poll keeps it as it was)."""
        stored = (row.event_state or {}).get("thresholds")
        if isinstance(outcome, NutError):
            if stored is not None:
                new_state["thresholds"] = stored
            return []
        specs = self._specs().get(ups_id, ())
        state, crossed = th.evaluate(stored, specs, outcome, now)
        if state is not None:
            new_state["thresholds"] = state
        return crossed

    def _specs(self) -> dict[int, tuple[th.ThresholdSpec, ...]]:
        if self._specs_for is not self.config:
            self._specs_by_ups = {u.id: u.thresholds for u in self.config.ups if u.thresholds}
            self._specs_for = self.config
        return self._specs_by_ups

    def _observe(
        self,
        row: LiveRow,
        outcome: dict[str, str] | NutError,
        write: SweepWrite,
        at: datetime,
    ) -> tuple[ev.Observation, Content]:
        """The observation for detection and the row content; queues a sample when one is due.
        A failure keeps the last good variables and status (shown as stale with the error)."""
        if isinstance(outcome, NutError):
            return failure(outcome), (row.variables, row.status_tokens, outcome.code, str(outcome))
        obs = observe(outcome)
        self._sample_if_due(row, outcome, obs.tokens, write, at)
        return obs, (outcome, " ".join(obs.tokens), None, None)

    def _sample_if_due(
        self,
        row: LiveRow,
        variables: dict[str, str],
        tokens: tuple[str, ...],
        write: SweepWrite,
        at: datetime,
    ) -> None:
        if self.schedule.due(row.ups_id, tokens, at.timestamp()):
            write.samples.append(build_sample(row.ups_id, variables, tokens, at))
            self.schedule.mark(row.ups_id, tokens, at.timestamp())

    def _log_ups_error(self, row: LiveRow, obs: ev.Observation) -> None:
        if obs.error_code == row.error_code or self.outage is not None:
            return
        if obs.error_code is None:
            log.info("UPS %s on %s: data is back", row.ups_id, self.config.label)
        else:
            log.warning("UPS %s on %s: %s", row.ups_id, self.config.label, obs.error_message)


def _link(client: NutClient) -> object:
    """The client's current connection, to tell that a call opened a new one (upsd restarted,
    or the first poll after an outage): the client opens connections on its own. Reads a
    private attribute of NutClient; tests/poller/test_rediscovery.py notices if it goes."""
    return getattr(client, "_writer", None)


def _outage_kind(err: NutError) -> str:
    """How an outage is logged: a refused login is told apart from an unreachable server."""
    if isinstance(err, NutAuthError | NutAccessDenied):
        return "rejected our login"
    return "is unreachable"


def _thresholdevent_row(
    ups_id: int, crossed: th.ThresholdEvent, obs: ev.Observation, at: datetime
) -> Event:
    return Event(
        ups_id=ups_id,
        kind=crossed.kind,
        previous_status="",  # a reading crossed a line; the status did not change
        new_status=obs.display,
        occurred_at=at,
        details={**obs.details(), **crossed.details},
        dispatched=False,
    )
