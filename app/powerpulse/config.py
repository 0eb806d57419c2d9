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

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
SMTP_SECURITY_MODES = ("starttls", "tls", "none")
JWT_SECRET_FILE = "jwt_secret"  # noqa: S105 (a file name, not a secret)


class ConfigError(ValueError):
    """An environment variable holds a value PowerPulse cannot use."""


def _package_version() -> str:
    from powerpulse import __version__

    return __version__


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


@dataclass(frozen=True)
class Settings:
    """Process-wide configuration. Build it with `Settings.from_env()`."""

    port: int = 8080
    host: str = "0.0.0.0"
    data_dir: Path = Path("./data")
    database_url: str = ""
    jwt_secret: str | None = None
    poll_interval: float = 5.0
    history_interval: float = 60.0
    history_retention_days: int = 30
    nut_timeout: float = 5.0
    comm_grace_seconds: float = 30.0
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

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("POWERPULSE_DATA_DIR", "").strip() or "./data")
        database_url = env.get("DATABASE_URL", "").strip()
        if database_url.startswith(("postgres://", "postgresql://")):
            # The history rollups and bucket queries are SQLite SQL for now; refusing here beats
            # a poller that starts and then fails on its first sample.
            raise ConfigError("DATABASE_URL: PostgreSQL is not supported yet, use sqlite://<path>")
        if database_url and not database_url.startswith("sqlite://"):
            raise ConfigError("DATABASE_URL must start with sqlite://")
        jwt_secret = env.get("JWT_SECRET", "").strip() or None
        if jwt_secret is not None and len(jwt_secret.encode()) < 32:
            raise ConfigError("JWT_SECRET must be at least 32 bytes (HS256 needs a 256-bit key)")
        webui = env.get("POWERPULSE_WEBUI_DIR", "").strip()
        smtp_port_default = 465 if env.get("SMTP_SECURITY", "").strip().lower() == "tls" else 587
        return cls(
            port=_int(env, "PORT", 8080, 1, 65535),
            host=env.get("HOST", "").strip() or "0.0.0.0",
            data_dir=data_dir,
            database_url=database_url,
            jwt_secret=jwt_secret,
            poll_interval=_float(env, "POLL_INTERVAL", 5.0, 0.2, 3600.0),
            history_interval=_float(env, "HISTORY_INTERVAL", 60.0, 1.0, 86400.0),
            history_retention_days=_int(env, "HISTORY_RETENTION_DAYS", 30, 1, 3650),
            nut_timeout=_float(env, "NUT_TIMEOUT", 5.0, 0.1, 120.0),
            comm_grace_seconds=_float(env, "COMM_GRACE_SECONDS", 30.0, 0.0, 3600.0),
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
