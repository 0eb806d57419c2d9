"""The MQTT publisher (issue 14, section 6) against a real Mosquitto broker and a real upsd:
Home Assistant discovery for every UPS, retained state and events, a state change after upsd
reports OB, surviving the broker's restart, and polling that never waits on the broker."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import aiomqtt
import orjson
import pytest

from powerpulse.config import Settings
from powerpulse.mqtt.config import parse
from powerpulse.mqtt.publisher import MqttPublisher
from powerpulse.poller.loop import Poller
from tests.poller.conftest import add_nut, live
from tests.support.mosquitto import Mosquitto
from tests.support.nut_server import NutServer as RealNut

pytestmark = pytest.mark.timeout(120)


class Subscriber:
    """A real MQTT client that keeps the last payload of every topic it sees (as HA does)."""

    def __init__(self, broker: Mosquitto) -> None:
        self.broker = broker
        self.seen: dict[str, bytes] = {}
        self.count: dict[str, int] = {}
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            try:
                async with aiomqtt.Client(
                    "127.0.0.1", self.broker.port,
                    username=self.broker.username, password=self.broker.password,
                ) as client:  # fmt: skip
                    await client.subscribe("#")
                    async for message in client.messages:
                        topic = str(message.topic)
                        self.seen[topic] = bytes(message.payload)  # type: ignore[arg-type]
                        self.count[topic] = self.count.get(topic, 0) + 1
            except aiomqtt.MqttError:
                await asyncio.sleep(0.2)  # the broker restarts: come back

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def close(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def json(self, topic: str) -> Any:
        return orjson.loads(self.seen[topic])

    async def until(self, check: Callable[[], bool], what: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError(f"never saw {what}; topics: {sorted(self.seen)}")
            await asyncio.sleep(0.1)


@pytest.fixture
def broker() -> Any:
    with Mosquitto() as running:
        yield running


@pytest.fixture
async def subscriber(broker: Mosquitto) -> AsyncIterator[Subscriber]:
    sub = Subscriber(broker)
    sub.start()
    yield sub
    await sub.close()


def mqtt_settings(db: Settings, broker: Mosquitto, url: str | None = None) -> Settings:
    config = parse(
        {
            "MQTT_URL": url or broker.url,
            "MQTT_USERNAME": broker.username,
            "MQTT_PASSWORD": broker.password,
        }
    )
    return replace(db, mqtt=config)


@contextlib.asynccontextmanager
async def publishing(settings: Settings) -> AsyncIterator[MqttPublisher]:
    assert settings.mqtt is not None
    publisher = MqttPublisher(settings, settings.mqtt, tick=0.1)
    stop = asyncio.Event()
    task = asyncio.create_task(publisher.run(stop))
    try:
        yield publisher
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)


async def test_discovery_state_and_an_outage_reach_the_broker(
    db: Settings, nut: RealNut, broker: Mosquitto, subscriber: Subscriber
) -> None:
    ids = await add_nut(nut)
    poller = Poller(db)
    try:
        await poller.sweep_once()
        ups1 = ids["ups1"]
        state = f"powerpulse/ups/ups{ups1}/state"
        config = f"homeassistant/sensor/powerpulse_ups{ups1}/charge/config"
        on_battery = f"homeassistant/binary_sensor/powerpulse_ups{ups1}/on_battery/config"
        async with publishing(mqtt_settings(db, broker)):
            await subscriber.until(lambda: state in subscriber.seen, "the state")
            await subscriber.until(lambda: on_battery in subscriber.seen, "discovery")
            assert subscriber.seen["powerpulse/status"] == b"online"
            charge = subscriber.json(config)
            assert charge["state_topic"] == state and charge["unit_of_measurement"] == "%"
            assert charge["device_class"] == "battery" and charge["unique_id"].endswith("_charge")
            assert charge["device"]["identifiers"] == [f"powerpulse_ups{ups1}"]
            assert charge["availability_topic"] == "powerpulse/status"
            assert charge["default_entity_id"] == f"sensor.powerpulse_ups{ups1}_charge"
            for sensor in ("runtime", "load", "input_voltage", "output_voltage", "status"):
                assert (
                    f"homeassistant/sensor/powerpulse_ups{ups1}/{sensor}/config" in subscriber.seen
                )
            flag = subscriber.json(on_battery)
            assert flag["value_template"] == "{{ 'ON' if value_json.onBattery else 'OFF' }}"
            first = subscriber.json(state)
            assert first["onBattery"] is False and first["status"] == "Online"
            assert first["batteryCharge"] == 100
            # upsd reports the mains lost: the state and an event follow.
            nut.set_status("ups1", "OB DISCHRG", battery_charge="77")
            deadline = time.monotonic() + 15
            while (await live(ups1)).status_tokens != "OB DISCHRG":
                assert time.monotonic() < deadline, "the poller never saw OB"
                await poller.sweep_once()
                await asyncio.sleep(0.2)
            await subscriber.until(lambda: subscriber.json(state)["onBattery"], "onBattery true")
            after = subscriber.json(state)
            assert after["status"] == "On Battery" and after["batteryCharge"] == 77
            event = f"powerpulse/ups/ups{ups1}/event"
            await subscriber.until(lambda: event in subscriber.seen, "the event")
            assert subscriber.json(event)["kind"] == "on_battery"
        # A clean stop leaves "offline" for Home Assistant.
        await subscriber.until(
            lambda: subscriber.seen.get("powerpulse/status") == b"offline", "offline"
        )
    finally:
        await poller.close()


async def test_the_publisher_survives_a_broker_restart_and_republishes(
    db: Settings, nut: RealNut, broker: Mosquitto, subscriber: Subscriber
) -> None:
    ids = await add_nut(nut)
    poller = Poller(db)
    try:
        await poller.sweep_once()
        state = f"powerpulse/ups/ups{ids['ups2']}/state"
        async with publishing(mqtt_settings(db, broker)) as publisher:
            await subscriber.until(lambda: state in subscriber.seen, "the first state")
            broker.stop()
            # Polling goes on while the broker is down, without waiting on it.
            started = time.monotonic()
            for _ in range(3):
                await poller.sweep_once()
            assert time.monotonic() - started < 5
            subscriber.seen.clear()
            broker.restart()  # retained messages are gone with it
            await subscriber.until(lambda: state in subscriber.seen, "the state again", 40)
            assert publisher.connects >= 2
            assert subscriber.seen.get("powerpulse/status") == b"online"
    finally:
        await poller.close()


async def test_a_removed_ups_leaves_home_assistant_even_when_removed_while_away(
    db: Settings, nut: RealNut, broker: Mosquitto, subscriber: Subscriber
) -> None:
    from powerpulse.db import counters
    from powerpulse.db.models import UpsSystem

    ids = await add_nut(nut)
    poller = Poller(db)
    try:
        await poller.sweep_once()
        first, second = ids["ups1"], ids["ups2"]
        topics = {u: f"homeassistant/sensor/powerpulse_ups{u}/charge/config" for u in ids.values()}
        settings = mqtt_settings(db, broker)
        async with publishing(settings):
            await subscriber.until(lambda: topics[second] in subscriber.seen, "discovery")
            await UpsSystem.filter(id=second).delete()
            await counters.bump(counters.CONFIG)
            await subscriber.until(lambda: subscriber.seen.get(topics[second]) == b"", "removal")
        # Deleted while PowerPulse was stopped: a new publisher finds it in the broker's
        # retained discovery and removes it too.
        await UpsSystem.filter(id=first).delete()
        async with publishing(settings):
            await subscriber.until(lambda: subscriber.seen.get(topics[first]) == b"", "stray")
    finally:
        await poller.close()


async def test_wrong_credentials_are_retried_and_never_raise(
    db: Settings, broker: Mosquitto
) -> None:
    settings = replace(
        db, mqtt=parse({"MQTT_URL": broker.url, "MQTT_USERNAME": "x", "MQTT_PASSWORD": "nope"})
    )
    assert settings.mqtt is not None
    publisher = MqttPublisher(settings, settings.mqtt, tick=0.1)
    stop = asyncio.Event()
    task = asyncio.create_task(publisher.run(stop))
    await asyncio.sleep(2.5)
    assert not task.done() and publisher.connects == 0
    stop.set()
    await asyncio.wait_for(task, 10)
