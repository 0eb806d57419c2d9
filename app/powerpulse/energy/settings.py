"""Energy settings: the power factor of load x apparent-power estimates and the tariff.

Saved in `key_values` "energy_settings" as `{"powerFactor", "pricePerKwh", "currency"}`;
POWER_FACTOR, ENERGY_PRICE_PER_KWH and ENERGY_CURRENCY, when set, win over the saved value
(`powerpulse.runtime_settings` loads and saves them). Validation here is pure.

The poller's sample builder reads `CURRENT` (refreshed whenever the poller loads its runtime
settings, i.e. within a tick of a save): a process-wide value, because the sample builder is
called deep in the sweep with no settings at hand.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from powerpulse.energy.power import DEFAULT_POWER_FACTOR, POWER_FACTOR_MAX, POWER_FACTOR_MIN

DEFAULT_CURRENCY = "EUR"
MAX_PRICE = 1_000_000.0  # per kWh: anything above is a typo, not a tariff
ENV = {
    "powerFactor": "POWER_FACTOR",
    "pricePerKwh": "ENERGY_PRICE_PER_KWH",
    "currency": "ENERGY_CURRENCY",
}
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class EnergySettings:
    power_factor: float = DEFAULT_POWER_FACTOR
    price_per_kwh: float | None = None  # None: no tariff, no cost
    currency: str = DEFAULT_CURRENCY

    def to_dict(self) -> dict[str, Any]:
        return {
            "powerFactor": self.power_factor,
            "tariff": {"pricePerKwh": self.price_per_kwh, "currency": self.currency},
        }


class EnergySettingError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def check_power_factor(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise EnergySettingError("powerFactor", "powerFactor must be a number")
    if not POWER_FACTOR_MIN <= value <= POWER_FACTOR_MAX:  # NaN fails too
        raise EnergySettingError(
            "powerFactor", f"powerFactor must be between {POWER_FACTOR_MIN} and {POWER_FACTOR_MAX}"
        )
    return float(value)


def check_price(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise EnergySettingError("pricePerKwh", "pricePerKwh must be a number or null")
    if not (math.isfinite(value) and 0 <= value <= MAX_PRICE):
        raise EnergySettingError("pricePerKwh", f"pricePerKwh must be between 0 and {MAX_PRICE:g}")
    return float(value)


def check_currency(value: Any) -> str:
    text = value.strip().upper() if isinstance(value, str) else None
    if text is None or not _CURRENCY.match(text):
        raise EnergySettingError("currency", "currency must be a 3-letter code such as EUR")
    return text


def from_saved(value: Any) -> EnergySettings:
    """The saved dict as settings; a bad stored value falls back to its default."""
    out = EnergySettings()
    if not isinstance(value, dict):
        return out
    for key, check, attr in (
        ("powerFactor", check_power_factor, "power_factor"),
        ("pricePerKwh", check_price, "price_per_kwh"),
        ("currency", check_currency, "currency"),
    ):
        if key in value:
            with contextlib.suppress(EnergySettingError):  # a bad saved value: the default
                out = replace(out, **{attr: check(value[key])})  # type: ignore[arg-type]
    return out


def with_env(settings: EnergySettings, env: Mapping[str, str]) -> EnergySettings:
    """`settings` with the variables that are set (and valid) winning."""
    raw = {k: env.get(v, "").strip() for k, v in ENV.items()}
    changes: dict[str, Any] = {}
    try:
        if raw["powerFactor"]:
            changes["power_factor"] = check_power_factor(float(raw["powerFactor"]))
        if raw["pricePerKwh"]:
            changes["price_per_kwh"] = check_price(float(raw["pricePerKwh"]))
        if raw["currency"]:
            changes["currency"] = check_currency(raw["currency"])
    except ValueError:
        pass  # a bad variable is ignored (the saved value stays), as logged by the loader
    return replace(settings, **changes) if changes else settings


def locked(env: Mapping[str, str]) -> list[str]:
    """The keys an environment variable sets (the API refuses to change them)."""
    return [k for k, v in ENV.items() if env.get(v, "").strip()]


def merge(saved: dict[str, Any], body: Any, env: Mapping[str, str]) -> dict[str, Any]:
    """The new saved dict after a PUT body `{"powerFactor"?, "tariff"?: {"pricePerKwh"?,
    "currency"?}}` (null powerFactor: back to the default); EnergySettingError naming the
    first bad field."""
    if not isinstance(body, dict):
        raise EnergySettingError("body", "the body must be a JSON object")
    unknown = [k for k in body if k not in ("powerFactor", "tariff")]
    if unknown:
        raise EnergySettingError(unknown[0], f"{unknown[0]} is not an energy setting")
    flat: dict[str, Any] = {}
    if "powerFactor" in body:
        flat["powerFactor"] = body["powerFactor"]
    tariff = body.get("tariff")
    if "tariff" in body:
        if not isinstance(tariff, dict):
            raise EnergySettingError("tariff", "tariff must be an object")
        for k in tariff:
            if k not in ("pricePerKwh", "currency"):
                raise EnergySettingError(f"tariff.{k}", f"tariff.{k} is not a tariff field")
        flat.update(tariff)
    out = dict(saved)
    for key, value in flat.items():
        if key in locked(env):
            raise EnergySettingError(key, f"{key} is set by the environment ({ENV[key]})")
        if key == "powerFactor":
            if value is None:
                out.pop(key, None)
            else:
                out[key] = check_power_factor(value)
        elif key == "pricePerKwh":
            out[key] = check_price(value)
        else:
            out[key] = check_currency(value)
    return out


# What this process's sample builder uses (see the module docstring).
CURRENT = EnergySettings()


def set_current(settings: EnergySettings) -> None:
    global CURRENT
    CURRENT = settings
