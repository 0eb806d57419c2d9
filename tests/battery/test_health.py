"""The health estimate on synthetic histories with known answers."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

from powerpulse.battery.health import Reading, estimate, is_discharge

START = datetime(2025, 1, 1, 12, tzinfo=UTC)


def outage(at: datetime, full_runtime: float, load: float, minutes: int = 5) -> list[Reading]:
    """One outage: charge falls from 100 %, the remaining runtime with it."""
    out = []
    for i in range(minutes):
        charge = 100 - i * 2
        out.append(Reading(at + timedelta(minutes=i), full_runtime * charge / 100, load, charge))
    return out


def test_healthy_battery_is_good_at_any_load() -> None:
    readings = []
    for week in range(20):
        load = 20 + (week % 3) * 10  # runtime inversely with load: same product
        readings += outage(START + timedelta(weeks=week), 36000 / load, load)
    health = estimate(readings)
    assert health["state"] == "good" and health["reason"] is None
    assert math.isclose(health["runtimeRatio"], 1.0, abs_tol=0.01)
    assert health["score"] == 100
    assert abs(health["trendPerYear"]) < 0.02
    assert health["replaceBy"] is None
    assert health["confidence"] == "medium"
    assert len(health["points"]) == 20


def test_degrading_battery_forecasts_its_replacement_date() -> None:
    # Ratio 1.0 falling 0.2 a year: reaches 0.6 two years after the start.
    readings = []
    for week in range(52):
        at = START + timedelta(weeks=week)
        ratio = 1.0 - 0.2 * (at - START).total_seconds() / (365.25 * 86400)
        readings += outage(at, 1800 * ratio, 30)
    health = estimate(readings)
    assert math.isclose(health["trendPerYear"], -0.2, abs_tol=0.01)
    # The baseline is the median of the first 10 % (weeks 0-5: week 2.5's ratio), so the
    # ratio relative to it reaches 0.6 when the true one is 0.6 x that.
    base = 1.0 - 0.2 * 2.5 * 7 / 365.25
    expected = (START + timedelta(days=(1 - 0.6 * base) / 0.2 * 365.25)).date()
    got = date.fromisoformat(health["replaceBy"])
    assert abs((got - expected).days) <= 3
    assert health["state"] == "good" and 0.79 < health["runtimeRatio"] < 0.82
    assert health["confidence"] == "high"


def test_poor_battery() -> None:
    readings = []
    for week in range(10):
        ratio = 1.0 if week < 1 else 0.5
        readings += outage(START + timedelta(weeks=week), 1800 * ratio, 30)
    health = estimate(readings)
    assert health["state"] == "poor" and health["score"] < 60


def _unknown(health: dict, reason: str) -> None:
    assert health["state"] == "unknown" and health["reason"] == reason
    for key in (
        "score",
        "confidence",
        "runtimeRatio",
        "referenceLoad",
        "trendPerYear",
        "replaceBy",
    ):
        assert health[key] is None, key
    assert health["points"] == []


def test_not_enough_data_is_unknown_with_every_number_null() -> None:
    _unknown(estimate(outage(START, 1800, 30)), "not_enough_data")
    two = outage(START, 1800, 30) + outage(START + timedelta(days=1), 1800, 30)
    _unknown(estimate(two), "not_enough_data")
    _unknown(estimate([Reading(START, None, 30, 100)]), "no_runtime_reported")
    _unknown(estimate([]), "no_runtime_reported")
    online = [Reading(START + timedelta(days=d), 1800, 30, 100) for d in range(3)]
    _unknown(estimate([], online), "no_discharge_history")


def test_online_estimates_are_a_weaker_signal() -> None:
    online = [Reading(START + timedelta(days=d), 1800, 30, 100) for d in range(30)]
    health = estimate([], online)
    assert health["state"] == "good" and health["confidence"] == "low"


def test_absurd_values_are_ignored() -> None:
    readings = []
    for week in range(8):
        readings += outage(START + timedelta(weeks=week), 1800, 30)
        at = START + timedelta(weeks=week, minutes=3)
        readings += [
            Reading(at, float("nan"), 30, 100),
            Reading(at, 4.6e251, 30, 100),
            Reading(at, -5, 30, 100),
            Reading(at, 1e6, 2, 100),  # load <= 5 %
            Reading(at, 1e6, 30, 255),  # charge out of range
            Reading(at, 1e6, float("inf"), 100),
        ]
    health = estimate(readings)
    assert math.isclose(health["runtimeRatio"], 1.0, abs_tol=0.01)
    only_absurd = [Reading(START + timedelta(days=d), float("nan"), 30, 100) for d in range(30)]
    assert estimate(only_absurd)["state"] == "unknown"


def test_discharge_tokens() -> None:
    assert is_discharge("OB DISCHRG") and is_discharge("OB LB")
    assert not is_discharge("OL") and not is_discharge("OB CAL") and not is_discharge("OB TEST")
    assert not is_discharge("NOBATT") and not is_discharge(None)
