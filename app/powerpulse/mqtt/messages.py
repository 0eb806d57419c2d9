"""Topics and payloads (pure), from the API's public UPS objects (`safe_ups.ups_object`, the
kiosk's view: status and readings, no serials, ports or server addresses).

- `<prefix>/status`: `online` / `offline` (the broker sends `offline` as our last will);
- `<prefix>/ups/<key>/state`: the UPS as JSON, retained;
- `<prefix>/ups/<key>/event`: its last power event, retained;
- `<discovery>/sensor|binary_sensor/powerpulse_<key>/<sensor>/config`: Home Assistant
  discovery, retained; an empty retained payload removes a UPS that is gone.
`<key>` is `ups<id>`: stable while the UPS exists, whatever it is renamed to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from powerpulse import __version__
from powerpulse.mqtt.config import MqttConfig
from powerpulse.nut.status import runs_on_battery


@dataclass(frozen=True)
class Sensor:
    key: str
    name: str
    field: str  # in the state payload
    unit: str | None = None
    device_class: str | None = None
    state_class: str | None = "measurement"


# What Home Assistant shows for each UPS (the state payload carries them under `field`).
SENSORS = (
    Sensor("charge", "Battery charge", "batteryCharge", "%", "battery"),
    Sensor("runtime", "Runtime", "runtimeRemaining", "min", "duration"),
    Sensor("load", "Load", "load", "%"),  # no device class means "load %"
    Sensor("input_voltage", "Input voltage", "inputVoltage", "V", "voltage"),
    Sensor("output_voltage", "Output voltage", "outputVoltage", "V", "voltage"),
    Sensor("battery_voltage", "Battery voltage", "batteryVoltage", "V", "voltage"),
    Sensor("temperature", "Temperature", "temperature", "°C", "temperature"),
    Sensor("status", "Status", "status", None, None, None),
)
ON_BATTERY = "on_battery"
STATE_FIELDS = (
    "id",
    "name",
    "displayName",
    "site",
    "status",
    "powerState",
    "severity",
    "summaryBucket",
    "batteryCharge",
    "runtimeRemaining",
    "load",
    "inputVoltage",
    "outputVoltage",
    "batteryVoltage",
    "temperature",
    "stale",
    "reachable",
    "lastUpdated",
)


def key_of(ups_id: int) -> str:
    return f"ups{ups_id}"


def availability_topic(config: MqttConfig) -> str:
    return f"{config.prefix}/status"


def state_topic(config: MqttConfig, ups_id: int) -> str:
    return f"{config.prefix}/ups/{key_of(ups_id)}/state"


def event_topic(config: MqttConfig, ups_id: int) -> str:
    return f"{config.prefix}/ups/{key_of(ups_id)}/event"


def state_payload(ups: Mapping[str, Any]) -> dict[str, Any]:
    """The retained state: the readings, and `onBattery` for the binary sensor."""
    out = {k: ups.get(k) for k in STATE_FIELDS}
    out["onBattery"] = runs_on_battery(ups.get("powerState"))
    out["conditions"] = [c.get("code") for c in ups.get("conditions") or [] if isinstance(c, dict)]
    return out


def event_payload(
    event_id: int, kind: str, status: str, at: str | None, ups_id: int
) -> dict[str, Any]:
    return {"id": event_id, "ups": ups_id, "kind": kind, "status": status, "at": at}


def _device(ups: Mapping[str, Any]) -> dict[str, Any]:
    raw = ups.get("deviceDetails")
    details: Mapping[str, Any] = raw if isinstance(raw, dict) else {}
    device: dict[str, Any] = {
        "identifiers": [f"powerpulse_{key_of(int(ups['id']))}"],
        "name": ups.get("displayName") or ups.get("name"),
        "sw_version": __version__,
    }
    if details.get("mfr"):
        device["manufacturer"] = details["mfr"]
    if ups.get("model"):
        device["model"] = ups["model"]
    if ups.get("site"):
        device["suggested_area"] = ups["site"]
    return device


def discovery(config: MqttConfig, ups: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Discovery topic → config, for one UPS: its sensors and the on-battery binary sensor."""
    if config.discovery_prefix is None:
        return {}
    ups_id = int(ups["id"])
    key = key_of(ups_id)
    common = {
        "state_topic": state_topic(config, ups_id),
        "availability_topic": availability_topic(config),
        "device": _device(ups),
        "origin": {"name": "PowerPulse", "sw_version": __version__},
    }
    out: dict[str, dict[str, Any]] = {}
    for sensor in SENSORS:
        body: dict[str, Any] = {
            **common,
            "name": sensor.name,
            "unique_id": f"powerpulse_{key}_{sensor.key}",
            # `default_entity_id` replaced `object_id` (removed in Home Assistant 2026.4).
            "default_entity_id": f"sensor.powerpulse_{key}_{sensor.key}",
            "value_template": "{{ value_json." + sensor.field + " }}",
        }
        for attr, value in (
            ("unit_of_measurement", sensor.unit),
            ("device_class", sensor.device_class),
            ("state_class", sensor.state_class),
        ):
            if value is not None:
                body[attr] = value
        out[f"{config.discovery_prefix}/sensor/powerpulse_{key}/{sensor.key}/config"] = body
    out[f"{config.discovery_prefix}/binary_sensor/powerpulse_{key}/{ON_BATTERY}/config"] = {
        **common,
        "name": "On battery",
        "unique_id": f"powerpulse_{key}_{ON_BATTERY}",
        "default_entity_id": f"binary_sensor.powerpulse_{key}_{ON_BATTERY}",
        "value_template": "{{ 'ON' if value_json.onBattery else 'OFF' }}",
        "payload_on": "ON",
        "payload_off": "OFF",
    }
    return out


def ups_of_discovery_topic(topic: str) -> int | None:
    """The UPS id of one of our discovery topics (`<discovery>/<kind>/powerpulse_ups<id>/…`)."""
    parts = topic.split("/")
    node = parts[-3] if len(parts) >= 4 else ""
    digits = node.removeprefix("powerpulse_ups")
    if node == digits or not digits.isascii() or not digits.isdigit() or len(digits) > 10:
        return None
    return int(digits)


def discovery_topics(config: MqttConfig, ups_id: int) -> list[str]:
    """Every discovery topic of a UPS (to clear when it is gone)."""
    return list(discovery(config, {"id": ups_id, "name": key_of(ups_id)}))
