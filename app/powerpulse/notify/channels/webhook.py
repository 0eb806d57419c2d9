"""A generic JSON webhook (admins only: it may reach any host): the notice as a JSON document,
or as the admin's own JSON template, sent with their method and headers.

`render` has no config, so the payload keeps both the default document (`json`) and the
template variables (`variables`); `send` renders the config's `body` template with them. Every
`{{ … }}` in such a template is JSON-encoded (`"My UPS"` with its quotes, numbers bare), so no
UPS name can break out of a string; the template is refused at save time unless its output,
for a sample notice, parses as a JSON object.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Undefined
from jinja2.sandbox import SandboxedEnvironment

from powerpulse.notify.channels.base import (
    ChannelKind,
    ConfigError,
    ConfigField,
    Context,
    DeliveryResult,
    Transport,
    http_request,
)
from powerpulse.notify.channels.hosts import check_url
from powerpulse.notify.messages import PLAIN, Notice, Text, compose
from powerpulse.notify.templating import TemplateInvalid, check_template, variables
from powerpulse.timeutil import iso

METHODS = ("POST", "PUT", "PATCH")
# Set by the HTTP client itself; an admin's value would only produce a broken request.
RESERVED_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})
MAX_BODY = 64_000
SAMPLE = Notice(
    "on_battery",
    'Sample "UPS" <1>',
    "On Battery",
    "Online",
    datetime(2025, 1, 1, tzinfo=UTC),
    charge=87.0,
    runtime_seconds=1500.0,
    load=31.0,
)
BODY_HELP = (
    "Optional Jinja2 template of the JSON to send. Each {{ value }} is inserted as JSON: "
    '{{ ups }} becomes "My UPS" with its quotes and {{ charge_value }} a bare number (or null), '
    'so write {"text": {{ ups }}} and not {"text": "{{ ups }}"}. Variables: '
    "ups, status, previous_status, kind, severity, title, message, charge, runtime, load, time, "
    "drill, note, charge_value, runtime_seconds, load_value. Empty: the default document."
)


def _json_value(value: Any) -> str:
    if value is None or isinstance(value, Undefined):
        return "null"
    return json.dumps(value, ensure_ascii=False, default=str)


@lru_cache(maxsize=1)
def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=False, finalize=_json_value)


def render_json(source: str, values: Mapping[str, Any]) -> Any:
    """The JSON document `source` renders to with `values` (TemplateInvalid when the template
    fails or its output is not a JSON object)."""
    try:
        out = _environment().from_string(source).render(dict(values))
    except Exception as err:  # jinja raises many kinds; each one is a bad template
        raise TemplateInvalid(f"Template failed: {type(err).__name__}: {err}"[:300]) from None
    if len(out) > MAX_BODY:
        raise TemplateInvalid(f"The template renders more than {MAX_BODY} characters")
    try:
        document = json.loads(out)
    except ValueError as err:
        raise TemplateInvalid(f"The template does not render valid JSON: {err}"[:300]) from None
    if not isinstance(document, dict):
        raise TemplateInvalid("The template must render a JSON object ({…})")
    return document


def template_values(notice: Notice, text: Text) -> dict[str, Any]:
    """What a body template sees: `templating.variables` plus the worded title and message."""
    return {**variables(notice), "title": text.title, "message": text.body}


def default_document(notice: Notice, text: Text) -> dict[str, Any]:
    return {
        "event": f"powerpulse.{notice.kind}",
        "kind": notice.kind,
        "severity": notice.severity,
        "title": text.title,
        "message": text.body,
        "ups": notice.ups_name,
        "status": notice.status,
        "previous_status": notice.previous_status,
        "charge": notice.charge,
        "runtime_seconds": notice.runtime_seconds,
        "load": notice.load,
        "time": iso(notice.occurred_at),
        "drill": notice.drill,
    }


class Webhook(ChannelKind):
    kind = "webhook"
    label = "Webhook"
    fields = (
        ConfigField(
            "url",
            "URL",
            "secret",
            help="Where the JSON goes (any http(s) host: only admins may create this channel)",
            placeholder="https://example.lan/hooks/ups",
        ),
        ConfigField("method", "Method", "select", required=False, options=METHODS, default="POST"),
        ConfigField(
            "headers",
            "Headers",
            "headers",
            required=False,
            hidden=True,
            help="Extra HTTP headers, e.g. Authorization (write-only once saved)",
        ),
        ConfigField("body", "Body template", "template", required=False, help=BODY_HELP),
    )
    admin_only = True
    self_hosted = True

    def validate(self, config: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
        out = self.check_fields(config)
        out["url"] = check_url("url", "URL", out["url"], ctx, self_hosted=True)
        for name in out.get("headers") or {}:
            if name.lower() in RESERVED_HEADERS:
                raise ConfigError("headers", f"Headers: {name} is set by PowerPulse itself")
        if out.get("body"):
            try:
                check_template(out["body"])
                render_json(out["body"], template_values(SAMPLE, compose(SAMPLE, PLAIN)))
            except TemplateInvalid as err:
                raise ConfigError("body", str(err)) from None
        return out

    def summary(self, config: Mapping[str, Any]) -> str:
        host = urlsplit(str(config.get("url", ""))).hostname or "?"
        return f"{config.get('method') or 'POST'} to {host}"

    def render(self, notice: Notice, text: Text) -> dict[str, Any]:
        return {"json": default_document(notice, text), "variables": template_values(notice, text)}

    async def send(
        self, payload: Mapping[str, Any], config: Mapping[str, Any], transport: Transport
    ) -> DeliveryResult:
        document = payload.get("json")
        # Checked at save time; should it still fail for this notice, the default goes out (an
        # alert is never lost to a template).
        if config.get("body"):
            with contextlib.suppress(TemplateInvalid):
                document = render_json(config["body"], payload.get("variables") or {})
        return await http_request(
            transport,
            str(config.get("method") or "POST"),
            config["url"],
            json_body=document,
            headers=config.get("headers") or {},
        )
