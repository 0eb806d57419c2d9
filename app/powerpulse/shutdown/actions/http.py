"""`http`: one HTTP request (a hypervisor's or NAS's API: shut a VM down, stop a pool).

`headers` is a secret (it carries API tokens): sealed as its JSON text, opened only to send.
Template values fill the url (URL-quoted) and the body. Redirects are not followed: the token
headers must not travel to wherever a 3xx points. Only the host and path are ever shown: a query
string or a user:password@ in the url may hold credentials too.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

import aiohttp

from powerpulse.shutdown.actions import fields as f
from powerpulse.shutdown.actions.base import ActionContext, ActionError, Outcome

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
FIELDS = ("method", "url", "headers", "body", "timeout_seconds", "verify_tls")
BODY_SHOWN = 4096  # bytes of the response body kept in the output
BODY_LIMIT = 64_000
MAX_HEADERS = 50
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an HTTP header name (RFC 9110 token)


@dataclass(frozen=True)
class Params:
    method: str
    url: str
    headers: str | None  # sealed JSON object
    body: str | None
    timeout_seconds: float
    verify_tls: bool


def _url(raw: Mapping[str, Any]) -> str:
    url = f.one_line(raw, "url", limit=2000)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        raise ActionError("url", "url is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ActionError("url", "url must be an http:// or https:// URL with a host")
    if any(c.isspace() for c in url):
        raise ActionError("url", "url may not contain spaces")
    return url


def shown_url(url: str) -> str:
    """The url without its query string, fragment and user:password@."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def check_headers(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ActionError("headers", "headers must be an object of header name → value")
    if len(value) > MAX_HEADERS:
        raise ActionError("headers", f"at most {MAX_HEADERS} headers")
    for name, text in value.items():
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            raise ActionError("headers", "a header name may hold only letters, digits and -")
        if not isinstance(text, str) or any(c in text for c in "\r\n\x00"):
            # The value is a secret: name the header, never echo what it holds.
            raise ActionError("headers", f"the value of {name} must be one line of text")
    return dict(value)


class HttpType:
    name: ClassVar[str] = "http"
    secret_fields: ClassVar[tuple[str, ...]] = ("headers",)

    def parse(self, raw: Mapping[str, Any]) -> Params:
        f.only(raw, FIELDS)
        method = raw.get("method") or "POST"
        if not isinstance(method, str) or method.upper() not in METHODS:
            raise ActionError("method", f"method must be one of {', '.join(METHODS)}")
        return Params(
            method=method.upper(),
            url=_url(raw),
            headers=f.secret(raw, "headers"),
            body=f.text(raw, "body", limit=BODY_LIMIT, required=False),
            timeout_seconds=f.seconds(raw, "timeout_seconds", 30.0, 1, 3600),
            verify_tls=f.flag(raw, "verify_tls", True),
        )

    def check_secret(self, field_name: str, sent: Any) -> None:
        if field_name == "headers":
            check_headers(sent)

    def to_json(self, params: Params) -> dict[str, Any]:
        return {
            "method": params.method,
            "url": params.url,
            "headers": params.headers,
            "body": params.body,
            "timeout_seconds": params.timeout_seconds,
            "verify_tls": params.verify_tls,
        }

    def describe(self, params: Params) -> str:
        return f"{params.method} {shown_url(params.url)}"

    def destructive(self, params: Params) -> str | None:
        return f"sends {params.method} to {urlsplit(params.url).hostname}"

    def timeout(self, params: Params) -> float | None:
        return params.timeout_seconds

    def ups_ids(self, params: Params) -> tuple[int, ...]:
        return ()

    async def run(self, params: Params, ctx: ActionContext) -> Outcome:
        host = urlsplit(params.url).hostname or "the server"
        try:
            headers = (
                check_headers(json.loads(ctx.reveal(params.headers))) if params.headers else {}
            )
        except Exception:  # never show what did not open: it holds tokens
            return Outcome(
                False,
                error="the stored headers of this action cannot be opened "
                "(was SECRETS_KEY or the data directory's secrets_key changed?)",
            )
        url = f.fill(params.url, ctx.variables, lambda v: quote(v, safe=""))
        body = None
        if params.body is not None:
            # In a JSON body each value is escaped as JSON string content, so a quote in a
            # reason or a nickname cannot break (or rewrite) the document.
            given = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
            is_json = "json" in given.lower() if given else params.body.lstrip()[:1] in ("{", "[")
            escape = (lambda v: json.dumps(v)[1:-1]) if is_json else None
            body = f.fill(params.body, ctx.variables, escape)
        if body is not None and not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = _content_type(body)
        limit = max(min(params.timeout_seconds, ctx.timeout), 0.1)
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=limit)) as session,
                session.request(
                    params.method,
                    url,
                    headers=headers,
                    data=body.encode() if body is not None else None,
                    allow_redirects=False,
                    ssl=params.verify_tls,  # True: the default checks; False: none
                ) as response,
            ):
                shown = await response.content.read(BODY_SHOWN)
                status, reason = response.status, response.reason or ""
        except TimeoutError:
            return Outcome(False, error=f"{host} did not answer within {limit:g} s")
        except aiohttp.ClientConnectorCertificateError:
            return Outcome(
                False,
                error=f"the TLS certificate of {host} is not trusted (for a self-signed one, "
                "turn verify_tls off)",
            )
        except aiohttp.ClientSSLError:
            return Outcome(False, error=f"TLS with {host} failed")
        except aiohttp.ClientConnectorError as err:
            code = err.os_error.errno
            # asyncio's own strerror is "Connect call failed (…)": the errno says it better.
            why = os.strerror(code) if code else type(err.os_error).__name__
            return Outcome(False, error=f"cannot connect to {host}:{err.port}: {why}")
        except (aiohttp.ClientError, OSError, ValueError) as err:
            return Outcome(False, error=f"the request to {host} failed ({type(err).__name__})")
        output = f"HTTP {status} {reason}".rstrip()
        text = shown.decode(errors="replace")
        if text:
            output += "\n" + text
        if 200 <= status < 300:
            return Outcome(True, output, details={"status": status})
        return Outcome(
            False, output, error=f"{host} answered HTTP {status}", details={"status": status}
        )


def _content_type(body: str) -> str:
    try:
        json.loads(body)
    except ValueError:
        return "text/plain; charset=utf-8"
    return "application/json"


TYPE = HttpType()
