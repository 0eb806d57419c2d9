"""Prometheus text exposition (format 0.0.4) of every UPS and of notification delivery: pure.

Conventions that matter to whoever writes alerts against it:
- every UPS series carries `ups_id` and `ups` (the NUT name): stable identity, and `site` (its
  NUT server's, empty for none) so that alerts and dashboards can select a site. The labels a
  user may change freely (display name, model, tags) are only on `powerpulse_ups_info`, so
  renaming or tagging a UPS does not break its series; tags read `,a,b,` there, for
  `tags=~".*,a,.*"`;
- base units (seconds, volts, hertz, watts), percentages as 0-100 like NUT reports them;
- a reading the UPS does not report (or reports as text, or outside the physical range of its
  quantity: `nut.variables.QUANTITIES`) is left out, never exported as 0;
- label values are display-safe (control characters escaped, at most 256 characters);
- `powerpulse_ups_status{flag=...}` is written for every flag, 0 or 1, so `== 1` alerts need
  no `absent()`;
- `powerpulse_ups_up` is 1 only when the last poll succeeded and the data is fresh. Readings of
  a UPS that is not up are the last values seen, as the dashboard shows them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from powerpulse.nut.variables import as_str, display_text, reading

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# (metric name without prefix, NUT variable, help text)
READINGS: tuple[tuple[str, str, str], ...] = (
    ("battery_charge_percent", "battery.charge", "Battery charge in percent"),
    ("battery_charge_low_percent", "battery.charge.low", "Charge at which the UPS reports LB"),
    ("battery_runtime_seconds", "battery.runtime", "Estimated runtime on battery in seconds"),
    ("battery_runtime_low_seconds", "battery.runtime.low", "Runtime at which the UPS reports LB"),
    ("battery_voltage_volts", "battery.voltage", "Battery voltage"),
    ("battery_temperature_celsius", "battery.temperature", "Battery temperature"),
    ("input_voltage_volts", "input.voltage", "Input (mains) voltage"),
    ("input_frequency_hertz", "input.frequency", "Input (mains) frequency"),
    ("output_voltage_volts", "output.voltage", "Output voltage"),
    ("output_frequency_hertz", "output.frequency", "Output frequency"),
    ("load_percent", "ups.load", "Load in percent of the UPS's capacity"),
    ("realpower_watts", "ups.realpower", "Real power drawn by the load"),
    ("realpower_nominal_watts", "ups.realpower.nominal", "Nominal real power of the UPS"),
    ("power_volt_amperes", "ups.power", "Apparent power drawn by the load"),
    ("temperature_celsius", "ups.temperature", "UPS temperature"),
)

# The `ups.status` flags of the NUT protocol, written 0 or 1 for every UPS.
STATUS_FLAGS = (
    "OL", "OB", "LB", "HB", "RB", "CHRG", "DISCHRG", "BYPASS", "CAL", "OFF", "OVER",
    "TRIM", "BOOST", "FSD", "ALARM", "TEST",
)  # fmt: skip


@dataclass(frozen=True)
class UpsSnapshot:
    """What the exposition needs of one UPS (built from its configuration and live row)."""

    ups_id: int
    ups_name: str
    display_name: str
    nut_server_id: int
    site: str | None
    tags: tuple[str, ...]
    variables: Mapping[str, str]
    status_tokens: tuple[str, ...]
    up: bool
    last_success: float | None  # unix seconds


@dataclass(frozen=True)
class DeliveryStats:
    """Notification deliveries by (channel, state), and the age of the oldest pending one."""

    counts: Mapping[tuple[str, str], int] = field(default_factory=dict)
    oldest_pending_seconds: float | None = None


def escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(pairs: Iterable[tuple[str, str]]) -> str:
    inner = ",".join(f'{k}="{escape_label(display_text(v) or "")}"' for k, v in pairs)
    return "{" + inner + "}" if inner else ""


def _value(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def family(self, name: str, kind: str, help_text: str) -> None:
        self.lines.append(f"# HELP powerpulse_{name} {help_text}")
        self.lines.append(f"# TYPE powerpulse_{name} {kind}")

    def sample(self, name: str, labels: Iterable[tuple[str, str]], value: float) -> None:
        self.lines.append(f"powerpulse_{name}{_labels(labels)} {_value(value)}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def render(upses: Iterable[UpsSnapshot], deliveries: DeliveryStats, *, version: str) -> str:
    """The whole exposition: build info, every UPS, notification delivery."""
    upses = list(upses)
    out = _Writer()
    out.family("build_info", "gauge", "PowerPulse version (always 1)")
    out.sample("build_info", [("version", version)], 1)

    def ident(ups: UpsSnapshot) -> list[tuple[str, str]]:
        return [("ups_id", str(ups.ups_id)), ("ups", ups.ups_name), ("site", ups.site or "")]

    out.family("ups_info", "gauge", "Names of a UPS (always 1)")
    for ups in upses:
        get = ups.variables.get
        model = as_str(get("device.model")) or as_str(get("ups.model")) or ""  # as the API
        out.sample(
            "ups_info",
            [*ident(ups), ("name", ups.display_name), ("model", model),
             ("nut_server_id", str(ups.nut_server_id)),
             ("tags", "," + ",".join(ups.tags) + "," if ups.tags else "")],
            1,
        )  # fmt: skip

    out.family("ups_up", "gauge", "1 when the last poll succeeded and the data is fresh")
    for ups in upses:
        out.sample("ups_up", ident(ups), 1 if ups.up else 0)

    out.family(
        "ups_last_success_timestamp_seconds", "gauge", "When the UPS was last polled successfully"
    )
    for ups in upses:
        if ups.last_success is not None:
            out.sample("ups_last_success_timestamp_seconds", ident(ups), ups.last_success)

    out.family("ups_status", "gauge", "1 when the flag is in ups.status, else 0")
    for ups in upses:
        flags = set(ups.status_tokens)
        for flag in STATUS_FLAGS:
            out.sample("ups_status", [*ident(ups), ("flag", flag)], 1 if flag in flags else 0)

    for name, variable, help_text in READINGS:
        reported = [(ups, reading(variable, ups.variables.get(variable))) for ups in upses]
        known = [(ups, value) for ups, value in reported if value is not None]
        if not known:
            continue
        out.family(f"ups_{name}", "gauge", f"{help_text} (NUT {variable})")
        for ups, value in known:
            out.sample(f"ups_{name}", ident(ups), value)

    out.family(
        "notification_deliveries",
        "gauge",
        "Notification deliveries in the history, by channel and state",
    )
    for (channel, state), count in sorted(deliveries.counts.items()):
        out.sample("notification_deliveries", [("channel", channel), ("state", state)], count)
    out.family(
        "notification_oldest_pending_seconds",
        "gauge",
        "Age of the oldest notification not yet delivered or given up on (0 when none)",
    )
    out.sample("notification_oldest_pending_seconds", [], deliveries.oldest_pending_seconds or 0)
    return out.text()
