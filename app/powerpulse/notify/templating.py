"""Admin message templates: Jinja2 in its sandbox, every value escaped for the service.

A template sees the notice's facts as plain variables (`ups`, `status`, `previous_status`,
`kind`, `severity`, `charge`, `runtime`, `load`, `time`, `drill`, plus the raw numbers as
`charge_value`, `runtime_seconds`, `load_value`). Each `{{ … }}` result passes through the
service's escape function (`finalize`), so a UPS named `<b>*x*</b>` cannot inject markup into
Telegram HTML or Discord markdown, while the admin's own literal text keeps any markup they
wrote. The sandbox refuses attribute tricks (`__class__`), and output is capped.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import TemplateError, Undefined
from jinja2.sandbox import SandboxedEnvironment

from powerpulse.notify.messages import (
    Markup,
    Notice,
    format_percent,
    format_runtime,
)
from powerpulse.timeutil import iso

MAX_SOURCE = 4000
MAX_OUTPUT = 4000
VARIABLES = (
    "ups",
    "status",
    "previous_status",
    "kind",
    "severity",
    "charge",
    "runtime",
    "load",
    "time",
    "drill",
    "note",
    "charge_value",
    "runtime_seconds",
    "load_value",
)


class TemplateInvalid(ValueError):
    """A template that does not parse or render; the message says where."""


def _escaping(escape: Any) -> Any:
    def finalize(value: Any) -> str:
        if value is None or isinstance(value, Undefined):
            return ""
        return str(escape(str(value)))

    return finalize


@lru_cache(maxsize=64)
def _environment(escape: Any) -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=False, finalize=_escaping(escape))


def variables(notice: Notice) -> dict[str, Any]:
    return {
        "ups": notice.ups_name,
        "status": notice.status or "Unknown",
        "previous_status": notice.previous_status,
        "kind": notice.kind,
        "severity": notice.severity,
        "charge": format_percent(notice.charge),
        "runtime": format_runtime(notice.runtime_seconds),
        "load": format_percent(notice.load),
        "time": iso(notice.occurred_at) or "",
        "drill": notice.drill,
        "note": notice.note,
        "charge_value": notice.charge,
        "runtime_seconds": notice.runtime_seconds,
        "load_value": notice.load,
    }


def check_template(source: str) -> str:
    """`source` when it parses (TemplateInvalid with Jinja's line and message otherwise)."""
    if len(source) > MAX_SOURCE:
        raise TemplateInvalid(f"A template may have at most {MAX_SOURCE} characters")
    try:
        _environment(str).parse(source)
    except TemplateError as err:
        line = getattr(err, "lineno", None)
        raise TemplateInvalid(
            f"Template error{f' on line {line}' if line else ''}: {err.message or err}"
        ) from None
    return source


def render_template(source: str, notice: Notice, markup: Markup) -> str:
    """`source` rendered for `notice`, values escaped by `markup`; TemplateInvalid when it
    fails at run time (a sandbox refusal, a bad filter): the caller then keeps the built-in
    wording, since the alert must go out whatever the template does."""
    try:
        out = _environment(markup.escape).from_string(source).render(variables(notice))
    except Exception as err:  # jinja raises many kinds; an alert is never lost to one
        raise TemplateInvalid(f"Template failed: {type(err).__name__}: {err}"[:300]) from None
    return out[:MAX_OUTPUT]
