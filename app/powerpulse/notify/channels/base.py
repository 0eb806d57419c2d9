"""What every channel shares: the interface of a channel kind, its config descriptor, the
result of one attempt, and the HTTP request with its one place deciding which failures are
permanent and which are worth retrying.

A channel kind is a class with class-level facts (kind, label, config fields, which hosts it may
reach) and four methods: `validate` a config, `render` a notice into the payload the outbox
stores (never a secret: those stay in the channel's config), `send` a payload, and `summary`
(what the API may show of a config). `docs/adding-a-channel.md` walks through one.
"""

from __future__ import annotations

import asyncio
import re
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import aiohttp

from powerpulse.config import Settings
from powerpulse.notify.messages import PLAIN, Markup, Notice, Override, Text, compose

DEFAULT_TIMEOUT = 10.0
_MAX_REASON = 200


@dataclass(frozen=True)
class DeliveryResult:
    """One attempt's outcome. `permanent` failures are not retried; `retry_after` (seconds)
    overrides the back-off when the service said how long to wait."""

    ok: bool
    error: str | None = None
    permanent: bool = False
    retry_after: float | None = None
    status: int | None = None

    @classmethod
    def success(cls, status: int | None = None) -> DeliveryResult:
        return cls(True, status=status)

    @classmethod
    def retry(
        cls, error: str, *, retry_after: float | None = None, status: int | None = None
    ) -> DeliveryResult:
        return cls(False, error, permanent=False, retry_after=retry_after, status=status)

    @classmethod
    def fail(cls, error: str, status: int | None = None) -> DeliveryResult:
        return cls(False, error, permanent=True, status=status)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_REASON else text[: _MAX_REASON - 1] + "…"


def parse_retry_after(body: Any, headers: Mapping[str, str]) -> float | None:
    """Discord puts `retry_after` (seconds, float) in the JSON body; Slack and proxies use the
    `Retry-After` header (seconds)."""
    if isinstance(body, dict):
        value = body.get("retry_after")
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            return float(value)
    header = headers.get("Retry-After")
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            return None
    return None


def classify_http(status: int, text: str, body: Any, headers: Mapping[str, str]) -> DeliveryResult:
    """2xx delivered; 429 and 408/5xx retried; any other answer is permanent (a wrong or deleted
    webhook does not start working by being asked again)."""
    if 200 <= status < 300:
        return DeliveryResult.success(status)
    # Discord explains in JSON `message`; Slack in a bare word; anything else in its text.
    detail = body.get("message") if isinstance(body, dict) else None
    detail = str(detail) if detail else text
    reason = f"HTTP {status}" + (f": {_short(detail)}" if detail.strip() else "")
    if status == 429:
        return DeliveryResult.retry(
            reason, retry_after=parse_retry_after(body, headers), status=status
        )
    if status == 408 or status >= 500:
        return DeliveryResult.retry(reason, status=status)
    if 300 <= status < 400:
        return DeliveryResult.fail(f"HTTP {status}: redirects are not followed", status)
    return DeliveryResult.fail(reason, status)


def describe_client_error(err: BaseException, timeout: float) -> str:
    """A reason that never includes the URL (a webhook URL is a secret)."""
    if isinstance(err, asyncio.TimeoutError | TimeoutError):
        return f"timed out after {timeout:g} s"
    if isinstance(err, aiohttp.ClientConnectorError):
        return f"connection failed ({err.os_error.strerror or type(err.os_error).__name__})"
    if isinstance(err, aiohttp.ServerDisconnectedError):
        return "the server closed the connection"
    return f"request failed ({type(err).__name__})"


# --- config descriptors ------------------------------------------------------------------------

# The input types the UI knows how to draw (`webui/src/components/ChannelForm.tsx`).
FIELD_TYPES = ("text", "url", "secret", "emails", "select", "number", "headers", "template")


@dataclass(frozen=True)
class ConfigField:
    """One key of a channel's config, as the API describes it and the UI draws it. `secret`
    values are write-only: the API answers `{"set": true}` in their place."""

    key: str
    label: str
    type: str = "text"
    required: bool = True
    help: str = ""
    placeholder: str = ""
    options: tuple[str, ...] = ()
    default: Any = None
    # Write-only even when not of type "secret" (webhook headers may carry a token).
    hidden: bool = False

    @property
    def secret(self) -> bool:
        return self.type == "secret" or self.hidden

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "key": self.key,
            "label": self.label,
            "type": self.type,
            "required": self.required,
            "secret": self.secret,
        }
        for name in ("help", "placeholder", "default"):
            if getattr(self, name) not in ("", None):
                out[name] = getattr(self, name)
        if self.options:
            out["options"] = list(self.options)
        return out


