"""The simulated power outage: what each UPS reports at time `t` (pure, no I/O, no clock).

Every UPS runs the same loop, shifted in time so that they are not all in the same phase:

    online ─▶ on battery (charge and runtime fall, load steady) ─▶ low battery ─▶
    charging (mains back, charge rises) ─▶ online

`variables_at(spec, t, cycle)` returns the full NUT variable set for one UPS at `t` seconds
since the simulator started. The numbers are smooth functions of `t` so that charts look real.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DEFAULT_CYCLE = 150.0

# Phase boundaries as fractions of the cycle: (end fraction, phase name).
PHASES: tuple[tuple[float, str], ...] = (
    (0.20, "online"),
    (0.55, "on_battery"),
    (0.65, "low_battery"),
    (0.93, "charging"),
    (1.00, "online"),
)
CHARGE_AT_LOW = 30.0  # where on-battery turns into low battery
CHARGE_AT_END = 12.0  # where the mains come back
LOW_CHARGE_THRESHOLD = 30  # battery.charge.low: LB is raised below this


@dataclass(frozen=True)
class UpsSpec:
    name: str
    description: str
    model: str
    serial: str
    load: float  # percent, steady apart from a small wobble
    full_runtime: float  # seconds at 100 % charge and this load
    nominal_voltage: float = 230.0
    replace_battery: bool = False
    offset: float = 0.0  # fraction of the cycle this UPS runs ahead of the first one


BUILTIN: tuple[UpsSpec, ...] = (
    UpsSpec("rack-a", "Rack A (core switches)", "Smart-UPS 1500", "AS1915A00001", 34, 2400),
    UpsSpec("rack-b", "Rack B (storage)", "Smart-UPS X 3000", "AS1915B00002", 52, 1500),
    UpsSpec(
        "closet",
        'Network closet \\ 2nd floor ("small" one)',
        "Back-UPS Pro 900",
        "BX2003C00003",
        21,
        900,
        replace_battery=True,
    ),
)


def build_specs(count: int) -> list[UpsSpec]:
    """`count` UPS: the three built-in ones first, then generic `ups-4`, `ups-5`, …, staggered."""
    if count < 1:
        raise ValueError("at least one UPS is needed")
    specs = list(BUILTIN[:count])
    for i in range(len(specs), count):
        specs.append(
            UpsSpec(
                f"ups-{i + 1}",
                f"Simulated UPS {i + 1}",
                "Eaton 5P 1550",
                f"EA{i + 1:010d}",
                20 + (i * 7) % 50,
                1200 + (i * 131) % 1800,
            )
        )
    return [_with_offset(spec, i / count) for i, spec in enumerate(specs)]


def _with_offset(spec: UpsSpec, offset: float) -> UpsSpec:
    return UpsSpec(**{**spec.__dict__, "offset": offset})


def phase_at(position: float) -> str:
    """The phase at `position` ∈ [0, 1) of the cycle."""
    for end, name in PHASES:
        if position < end:
            return name
    return PHASES[-1][1]


def _charge_at(position: float) -> float:
    """Battery charge (%) at `position`: linear segments between the phase boundaries."""
    start_ob, start_lb, start_chrg, start_ol = (
        PHASES[0][0],
        PHASES[1][0],
        PHASES[2][0],
        PHASES[3][0],
    )
    if position < start_ob:
        return 100.0
    if position < start_lb:
        return _lerp(100.0, CHARGE_AT_LOW, (position - start_ob) / (start_lb - start_ob))
    if position < start_chrg:
        return _lerp(CHARGE_AT_LOW, CHARGE_AT_END, (position - start_lb) / (start_chrg - start_lb))
    if position < start_ol:
        return _lerp(CHARGE_AT_END, 100.0, (position - start_chrg) / (start_ol - start_chrg))
    return 100.0


def _lerp(a: float, b: float, f: float) -> float:
    return a + (b - a) * f


def status_tokens(phase: str, replace_battery: bool) -> list[str]:
    tokens = {
        "online": ["OL"],
        "on_battery": ["OB", "DISCHRG"],
        "low_battery": ["OB", "DISCHRG", "LB"],
        "charging": ["OL", "CHRG"],
    }[phase]
    return [*tokens, "RB"] if replace_battery else list(tokens)


def variables_at(spec: UpsSpec, t: float, cycle: float = DEFAULT_CYCLE) -> dict[str, str]:
    """Every NUT variable `spec` reports `t` seconds after the simulator started."""
    position = ((t / cycle) + spec.offset) % 1.0
    phase = phase_at(position)
    on_battery = phase in ("on_battery", "low_battery")
    charge = _charge_at(position)
    # Deterministic wobble so that graphs are not flat lines.
    wobble = math.sin(t / 7.0 + spec.offset * 10)
    load = spec.load + 1.5 * wobble
    runtime = spec.full_runtime * (charge / 100.0) * (spec.load / max(load, 1.0))
    input_voltage = 0.0 if on_battery else spec.nominal_voltage + 2.5 * math.sin(t / 11.0)
    battery_voltage = 21.0 + 6.3 * charge / 100.0 + (0.0 if on_battery else 0.4)
    charger = {
        "online": "floating",
        "on_battery": "discharging",
        "low_battery": "discharging",
        "charging": "charging",
    }[phase]
    real_power = round(load / 100.0 * 1000 * spec.load / 34)
    variables = {
        "battery.charge": f"{charge:.0f}",
        "battery.charge.low": str(LOW_CHARGE_THRESHOLD),
        "battery.charge.warning": "50",
        "battery.charger.status": charger,
        "battery.runtime": f"{runtime:.0f}",
        "battery.runtime.low": "180",
        "battery.type": "PbAc",
        "battery.voltage": f"{battery_voltage:.1f}",
        "battery.voltage.nominal": "24.0",
        "battery.date": "2022-03-14",
        "device.mfr": "PowerPulse",
        "device.model": spec.model,
        "device.serial": spec.serial,
        "device.type": "ups",
        "driver.name": "powerpulse-simulator",
        "driver.parameter.pollinterval": "2",
        "driver.parameter.port": "simulated",
        "driver.version": "2.8.0",
        "driver.version.internal": "0.1",
        "input.frequency": "0.0" if on_battery else f"{50.0 + 0.05 * wobble:.1f}",
        "input.sensitivity": "medium",
        "input.transfer.high": "253",
        "input.transfer.low": "196",
        "input.transfer.reason": "input voltage out of range" if on_battery else "",
        "input.voltage": f"{input_voltage:.1f}",
        "input.voltage.nominal": f"{spec.nominal_voltage:.0f}",
        "output.frequency": "50.0",
        "output.voltage": f"{spec.nominal_voltage + 0.4 * wobble:.1f}",
        "output.voltage.nominal": f"{spec.nominal_voltage:.0f}",
        "ups.beeper.status": "enabled",
        "ups.delay.shutdown": "20",
        "ups.firmware": "UPS 09.3 / ID=18",
        "ups.load": f"{load:.0f}",
        "ups.mfr": "PowerPulse",
        "ups.model": spec.model,
        "ups.realpower": str(real_power),
        "ups.realpower.nominal": "1000",
        "ups.serial": spec.serial,
        "ups.status": " ".join(status_tokens(phase, spec.replace_battery)),
        "ups.temperature": f"{26.0 + (3.0 if on_battery else 0.0) + 0.3 * wobble:.1f}",
        "ups.test.result": "Replace battery" if spec.replace_battery else "Done and passed",
    }
    if not variables["input.transfer.reason"]:
        del variables["input.transfer.reason"]
    return variables
