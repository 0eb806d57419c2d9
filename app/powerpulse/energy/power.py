"""The real power (W) of one reading and where it came from, defined once.

In the order the issue gives: `ups.realpower` as measured; else `ups.load` % of
`ups.realpower.nominal`; else `ups.load` % of the apparent `ups.power.nominal` (VA) times the
power factor (a system setting, default 0.8). A value outside the physical range (NaN,
4.6e251) is no reading, and so is a computed power outside it: no power, never a guess.
"""

from __future__ import annotations

from collections.abc import Mapping

from powerpulse.nut.variables import LOAD, POWER, physical

# The contract's "load_realpower_nominal" / "load_power_nominal" do not fit the 16 characters
# of samples.power_source (migration 0008): shortened here, the one place they are spelled.
MEASURED = "measured"
LOAD_REALPOWER_NOMINAL = "load_realpower"
LOAD_POWER_NOMINAL = "load_power_pf"
# The one list of source names (Sample.power_source); all but the first are estimates.
SOURCES: tuple[str, ...] = (MEASURED, LOAD_REALPOWER_NOMINAL, LOAD_POWER_NOMINAL)
ESTIMATED: frozenset[str] = frozenset(SOURCES[1:])

DEFAULT_POWER_FACTOR = 0.8
POWER_FACTOR_MIN, POWER_FACTOR_MAX = 0.3, 1.0


def _in_range(watts: float) -> float | None:
    return watts if POWER.low <= watts <= POWER.high else None


def power(
    variables: Mapping[str, str], power_factor: float = DEFAULT_POWER_FACTOR
) -> tuple[float | None, str | None]:
    """(watts, source) of one reading; (None, None) when nothing usable is reported."""
    measured = physical(variables.get("ups.realpower"), POWER)
    if measured is not None:
        return measured, MEASURED
    load = physical(variables.get("ups.load"), LOAD)
    if load is None:
        return None, None
    nominal = physical(variables.get("ups.realpower.nominal"), POWER)
    if nominal is not None:
        watts = _in_range(load / 100 * nominal)
        return (watts, LOAD_REALPOWER_NOMINAL) if watts is not None else (None, None)
    apparent = physical(variables.get("ups.power.nominal"), POWER)
    if apparent is None or not POWER_FACTOR_MIN <= power_factor <= POWER_FACTOR_MAX:
        return None, None
    watts = _in_range(load / 100 * apparent * power_factor)
    return (watts, LOAD_POWER_NOMINAL) if watts is not None else (None, None)
