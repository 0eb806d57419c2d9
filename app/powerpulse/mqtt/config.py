"""`MQTT_*` variables → `MqttConfig` (pure; `Settings.from_env` calls it)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

DEFAULT_PORTS = {"mqtt": 1883, "mqtts": 8883}
TOPIC_PART = re.compile(r"^[A-Za-z0-9_\-/]{1,64}$")


class MqttConfigError(ValueError):
    pass


@dataclass(frozen=True)
class MqttConfig:
    host: str
    port: int
    tls: bool
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None
    prefix: str = "powerpulse"
    discovery_prefix: str | None = "homeassistant"  # None: no Home Assistant discovery


def _topic(value: str, name: str) -> str:
    value = value.strip().strip("/")
    if not TOPIC_PART.match(value) or "//" in value:
        raise MqttConfigError(f"{name} must be letters, digits, _ - and /, got {value!r}")
    return value


def _without_password(url: str) -> str:
    return re.sub(r"//([^/@:]*):[^/@]*@", r"//\1:•••@", url)


def parse(env: Mapping[str, str]) -> MqttConfig | None:
    """None when `MQTT_URL` is unset (no publisher); a `MqttConfigError` for a bad value."""
    url = env.get("MQTT_URL", "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    shown = _without_password(url)  # error messages end up in logs: never the password
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise MqttConfigError(
            f"MQTT_URL must be mqtt://host[:port] or mqtts://host[:port], got {shown!r}"
        )
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise MqttConfigError(f"MQTT_URL has a bad port: {shown!r}") from None
    username = env.get("MQTT_USERNAME", "").strip() or (
        unquote(parts.username) if parts.username else None
    )
    password = env.get("MQTT_PASSWORD", "") or (unquote(parts.password) if parts.password else None)
    ca = env.get("MQTT_CA_FILE", "").strip()
    if ca and not Path(ca).is_file():
        raise MqttConfigError(f"MQTT_CA_FILE {ca!r} is not a file")
    discovery = env.get("MQTT_DISCOVERY_PREFIX", "homeassistant").strip()
    return MqttConfig(
        host=parts.hostname,
        port=port,
        tls=parts.scheme == "mqtts" or bool(ca),
        username=username,
        password=password or None,
        ca_file=Path(ca) if ca else None,
        prefix=_topic(env.get("MQTT_PREFIX", "") or "powerpulse", "MQTT_PREFIX"),
        discovery_prefix=_topic(discovery, "MQTT_DISCOVERY_PREFIX") if discovery else None,
    )
