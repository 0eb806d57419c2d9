"""Every setting PowerPulse reads from the environment, validated in one place.

`Settings.from_env()` is the only reader of `os.environ` in the package: the workers, the CLI and
the entrypoint all go through it, so an invalid value stops start-up with a message naming the
variable instead of surfacing later as a strange failure.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from powerpulse.mqtt.config import MqttConfig, MqttConfigError
from powerpulse.mqtt.config import parse as parse_mqtt

if TYPE_CHECKING:
    from powerpulse.secret_box import SecretBox

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
SMTP_SECURITY_MODES = ("starttls", "tls", "none")
JWT_SECRET_FILE = "jwt_secret"  # noqa: S105 (a file name, not a secret)


class ConfigError(ValueError):
    """An environment variable holds a value PowerPulse cannot use."""


def _package_version() -> str:
    from powerpulse import __version__

    return __version__


@dataclass(frozen=True)
class Bound:
    """A setting an admin may also change at runtime (`powerpulse.runtime_settings`): its
    environment variable, `Settings` attribute, default and bounds, the one definition both the
    environment and the API validate against."""

    env: str
    attr: str
    kind: type[int] | type[float]
    default: float
    lo: float
    hi: float
    unit: str

    def check(self, value: object) -> float:
        """`value` as this setting's type when within bounds; ValueError saying why otherwise."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"must be a number of {self.unit}")
        if not self.lo <= value <= self.hi:  # NaN and infinities fail this too
            raise ValueError(f"must be between {self.lo:g} and {self.hi:g} {self.unit}")
        if self.kind is int and value != int(value):
            raise ValueError(f"must be a whole number of {self.unit}")
        return self.kind(value)


RUNTIME_BOUNDS = (
    Bound("POLL_INTERVAL", "poll_interval", float, 5.0, 0.2, 3600.0, "seconds"),
    Bound("HISTORY_INTERVAL", "history_interval", float, 60.0, 1.0, 86400.0, "seconds"),
    Bound("HISTORY_RETENTION_DAYS", "history_retention_days", int, 30, 1, 3650, "days"),
    Bound("COMM_GRACE_SECONDS", "comm_grace_seconds", float, 30.0, 0.0, 3600.0, "seconds"),
    Bound("DISCOVERY_INTERVAL", "discovery_interval", float, 60.0, 1.0, 86400.0, "seconds"),
    Bound("AUDIT_RETENTION_DAYS", "audit_retention_days", int, 365, 7, 3650, "days"),
)
# The email server's API fields and the variable that, set, wins over each (notify/smtp.py).
SMTP_FIELD_ENV = {
    "host": "SMTP_HOST",
    "port": "SMTP_PORT",
    "user": "SMTP_USER",
    "password": "SMTP_PASSWORD",
    "from": "SMTP_FROM",
    "security": "SMTP_SECURITY",
}
# Variables whose being set is remembered in `Settings.env_set`: set, they win over what an
# admin saved in the UI (runtime settings, the email server).
TRACKED_ENV = tuple(b.env for b in RUNTIME_BOUNDS) + tuple(SMTP_FIELD_ENV.values())
_DEFAULTS = {b.attr: b.default for b in RUNTIME_BOUNDS}


def _bounded(env: Mapping[str, str], bound: Bound) -> float:
    if bound.kind is int:
        return _int(env, bound.env, int(bound.default), int(bound.lo), int(bound.hi))
    return _float(env, bound.env, bound.default, bound.lo, bound.hi)


def _mqtt(env: Mapping[str, str]) -> MqttConfig | None:
    try:
        return parse_mqtt(env)
    except MqttConfigError as err:
        raise ConfigError(str(err)) from None


def _int(env: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{name} must be between {lo} and {hi}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float, lo: float, hi: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, got {raw!r}") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{name} must be between {lo:g} and {hi:g}, got {raw}")
    return value


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if raw.lower() in (c.lower() for c in choices):
        return next(c for c in choices if c.lower() == raw.lower())
    raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")


def _host_list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = env.get(name, "").strip()
    if not raw:
        return ()
    hosts = tuple(h.strip().lower() for h in raw.split(",") if h.strip())
    for host in hosts:
        if "/" in host or " " in host or "@" in host:
            raise ConfigError(f"{name} must be a comma-separated list of host[:port], got {host!r}")
    return hosts


