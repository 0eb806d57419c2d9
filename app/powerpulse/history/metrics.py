"""The readings history keeps, defined once: sample columns, rollup columns, the API's names.

Each metric is a `samples` column, four `sample_rollups` columns (`<column>_min`, `_max`,
`_sum`, `_n`), the NUT variable it is read from and the field the history API calls it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    column: str
    variable: str
    api_name: str


METRICS: tuple[Metric, ...] = (
    Metric("charge", "battery.charge", "charge"),
    Metric("runtime", "battery.runtime", "runtimeSeconds"),
    Metric("load", "ups.load", "load"),
    Metric("input_voltage", "input.voltage", "inputVoltage"),
    Metric("output_voltage", "output.voltage", "outputVoltage"),
    Metric("battery_voltage", "battery.voltage", "batteryVoltage"),
)
