"""Power of one reading and the energy between readings (pure)."""

from __future__ import annotations

import math

import pytest

from powerpulse.energy import integrate
from powerpulse.energy.power import SOURCES, power


def test_measured_wins() -> None:
    v = {"ups.realpower": "312", "ups.load": "50", "ups.realpower.nominal": "1000"}
    assert power(v) == (312.0, "measured")


def test_load_times_realpower_nominal() -> None:
    assert power({"ups.load": "25", "ups.realpower.nominal": "900"}) == (225.0, SOURCES[1])


def test_load_times_power_nominal_and_factor() -> None:
    w, src = power({"ups.load": "50", "ups.power.nominal": "1500"}, 0.9)
    assert src == SOURCES[2] and math.isclose(w or 0, 675.0)
    assert power({"ups.load": "50", "ups.power.nominal": "1500"})[0] == pytest.approx(600.0)


@pytest.mark.parametrize(
    "variables",
    [
        {"ups.realpower": "4.6e251"},
        {"ups.realpower": "nan", "ups.load": "garbage", "ups.realpower.nominal": "900"},
        {"ups.load": "4.6e251", "ups.realpower.nominal": "900"},
        {"ups.load": "50"},
        {"ups.load": "900", "ups.realpower.nominal": "9000000"},  # 81 MW: not a UPS
        {},
    ],
)
def test_absurd_or_missing_is_no_power(variables: dict[str, str]) -> None:
    assert power(variables) == (None, None)


def test_trapezoid() -> None:
    got = integrate.interval(0, 100.0, 60, 200.0, 180)
    assert got is not None and got.wh == pytest.approx(150 * 60 / 3600) and got.seconds == 60


def test_gap_is_unknown_not_zero() -> None:
    # 100 W for 10 minutes, a 20-minute hole, 100 W for 10 minutes more
    points = [(t * 60.0, 100.0) for t in range(11)] + [(t * 60.0, 100.0) for t in range(30, 41)]
    got = integrate.total(points, integrate.max_gap(60))
    assert got.seconds == 20 * 60  # the hole is not covered
    assert got.wh == pytest.approx(100 * 20 / 60)  # kWh only from covered time
    assert got.seconds / (40 * 60) == pytest.approx(0.5)


def test_missing_power_and_time_backwards_are_unknown() -> None:
    assert integrate.interval(0, None, 60, 100.0, 180) is None
    assert integrate.interval(60, 100.0, 0, 100.0, 180) is None
    assert integrate.max_gap(10) == 180 and integrate.max_gap(300) == 900


def test_interval_counts_in_the_hour_of_its_end() -> None:
    buckets = integrate.by_hour([(3570.0, 60.0), (3630.0, 60.0)], 180)
    assert list(buckets) == [3600] and buckets[3600].wh == pytest.approx(1.0)