def _sites(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    from powerpulse.poller.leases import parse_sites

    try:
        return parse_sites(env.get(name, ""))
    except ValueError as err:
        raise ConfigError(f"{name}: {err}") from None


POSTGRES_SCHEMES = ("postgres", "postgresql")
# Query parameters Tortoise's asyncpg engine understands; anything else (libpq's `sslmode`)
# would reach asyncpg as an unknown keyword and fail at the first connection instead of here.
POSTGRES_OPTIONS = frozenset(
    {
        "minsize",
        "maxsize",
        "ssl",
        "schema",
        "application_name",
        "timeout",
        "statement_cache_size",
        "max_queries",
        "max_inactive_connection_lifetime",
    }
)
# asyncpg's `ssl` modes, plus true/false.
POSTGRES_SSL_MODES = (
    "true",
    "false",
    "disable",
    "allow",
    "prefer",
    "require",
    "verify-ca",
    "verify-full",
)
DATABASE_URL_SHAPES = "sqlite:///<path> or postgres://user:password@host:port/database"


def check_database_url(url: str) -> str:
    """`url` when it is a SQLite or PostgreSQL URL PowerPulse can open; a ConfigError naming
    what is wrong otherwise. Empty means the SQLite file in the data dir."""
    if not url or url.startswith("sqlite://"):
        if url in ("sqlite://", "sqlite:///"):
            raise ConfigError(f"DATABASE_URL has no file path; use {DATABASE_URL_SHAPES}")
        return url
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in POSTGRES_SCHEMES:
        got = f", not a {scheme!r} URL" if scheme else ""
        raise ConfigError(f"DATABASE_URL must be {DATABASE_URL_SHAPES}{got}")
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise ConfigError("DATABASE_URL: the port must be a number from 1 to 65535") from None
    if port == 0:
        raise ConfigError("DATABASE_URL: the port must be a number from 1 to 65535")
    if not parts.hostname:
        raise ConfigError(f"DATABASE_URL names no host; use {DATABASE_URL_SHAPES}")
    database = parts.path.lstrip("/")
    if not database or "/" in database:
        raise ConfigError(f"DATABASE_URL must name one database; use {DATABASE_URL_SHAPES}")
    options = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(options) - POSTGRES_OPTIONS)
    if unknown:
        raise ConfigError(
            f"DATABASE_URL: unknown option {unknown[0]!r}; "
            f"known: {', '.join(sorted(POSTGRES_OPTIONS))}"
        )
    ssl = options.get("ssl", ["true"])[-1].lower()
    if ssl not in POSTGRES_SSL_MODES:
        raise ConfigError(f"DATABASE_URL: ssl must be one of {', '.join(POSTGRES_SSL_MODES)}")
    return url


