"""Publishes every UPS to MQTT (`messages`), in the poller process but apart from polling: it
reads what the poller wrote, once a second and only when the live or config counters moved
(or every `REFRESH` seconds, for staleness), so a slow or absent broker never delays a poll.

On each (re)connect it publishes everything again — availability, discovery, every state —
since a restarted broker may have lost its retained messages. Connection errors are logged and
retried with a growing pause (1 s … 30 s); nothing here can stop the poller.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import ssl
import time
from typing import Any

import aiomqtt
import orjson

from powerpulse.api.safe_ups import ups_object
from powerpulse.config import Settings
from powerpulse.db import counters
from powerpulse.db.models import Event, UpsLiveState, UpsSystem
from powerpulse.mqtt import messages
from powerpulse.mqtt.config import MqttConfig
from powerpulse.timeutil import iso, utcnow

log = logging.getLogger(__name__)

TICK = 1.0
REFRESH = 30.0  # republish changed states at least this often even when no counter moved
MAX_BACKOFF = 30.0
EVENT_BATCH = 200
RETAINED_WAIT = 1.0  # how long the broker gets to send back our retained discovery


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def _dumps(value: Any) -> bytes:
    return orjson.dumps(value)


class MqttPublisher:
    def __init__(self, settings: Settings, config: MqttConfig, *, tick: float = TICK) -> None:
        self.settings = settings
        self.config = config
        self.tick = tick
        self.connects = 0
        self._states: dict[int, dict[str, Any]] = {}
        # Discovery sent in this connection; every UPS ever announced (kept across reconnects,
        # so that one deleted meanwhile is still removed).
        self._sent: set[int] = set()
        self._known: set[int] = set()
        self._last_event: int | None = None
        self._counters: tuple[int, int] | None = None
        self._synced_at = 0.0

    def _client(self) -> aiomqtt.Client:
        tls = None
        if self.config.tls:
            cafile = str(self.config.ca_file) if self.config.ca_file else None
            tls = ssl.create_default_context(cafile=cafile)
        return aiomqtt.Client(
            self.config.host,
            self.config.port,
            username=self.config.username,
            password=self.config.password,
            identifier=f"powerpulse-{socket.gethostname()}-{os.getpid()}",
            will=aiomqtt.Will(messages.availability_topic(self.config), "offline", 1, True),
            tls_context=tls,
            timeout=10,
            keepalive=30,
        )

    async def run(self, stop: asyncio.Event) -> None:
        backoff = 1.0
        while not stop.is_set():
            try:
                async with self._client() as client:
                    self.connects += 1
                    backoff = 1.0
                    log.info("MQTT: connected to %s:%s", self.config.host, self.config.port)
                    await self._session(client, stop)
            except aiomqtt.MqttError as err:
                log.warning("MQTT: %s; trying again in %.0f s", err, backoff)
            except Exception:
                log.exception("MQTT publisher failed; trying again in %.0f s", backoff)
            if stop.is_set():
                return
            await _sleep_or_stop(stop, backoff)
            backoff = min(MAX_BACKOFF, backoff * 2)

    async def _session(self, client: aiomqtt.Client, stop: asyncio.Event) -> None:
        self._states.clear()
        self._sent.clear()
        self._counters = None
        await client.publish(messages.availability_topic(self.config), "online", 1, True)
        await self._find_strays(client)
        if self._last_event is None:  # new events only: history is in the API
            last = await Event.all().order_by("-id").first()
            self._last_event = int(last.id) if last else 0
        while not stop.is_set():
            await self.sync(client)
            await _sleep_or_stop(stop, self.tick)
        await client.publish(messages.availability_topic(self.config), "offline", 1, True)

    async def _find_strays(self, client: aiomqtt.Client) -> None:
        """Read back our retained discovery: a UPS deleted while we were away (restarted, or
        the broker unreachable) is marked announced, so the next sync removes it."""
        if self.config.discovery_prefix is None:
            return
        pattern = f"{self.config.discovery_prefix}/+/+/+/config"
        await client.subscribe(pattern)
        seen: set[int] = set()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(RETAINED_WAIT):
                async for message in client.messages:
                    ups_id = messages.ups_of_discovery_topic(str(message.topic))
                    if ups_id is not None and message.payload:
                        seen.add(ups_id)
        await client.unsubscribe(pattern)
        present = set(await UpsSystem.all().values_list("id", flat=True))
        self._known |= seen - present

    async def _moved(self) -> bool:
        now = time.monotonic()
        seen = (await counters.read(counters.LIVE), await counters.read(counters.CONFIG))
        if seen == self._counters and now - self._synced_at < REFRESH:
            return False
        self._counters, self._synced_at = seen, now
        return True

    async def sync(self, client: aiomqtt.Client) -> None:
        """Publish what changed since the last call: states, discovery, removals, events."""
        if await self._moved():
            await self._publish_states(client)
        await self._publish_events(client)

    async def _publish_states(self, client: aiomqtt.Client) -> None:
        systems = await UpsSystem.all().order_by("id").select_related("nut_server")
        lives = {live.ups_id: live for live in await UpsLiveState.all()}  # type: ignore[attr-defined]
        now, poll = utcnow(), self.settings.poll_interval
        # Mapping many UPS is CPU work: in a thread, so the poller's loop keeps its rhythm.
        objects = await asyncio.to_thread(
            lambda: [
                (ups, ups_object(ups, lives.get(ups.id), now=now, poll_interval=poll, public=True))
                for ups in systems
            ]
        )
        present = set()
        for ups, obj in objects:
            present.add(ups.id)
            if ups.id not in self._sent:
                for topic, body in messages.discovery(self.config, obj).items():
                    await client.publish(topic, _dumps(body), 1, True)
                self._sent.add(ups.id)
                self._known.add(ups.id)
            state = messages.state_payload(obj)
            previous = self._states.get(ups.id)
            if previous is None or _without_time(previous) != _without_time(state):
                await client.publish(
                    messages.state_topic(self.config, ups.id), _dumps(state), 1, True
                )
                self._states[ups.id] = state
        for gone in sorted(self._known - present):
            for topic in messages.discovery_topics(self.config, gone):
                await client.publish(topic, b"", 1, True)  # empty + retained: removed
            await client.publish(messages.state_topic(self.config, gone), b"", 1, True)
            await client.publish(messages.event_topic(self.config, gone), b"", 1, True)
            self._known.discard(gone)
            self._sent.discard(gone)
            self._states.pop(gone, None)

    async def _publish_events(self, client: aiomqtt.Client) -> None:
        rows = await Event.filter(id__gt=self._last_event or 0).order_by("id").limit(EVENT_BATCH)
        for row in rows:
            ups_id = int(row.ups_id)  # type: ignore[attr-defined]
            body = messages.event_payload(
                int(row.id), row.kind, row.new_status, iso(row.occurred_at), ups_id
            )
            await client.publish(messages.event_topic(self.config, ups_id), _dumps(body), 1, True)
            self._last_event = int(row.id)


def _without_time(state: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in state.items() if k != "lastUpdated"}
