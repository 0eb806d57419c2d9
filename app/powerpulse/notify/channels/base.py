"""What every channel shares: the result of one attempt, and the webhook POST with its
one place deciding which HTTP failures are permanent and which are worth retrying."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp

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


class Channel(Protocol):
    name: str

    async def send(self, message: Mapping[str, Any]) -> DeliveryResult: ...


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


class WebhookChannel:
    """POST a JSON body to a webhook URL. Subclasses set `name` and may refine `classify`."""

    name = "webhook"

    def __init__(
        self,
        url: str,
        *,
        session: aiohttp.ClientSession | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.url = url
        self.session = session
        self.timeout = timeout

    def classify(
        self, status: int, text: str, body: Any, headers: Mapping[str, str]
    ) -> DeliveryResult:
        return classify_http(status, text, body, headers)

    async def send(self, message: Mapping[str, Any]) -> DeliveryResult:
        if self.session is None:
            async with aiohttp.ClientSession() as session:
                return await self._post(session, message)
        return await self._post(self.session, message)

    async def _post(
        self, session: aiohttp.ClientSession, message: Mapping[str, Any]
    ) -> DeliveryResult:
        try:
            async with session.post(
                self.url,
                json=dict(message),
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                text = await response.text(errors="replace")
                body: Any = None
                if response.content_type == "application/json":
                    try:
                        body = await response.json(content_type=None)
                    except ValueError:
                        body = None
                return self.classify(response.status, text, body, response.headers)
        except (aiohttp.ClientError, TimeoutError, OSError) as err:
            return DeliveryResult.retry(describe_client_error(err, self.timeout))