class ConfigError(ValueError):
    """A config a channel will not accept; `field` names the key (None: the whole config)."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Context:
    """Who a config is checked for: an admin may point self-hosted kinds at any host."""

    settings: Settings
    admin: bool = False


@dataclass(frozen=True)
class Transport:
    """What a send may use: one shared HTTP session, the settings, a timeout, and the SMTP
    server email goes through (None: the settings' `SMTP_*`)."""

    session: aiohttp.ClientSession
    settings: Settings
    timeout: float = DEFAULT_TIMEOUT
    tls_context: ssl.SSLContext | None = None
    smtp: Any = None  # notify.smtp.SmtpConfig


class ChannelKind:
    """The base of every channel kind. Subclasses set the class facts and override `validate`
    (after calling `check_fields`), `render` and `send`."""

    kind: ClassVar[str]
    label: ClassVar[str]
    fields: ClassVar[tuple[ConfigField, ...]] = ()
    # Only admins may create it (it can reach any host, e.g. the generic webhook).
    admin_only: ClassVar[bool] = False
    # Self-hosted by nature: when an admin creates it, any http(s) host is allowed.
    self_hosted: ClassVar[bool] = False
    # How interpolated values are escaped in this service's markup, and how it sets bold.
    markup: ClassVar[Markup] = PLAIN

    # --- the interface ---------------------------------------------------------------------

    def validate(self, config: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
        """The normalised config, or ConfigError naming the first bad key."""
        return self.check_fields(config)

    def render(self, notice: Notice, text: Text) -> dict[str, Any]:
        """The payload the outbox stores and `send` posts (no secrets in it)."""
        raise NotImplementedError

    def payload(self, notice: Notice, override: Override | None = None) -> dict[str, Any]:
        """`render` of the notice worded in this service's markup (email words it twice)."""
        return self.render(notice, compose(notice, self.markup, override))

    async def send(
        self, payload: Mapping[str, Any], config: Mapping[str, Any], transport: Transport
    ) -> DeliveryResult:
        raise NotImplementedError

    def summary(self, config: Mapping[str, Any]) -> str:
        """A short non-secret description of where it delivers (shown in lists)."""
        return self.label

    # --- shared helpers --------------------------------------------------------------------

    @classmethod
    def describe(cls) -> dict[str, Any]:
        """The descriptor served by `GET /api/notification-channels/kinds`."""
        return {
            "kind": cls.kind,
            "label": cls.label,
            "adminOnly": cls.admin_only,
            "selfHosted": cls.self_hosted,
            "fields": [f.describe() for f in cls.fields],
        }

    @classmethod
    def secret_keys(cls) -> frozenset[str]:
        return frozenset(f.key for f in cls.fields if f.secret)

    def check_fields(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """Keys known, required ones present, text values strings of sane length; unknown keys
        are refused (a typo silently ignored is a channel that never delivers)."""
        if not isinstance(config, Mapping):
            raise ConfigError(None, "config must be an object")
        known = {f.key: f for f in self.fields}
        for key in config:
            if key not in known:
                raise ConfigError(str(key)[:64], f"Unknown config key for {self.label}: {key!r}")
        out: dict[str, Any] = {}
        for f in self.fields:
            value = config.get(f.key)
            if value is None or value == "":
                if f.required:
                    raise ConfigError(f.key, f"{f.label} is required")
                if f.default is not None:
                    out[f.key] = f.default
                continue
            if f.type in ("text", "url", "secret", "emails", "select", "template"):
                if not isinstance(value, str):
                    raise ConfigError(f.key, f"{f.label} must be a string")
                value = value.strip() if f.type != "template" else value
                limit = 8000 if f.type == "template" else 2000
                if len(value) > limit or (f.type != "template" and "\n" in value):
                    raise ConfigError(f.key, f"{f.label} is not valid")
                if f.options and value not in f.options:
                    raise ConfigError(f.key, f"{f.label} must be one of {', '.join(f.options)}")
            elif f.type == "number":
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise ConfigError(f.key, f"{f.label} must be a number")
            elif f.type == "headers":
                value = check_headers(f, value)
            out[f.key] = value
        return out


def check_headers(f: ConfigField, value: Any) -> dict[str, str]:
    """Extra HTTP headers: a flat object of header names to string values."""
    if not isinstance(value, Mapping) or len(value) > 20:
        raise ConfigError(f.key, f"{f.label} must be an object of at most 20 headers")
    out: dict[str, str] = {}
    for name, val in value.items():
        if (
            not isinstance(name, str)
            or not _HEADER_NAME.match(name)
            or not isinstance(val, str)
            or len(val) > 2000
            or any(c in val for c in "\r\n")
        ):
            raise ConfigError(f.key, f"{f.label}: header {str(name)[:64]!r} is not valid")
        out[name] = val
    return out


_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$")


# --- HTTP --------------------------------------------------------------------------------------


async def http_request(
    transport: Transport,
    method: str,
    url: str,
    *,
    json_body: Any = None,
    data: Any = None,
    headers: Mapping[str, str] | None = None,
    classify: Any = None,
) -> DeliveryResult:
    """One HTTP request, never following redirects, its answer classified (`classify_http`
    unless the channel passes its own with the same signature). Errors never name the URL."""
    classify = classify or classify_http
    try:
        async with transport.session.request(
            method,
            url,
            json=json_body,
            data=data,
            headers=dict(headers or {}),
            allow_redirects=False,
            timeout=aiohttp.ClientTimeout(total=transport.timeout),
        ) as response:
            text = await response.text(errors="replace")
            body: Any = None
            if response.content_type == "application/json":
                try:
                    body = await response.json(content_type=None)
                except ValueError:
                    body = None
            result: DeliveryResult = classify(response.status, text, body, response.headers)
            return result
    except (aiohttp.ClientError, TimeoutError, OSError) as err:
        return DeliveryResult.retry(describe_client_error(err, transport.timeout))
    except ValueError as err:  # aiohttp refuses a malformed URL or header before connecting
        return DeliveryResult.fail(f"request not sent: {type(err).__name__}")