@dataclass(frozen=True)
class Settings:
    """Process-wide configuration. Build it with `Settings.from_env()`."""

    port: int = 8080
    host: str = "0.0.0.0"
    data_dir: Path = Path("./data")
    database_url: str = ""
    jwt_secret: str | None = None
    secrets_key: str | None = None  # SECRETS_KEY: seals stored secrets (powerpulse.secret_box)
    # The runtime settings' defaults are RUNTIME_BOUNDS' (one definition).
    poll_interval: float = _DEFAULTS["poll_interval"]
    history_interval: float = _DEFAULTS["history_interval"]
    history_retention_days: int = int(_DEFAULTS["history_retention_days"])
    audit_retention_days: int = int(_DEFAULTS["audit_retention_days"])
    nut_timeout: float = 5.0
    comm_grace_seconds: float = _DEFAULTS["comm_grace_seconds"]
    # How often the poller runs LIST UPS on each server (also on every (re)connect).
    discovery_interval: float = _DEFAULTS["discovery_interval"]
    log_level: str = "INFO"
    tz: str = "UTC"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_from: str = "powerpulse@localhost"
    smtp_security: str = "starttls"
    webhook_allowed_hosts: tuple[str, ...] = ()
    webui_dir: Path | None = None
    docker_socket: str = "/var/run/docker.sock"
    # Baked into the image (POWERPULSE_VERSION); the installed package's version otherwise.
    version: str = ""
    # How long self-update waits for the new container to answer before rolling back.
    update_health_timeout: float = 120.0
    # When set, `GET /metrics` needs it as a bearer token; when empty, /metrics is public.
    metrics_token: str = field(default="", repr=False)
    # The MQTT publisher's broker and topics (`powerpulse.mqtt.config`); None: no publisher.
    mqtt: MqttConfig | None = field(default=None, repr=False)
    # Sanic worker processes of `powerpulse api` (each one an api instance).
    web_concurrency: int = 1
    # Reverse proxies in front of the api whose X-Forwarded-For is believed (0: none, the peer
    # address is the client). Behind nginx set 1, or every client shares the proxy's limits.
    trusted_proxies: int = 0
    # POLLER_SITES: this poller takes only these sites' NUT servers; empty takes every server.
    poller_sites: tuple[str, ...] = ()
    # Test-only override of the lease duration (max(15 s, 3 x POLL_INTERVAL) when unset).
    poller_lease_seconds: float | None = None
    shutdown_lease_seconds: float | None = None  # tests only: a shutdown run's engine lease
    # The TRACKED_ENV variables that were set (only `from_env` fills it).
    env_set: frozenset[str] = frozenset()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("POWERPULSE_DATA_DIR", "").strip() or "./data")
        database_url = check_database_url(env.get("DATABASE_URL", "").strip())
        jwt_secret = env.get("JWT_SECRET", "").strip() or None
        if jwt_secret is not None and len(jwt_secret.encode()) < 32:
            raise ConfigError("JWT_SECRET must be at least 32 bytes (HS256 needs a 256-bit key)")
        secrets_key = env.get("SECRETS_KEY", "").strip() or None
        if secrets_key is not None and len(secrets_key.encode()) < 32:
            raise ConfigError("SECRETS_KEY must be at least 32 bytes")
        webui = env.get("POWERPULSE_WEBUI_DIR", "").strip()
        runtime = {b.attr: _bounded(env, b) for b in RUNTIME_BOUNDS}
        env_set = frozenset(
            n
            for n in TRACKED_ENV
            if (env.get(n, "") if n == "SMTP_PASSWORD" else env.get(n, "").strip())
        )
        smtp_port_default = 465 if env.get("SMTP_SECURITY", "").strip().lower() == "tls" else 587
        return cls(
            port=_int(env, "PORT", 8080, 1, 65535),
            host=env.get("HOST", "").strip() or "0.0.0.0",
            data_dir=data_dir,
            database_url=database_url,
            jwt_secret=jwt_secret,
            secrets_key=secrets_key,
            nut_timeout=_float(env, "NUT_TIMEOUT", 5.0, 0.1, 120.0),
            log_level=_choice(env, "LOG_LEVEL", "INFO", LOG_LEVELS),
            tz=env.get("TZ", "").strip() or "UTC",
            smtp_host=env.get("SMTP_HOST", "").strip(),
            smtp_port=_int(env, "SMTP_PORT", smtp_port_default, 1, 65535),
            smtp_user=env.get("SMTP_USER", "").strip(),
            smtp_password=env.get("SMTP_PASSWORD", ""),
            smtp_from=env.get("SMTP_FROM", "").strip() or "powerpulse@localhost",
            smtp_security=_choice(env, "SMTP_SECURITY", "starttls", SMTP_SECURITY_MODES),
            webhook_allowed_hosts=_host_list(env, "WEBHOOK_ALLOWED_HOSTS"),
            webui_dir=Path(webui) if webui else None,
            docker_socket=env.get("DOCKER_SOCKET", "").strip() or "/var/run/docker.sock",
            version=env.get("POWERPULSE_VERSION", "").strip() or _package_version(),
            update_health_timeout=_float(env, "UPDATE_HEALTH_TIMEOUT", 120.0, 10.0, 3600.0),
            metrics_token=env.get("METRICS_TOKEN", "").strip(),
            mqtt=_mqtt(env),
            web_concurrency=_int(env, "WEB_CONCURRENCY", 1, 1, 64),
            trusted_proxies=_int(env, "TRUSTED_PROXIES", 0, 0, 10),
            poller_sites=_sites(env, "POLLER_SITES"),
            poller_lease_seconds=_float(env, "POLLER_LEASE_SECONDS", 0.0, 1.0, 3600.0) or None,
            shutdown_lease_seconds=_float(env, "SHUTDOWN_LEASE_SECONDS", 0.0, 1.0, 3600.0) or None,
            env_set=env_set,
            **runtime,  # type: ignore[arg-type]
        )

    @property
    def db_url(self) -> str:
        """The database URL in effect: `DATABASE_URL`, else a SQLite file in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite://{(self.data_dir / 'powerpulse.db').resolve()}"

    @property
    def jwt_secret_path(self) -> Path:
        return self.data_dir / JWT_SECRET_FILE

    def resolve_jwt_secret(self) -> str:
        """`JWT_SECRET`, else the secret generated once into the data dir (mode 0600)."""
        if self.jwt_secret:
            return self.jwt_secret
        return ensure_secret_file(self.jwt_secret_path)

    def secret_box(self) -> SecretBox:
        """What seals stored secrets: `SECRETS_KEY`, else the data dir's `secrets_key` file."""
        from powerpulse.secret_box import box  # late: secret_box imports this module

        return box(self.data_dir, self.secrets_key)


def ensure_secret_file(path: Path) -> str:
    """Read the secret at `path`, creating it atomically with mode 0600 when missing.

    `O_EXCL` makes the creation race-free when both workers start at once: the loser reads what
    the winner wrote.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            value = path.read_text().strip()
            if value:
                return value
            time.sleep(0.02)
        raise ConfigError(
            f"{path} exists but is empty; delete it to generate a new secret"
        ) from None
    value = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value
