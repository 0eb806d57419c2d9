"""The one SMTP configuration email channels send through.

An admin may save it in the UI (Settings → Alerting → Email server), stored in the database
(`key_values` "smtp"), so that both workers see it; until then, or after "use the
environment", it is the `SMTP_*` environment of the container. A variable that is set wins
over the saved field (the UI shows that field locked, `locked` in the answer), so an operator
who configures mail in the environment keeps it. The password is write-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from powerpulse.config import SMTP_FIELD_ENV, SMTP_SECURITY_MODES, Settings
from powerpulse.db.models import KeyValue

KEY = "smtp"
ENVIRONMENT, SAVED = "environment", "settings"


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    sender: str
    security: str
    source: str = ENVIRONMENT
    locked: tuple[str, ...] = ()  # the fields an SMTP_* variable sets

    @property
    def configured(self) -> bool:
        return bool(self.host)

    def public(self) -> dict[str, Any]:
        """What the API shows: everything but the password's value."""
        return {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": {"set": bool(self.password)},
            "from": self.sender,
            "security": self.security,
            "source": self.source,
            "locked": list(self.locked),
        }


FIELD_ENV = SMTP_FIELD_ENV  # API field -> the variable that, set, wins over it


def locked_fields(settings: Settings) -> tuple[str, ...]:
    return tuple(f for f, env in FIELD_ENV.items() if env in settings.env_set)


def _env_values(settings: Settings) -> dict[str, Any]:
    return {
        "host": settings.smtp_host,
        "port": settings.smtp_port,
        "user": settings.smtp_user,
        "password": settings.smtp_password,
        "from": settings.smtp_from,
        "security": settings.smtp_security,
    }


def from_settings(settings: Settings) -> SmtpConfig:
    return SmtpConfig(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_user,
        settings.smtp_password,
        settings.smtp_from,
        settings.smtp_security,
        locked=locked_fields(settings),
    )


def from_saved(value: Any, settings: Settings) -> SmtpConfig:
    if not isinstance(value, dict) or not value:
        return from_settings(settings)
    locked = locked_fields(settings)
    env = _env_values(settings)
    v: dict[str, Any] = {f: env[f] if f in locked else value.get(f) for f in FIELD_ENV}
    security = v["security"] if v["security"] in SMTP_SECURITY_MODES else "starttls"
    if not v["port"]:
        v["port"] = 465 if security == "tls" else 587
    return SmtpConfig(
        str(v["host"] or ""),
        int(v["port"]),
        str(v["user"] or ""),
        str(v["password"] or ""),
        str(v["from"] or "powerpulse@localhost"),
        security,
        SAVED,
        locked,
    )


async def load(settings: Settings) -> SmtpConfig:
    row = await KeyValue.get_or_none(key=KEY)
    return from_saved(row.value if row else None, settings)


async def save(values: dict[str, Any]) -> None:
    await KeyValue.update_or_create(defaults={"value": values}, key=KEY)


async def forget() -> None:
    await KeyValue.filter(key=KEY).delete()
