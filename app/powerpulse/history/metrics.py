"""The readings history keeps, defined once: sample columns, rollup columns, the API's names,
labels and units (`GET /api/history/metrics` serves this table; the web UI has none of its own).

Each metric is a `samples` column, four `sample_rollups` columns (`<column>_min`, `_max`,
`_sum`, `_n`), the NUT variables it is read from (the first one the UPS reports wins) and the
field the history API calls it. A value outside its quantity's physical range (4.6e251 % load,
302 °C from a Kelvin value, NaN) is stored as no reading, as everywhere else: one absurd poll
must not flatten a chart's scale or overflow a rollup's sum.

Temperature is `ups.temperature`, else `battery.temperature` (many small UPSes only have the
latter): the same order as the UPS's `temperature` field and the temperature threshold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from powerpulse.nut.variables import (
    CHARGE,
    FREQUENCY,
    LOAD,
    POWER,
    RUNTIME,
    TEMPERATURE,
    VOLTAGE,
    Quantity,
    physical,
)


@dataclass(frozen=True)
class Metric:
    column: str
    variables: tuple[str, ...]  # NUT variables to read, the first with a value wins
    api_name: str
    label: str  # English; the web UI translates by `api_name` and falls back to this
    unit: str  # of the stored values: runtime stays in seconds, as NUT reports it
    quantity: Quantity
    chart: str  # metrics with the same chart are drawn together (the three voltages)

    def read(self, variables: Mapping[str, str]) -> float | None:
        """The first of `variables` with a physical value, unrounded; else None."""
        for name in self.variables:
            value = physical(variables.get(name), self.quantity)
            if value is not None:
                return value
        return None


def _m(
    column: str, variables: str, api_name: str, label: str, unit: str, q: Quantity, chart: str
) -> Metric:
    """A row of the table; `variables` space-separated, in the order they are tried."""
    return Metric(column, tuple(variables.split()), api_name, label, unit, q, chart)


METRICS: tuple[Metric, ...] = (
    _m("charge", "battery.charge", "charge", "Battery charge", "%", CHARGE, "charge"),
    _m("runtime", "battery.runtime", "runtimeSeconds", "Runtime", "s", RUNTIME, "runtime"),
    _m("load", "ups.load", "load", "Load", "%", LOAD, "load"),
    _m("input_voltage", "input.voltage", "inputVoltage", "Input", "V", VOLTAGE, "voltage"),
    _m("output_voltage", "output.voltage", "outputVoltage", "Output", "V", VOLTAGE, "voltage"),
    _m("battery_voltage", "battery.voltage", "batteryVoltage", "Battery", "V", VOLTAGE, "voltage"),
    _m(
        "temperature",
        "ups.temperature battery.temperature",
        "temperature",
        "Temperature",
        "°C",
        TEMPERATURE,
        "temperature",
    ),
    _m(
        "input_frequency",
        "input.frequency",
        "inputFrequency",
        "Input frequency",
        "Hz",
        FREQUENCY,
        "frequency",
    ),
    _m("realpower", "ups.realpower", "realPower", "Real power", "W", POWER, "power"),
)


def describe() -> list[dict[str, object]]:
    """The metric table as the API serves it."""
    return [
        {
            "name": m.api_name,
            "label": m.label,
            "unit": m.unit,
            "chart": m.chart,
            "variables": list(m.variables),
            "min": m.quantity.low,
            "max": m.quantity.high,
        }
        for m in METRICS
    ]
