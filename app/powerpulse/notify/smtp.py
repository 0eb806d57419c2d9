"""The one SMTP configuration email channels send through.

An admin may save it in the UI (Settings → Alerting → Email server), stored in the database
(`key_values` "smtp"), so that both workers see it; until then, or after "use the
environment", it is the `SMTP_*` environment of the container. The password is write-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from powerpulse.config import SMTP_SECURITY_MODES, Settings
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
        }


def from_settings(settings: Settings) -> SmtpConfig:
    return SmtpConfig(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_user,
        settings.smtp_password,
        settings.smtp_from,
        settings.smtp_security,
    )


def from_saved(value: Any, settings: Settings) -> SmtpConfig:
    if not isinstance(value, dict) or not value.get("host"):
        return from_settings(settings)
    security = value.get("security")
    return SmtpConfig(
        str(value.get("host", "")),
        int(value.get("port") or 587),
        str(value.get("user") or ""),
        str(value.get("password") or ""),
        str(value.get("from") or "powerpulse@localhost"),
        security if security in SMTP_SECURITY_MODES else "starttls",
        SAVED,
    )


async def load(settings: Settings) -> SmtpConfig:
    row = await KeyValue.get_or_none(key=KEY)
    return from_saved(row.value if row else None, settings)


async def save(values: dict[str, Any]) -> None:
    await KeyValue.update_or_create(defaults={"value": values}, key=KEY)


async def forget() -> None:
    await KeyValue.filter(key=KEY).delete()
