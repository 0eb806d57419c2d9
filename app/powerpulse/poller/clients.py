"""Protection coverage in the poller: upsd's LIST CLIENT for each UPS of a server, stored, and
the coverage events (`shutdown.coverage`).

Read on the server's poll connection, one pipelined exchange for all its UPS, never on every
poll: every `CLIENTS_INTERVAL` (30 s), right after a (re)connect, and at once when the expected
hosts changed. 30 s because upsmon itself takes longer than that to call a UPS dead (DEADTIME
defaults to 15 s, plus its POLLFREQ): with the two-read grace, a host that stopped listening is
reported within about a minute, for one short list per UPS per half minute.

`UpsLiveState.clients` (the addresses) and `clients_at` are written when the list changed, or
at most every `CLIENTS_REFRESH` while it stays the same (so "read at" stays roughly true
without a write per read). A server that refuses LIST CLIENT (an upsd older than 2.6.4, an
ACCESS-DENIED) gets `clients` NULL with `clients_at` set: coverage unknown, no event. The
coverage state lives in the UPS's `event_state["coverage"]` with the rest of its event state
(the sweep carries it over), so a restart neither repeats nor misses an event.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.fields.data import JSON_DUMPS
from tortoise.transactions import in_transaction

from powerpulse.db import dialect
from powerpulse.db.models import Event, UpsLiveState
from powerpulse.nut.client import NutClient
from powerpulse.nut.errors import NutError, NutResponseError, NutUnknownUps
from powerpulse.nut.protocol import check_name
from powerpulse.poller import lease_store
from powerpulse.poller.config_cache import ServerConfig
from powerpulse.poller.live_state import LiveRow, event_row
from powerpulse.shutdown import coverage
from powerpulse.shutdown.protected_hosts import Entries, Resolver, load_entries, resolve_now
from powerpulse.timeutil import utcnow

log = logging.getLogger(__name__)

CLIENTS_INTERVAL = 30.0
CLIENTS_REFRESH = 300.0
RULES = coverage.Rules(grace_reads=2, grace_seconds=20.0)
COVERAGE_KEY = "coverage"  # in UpsLiveState.event_state
# One resolver per process: its cache serves every server's watch.
RESOLVER = Resolver()

_CLIENTS_SQL = "UPDATE ups_live_state SET clients = ?, clients_at = ? WHERE ups_id = ?"
_STATE_SQL = "UPDATE ups_live_state SET event_state = ? WHERE ups_id = ?"


@dataclass
class Stored:
    """What the database holds of one UPS's clients."""

    clients: list[str] | None = None
    at: datetime | None = None


@dataclass
class WatchResult:
    read: int = 0  # UPS whose clients were read
    written: int = 0  # rows written
    events: int = 0


class ClientWatch:
    """The LIST CLIENT side of one `ServerPoller`. Not thread-safe; the poller's task drives it."""

    def __init__(
        self, resolver: Resolver | None = None, rules: coverage.Rules | None = None
    ) -> None:
        self.resolver = resolver or RESOLVER
        self.rules = rules or RULES
        self.interval = CLIENTS_INTERVAL
        self.due = 0.0  # monotonic: at the first good poll, then every interval
        self._config: ServerConfig | None = None
        self._entries: Entries = {}
        self._stored: dict[int, Stored] = {}

    def is_due(self) -> bool:
        return time.monotonic() >= self.due

    async def configure(self, config: ServerConfig) -> None:
        """Load the expected hosts and the stored lists when the configuration changed (the
        api bumps the config counter on every protected-host or plan change)."""
        if config is self._config:
            return
        ids = [u.id for u in config.ups]
        entries = await load_entries(ids)
        rows = await UpsLiveState.filter(ups_id__in=ids).values("ups_id", "clients", "clients_at")
        stored = {r["ups_id"]: Stored(_address_list(r["clients"]), r["clients_at"]) for r in rows}
        if entries != self._entries:
            self.due = 0.0  # a host became expected (or stopped being): look now
        self._config, self._entries, self._stored = config, entries, stored

    async def read(
        self,
        client: NutClient,
        config: ServerConfig,
        rows: dict[int, LiveRow],
        lease: lease_store.Guard | None,
    ) -> WatchResult:
        """One LIST CLIENT exchange for the server's UPS; store what changed and the events."""
        self.due = time.monotonic() + self.interval
        await self.configure(config)
        ups = [u for u in config.ups if u.id in rows and _valid(u.name)]
        if not ups:
            return WatchResult()
        try:
            replies = await client.list_clients_many([u.name for u in ups])
        except NutError as err:  # the next poll sees an outage, if it is one
            log.info("NUT server %s: LIST CLIENT failed: %s", config.label, err)
            return WatchResult()
        at = utcnow()
        now = at.timestamp()
        result = WatchResult()
        lists: list[list[Any]] = []
        states: list[tuple[LiveRow, dict[str, Any] | None]] = []  # row, event_state before
        events: list[Event] = []
        for u in ups:
            reply = replies.get(u.name)
            row = rows[u.id]
            if reply is None or isinstance(reply, NutUnknownUps):
                clients: list[str] | None = None  # gone from upsd: comm_lost tells; unknown here
            elif isinstance(reply, NutResponseError):
                clients = None  # refused: no coverage for this server, never an alert
                stored = self._stored.get(u.id, Stored())
                if stored.clients is not None or stored.at is None:
                    log.info(
                        "NUT server %s does not list clients of %s: %s", config.label, u.name, reply
                    )
                    lists.append([None, at, u.id])
                    self._stored[u.id] = Stored(None, at)
            else:
                clients = reply
                result.read += 1
                stored = self._stored.get(u.id, Stored())
                stale = stored.at is None or (at - stored.at).total_seconds() >= CLIENTS_REFRESH
                if stored.clients != clients or stale:
                    lists.append([JSON_DUMPS(clients), at, u.id])
                    self._stored[u.id] = Stored(list(clients), at)
            before = row.event_state
            previous = (before or {}).get(COVERAGE_KEY)
            expected = resolve_now(self._entries.get(u.id, ()), self.resolver)
            if not expected and previous is None:
                continue
            state, found = coverage.evaluate(previous, expected, clients, now, self.rules)
            if state != previous:
                states.append((row, before))
                row.event_state = {**(before or {}), COVERAGE_KEY: state}
            events += [event_row(u.id, e, at) for e in found]
        if not (lists or states or events):
            return result
        try:
            async with in_transaction() as conn:
                if lease is not None:
                    await lease_store.guard(lease, at, conn)
                await dialect.execute_many(_CLIENTS_SQL, lists, conn)
                await dialect.execute_many(
                    _STATE_SQL, [[JSON_DUMPS(r.event_state), r.ups_id] for r, _ in states], conn
                )
                if events:
                    await Event.bulk_create(events, using_db=conn)
        except BaseException:
            # Nothing stored: the next read decides again, from the state as it was.
            for row, before in states:
                row.event_state = before
            self._stored = {}
            self._config = None
            raise
        result.written = len(lists) + len(states)
        result.events = len(events)
        return result


def _valid(name: str) -> bool:
    try:
        check_name(name, "UPS name")
    except ValueError:
        return False
    return True


def _address_list(value: Any) -> list[str] | None:
    if not isinstance(value, list):
        return None
    return [str(v) for v in value]
