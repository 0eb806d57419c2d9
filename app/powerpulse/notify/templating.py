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
MAX_RANGE = 100
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


class _BoundedEnvironment(SandboxedEnvironment):
    """The sandbox, plus no `"x" * 10**9` or `9 ** 10**9`: a saved template runs in the
    dispatcher and must not stall it."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
            raise TemplateError("exponent too large")
        if operator == "*" and any(isinstance(v, (str, list, tuple)) for v in (left, right)):
            count = right if isinstance(left, (str, list, tuple)) else left
            size = len(left if isinstance(left, (str, list, tuple)) else right)
            if isinstance(count, int) and count * max(size, 1) > MAX_OUTPUT:
                raise TemplateError("repetition too large")
        return super().call_binop(context, operator, left, right)


def _short_range(*args: int) -> range:
    """`range` for a message: nested loops over Jinja's own 100,000-long ranges would stall."""
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise TemplateError(f"range longer than {MAX_RANGE}")
    return numbers


def _bounded_width(name: str, width: Any) -> None:
    if isinstance(width, int) and width > MAX_OUTPUT:
        raise TemplateError(f"{name} width larger than {MAX_OUTPUT}")


@lru_cache(maxsize=64)
def _environment(escape: Any) -> SandboxedEnvironment:
    env = _BoundedEnvironment(autoescape=False, finalize=_escaping(escape))
    env.globals["range"] = _short_range
    del env.globals["lipsum"]  # lipsum(10**6) writes megabytes; no message needs it
    center, indent = env.filters["center"], env.filters["indent"]

    def bounded_center(value: Any, width: int = 80) -> str:
        _bounded_width("center", width)
        return str(center(value, width))

    def bounded_indent(value: Any, width: Any = 4, *args: Any, **kwargs: Any) -> str:
        _bounded_width("indent", width)
        return str(indent(value, width, *args, **kwargs))

    env.filters["center"], env.filters["indent"] = bounded_center, bounded_indent
    return env


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
        # Shutdown runs and protection coverage (empty for other kinds).
        "plan": notice.extra.get("plan", ""),
        "detail": notice.extra.get("detail", ""),
        "host": notice.extra.get("shownAs") or notice.extra.get("host", ""),
    }


def check_template(source: str) -> str:
    """`source` when it parses (TemplateInvalid with Jinja's line and message otherwise)."""
    if len(source) > MAX_SOURCE:
        raise TemplateInvalid(f"A template may have at most {MAX_SOURCE} characters")
    try:
        _environment(str).parse(source)
    except RecursionError:  # Jinja's parser recurses once per nesting level
        raise TemplateInvalid("Template error: nested too deeply") from None
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
