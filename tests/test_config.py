"""Settings from the environment: defaults that work locally, invalid values named."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from powerpulse.config import ConfigError, Settings


def test_defaults_work_locally() -> None:
    settings = Settings.from_env({})
    assert settings.port == 8080
    assert settings.poll_interval == 5.0
    assert settings.history_interval == 60.0
    assert settings.history_retention_days == 30
    assert settings.db_url.startswith("sqlite://") and settings.db_url.endswith("powerpulse.db")


def test_fractional_poll_interval_is_allowed() -> None:
    assert Settings.from_env({"POLL_INTERVAL": "0.5"}).poll_interval == 0.5


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "abc"),
        ("PORT", "70000"),
        ("POLL_INTERVAL", "0"),
        ("HISTORY_INTERVAL", "soon"),
        ("HISTORY_RETENTION_DAYS", "-1"),
        ("NUT_TIMEOUT", "x"),
        ("LOG_LEVEL", "LOUD"),
        ("SMTP_SECURITY", "ssl3"),
        ("JWT_SECRET", "too-short"),
        ("SECRETS_KEY", "too-short"),
        ("DATABASE_URL", "mysql://db/powerpulse"),
        ("DATABASE_URL", "postgres://db"),  # names no database
        ("WEBHOOK_ALLOWED_HOSTS", "http://evil/path"),
    ],
)
def test_invalid_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})


def test_jwt_secret_generated_once_with_mode_0600(tmp_path: Path) -> None:
    settings = Settings.from_env({"POWERPULSE_DATA_DIR": str(tmp_path / "data")})
    first = settings.resolve_jwt_secret()
    assert len(first) >= 32
    assert settings.resolve_jwt_secret() == first
    mode = stat.S_IMODE(os.stat(settings.jwt_secret_path).st_mode)
    assert mode == 0o600


def test_jwt_secret_from_the_environment_wins(tmp_path: Path) -> None:
    secret = "an-operator-chosen-secret-of-enough-length"
    settings = Settings.from_env({"POWERPULSE_DATA_DIR": str(tmp_path), "JWT_SECRET": secret})
    assert settings.resolve_jwt_secret() == secret
    assert not settings.jwt_secret_path.exists()


def test_secrets_key_from_the_environment_seals_stored_secrets(tmp_path: Path) -> None:
    key = "an-operator-chosen-secrets-key-of-enough-length"
    settings = Settings.from_env({"POWERPULSE_DATA_DIR": str(tmp_path), "SECRETS_KEY": key})
    sealed = settings.secret_box().seal("ssh-password")
    other = Settings.from_env({"POWERPULSE_DATA_DIR": str(tmp_path / "b"), "SECRETS_KEY": key})
    assert other.secret_box().open(sealed) == "ssh-password"  # another machine, the same key
    assert not (tmp_path / "secrets_key").exists()


def test_mqtt_is_off_unless_a_broker_url_is_set() -> None:
    assert Settings.from_env({}).mqtt is None
    mqtt = Settings.from_env({"MQTT_URL": "mqtt://ha:s%40cret@broker.lan"}).mqtt
    assert mqtt is not None and (mqtt.host, mqtt.port, mqtt.tls) == ("broker.lan", 1883, False)
    assert (mqtt.username, mqtt.password) == ("ha", "s@cret")
    assert (mqtt.prefix, mqtt.discovery_prefix) == ("powerpulse", "homeassistant")
    assert "s@cret" not in repr(Settings.from_env({"MQTT_URL": "mqtt://ha:s%40cret@b"}))


def test_mqtt_tls_credentials_and_prefixes() -> None:
    mqtt = Settings.from_env(
        {
            "MQTT_URL": "mqtts://broker.lan",
            "MQTT_USERNAME": "pp",
            "MQTT_PASSWORD": "pw",
            "MQTT_PREFIX": "site/a/",
            "MQTT_DISCOVERY_PREFIX": "",
        }
    ).mqtt
    assert mqtt is not None and (mqtt.port, mqtt.tls, mqtt.username) == (8883, True, "pp")
    assert mqtt.prefix == "site/a" and mqtt.discovery_prefix is None


@pytest.mark.parametrize(
    ("env", "word"),
    [
        ({"MQTT_URL": "http://broker"}, "MQTT_URL"),
        ({"MQTT_URL": "mqtt://"}, "MQTT_URL"),
        ({"MQTT_URL": "mqtt://b:99999"}, "port"),
        ({"MQTT_URL": "mqtt://b", "MQTT_PREFIX": "a+b"}, "MQTT_PREFIX"),
        ({"MQTT_URL": "mqtt://b", "MQTT_CA_FILE": "/nonexistent/ca.pem"}, "MQTT_CA_FILE"),
    ],
)
def test_bad_mqtt_settings_name_the_variable(env: dict[str, str], word: str) -> None:
    with pytest.raises(ConfigError, match=word):
        Settings.from_env(env)
