"""Battery health from the UPS's own history, pure: no I/O, every input passed in.

Method. A battery's runtime falls roughly in inverse proportion to the load, so each reading is
reduced to one number, runtime x load (seconds x %), which stays about constant for a healthy
battery whatever the load. A reading taken at partial charge is scaled to full charge
(x 100 / charge), because the remaining runtime falls as the battery drains. Comparing that
number with the UPS's own baseline gives the runtime ratio: 1.0 = as when first recorded.

- Discharges (samples on battery, not in a calibration or test) are the real signal. Each
  outage counts once (the median of its samples), so one long outage cannot outweigh the rest.
- On line many UPS report their own runtime estimate at the current load: a weaker signal
  (the UPS's model, not a measurement), used only when there are not enough discharges, and
  never with more than medium confidence. One point per day.
- Baseline: the nominal runtime at a nominal load when given, else the median of the earliest
  observations: the first 10 % (at least one) of those within 90 days of the first one.
- Trend: least-squares slope of the ratio over time, per year. The replacement forecast is the
  date the fitted line reaches 0.6, only when degrading, with ≥ 5 points spanning ≥ 30 days and
  not more than ten years out.

When there is not enough data the state is "unknown" with a reason and every number is None:
never a made-up figure.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from powerpulse.nut.variables import CHARGE, RUNTIME
from powerpulse.timeutil import iso

REPLACE_AT = 0.6  # the ratio at which a battery should be replaced
GOOD_AT = 0.8
MIN_LOAD, MAX_LOAD = 5.0, 150.0  # below 5 % load runtime figures are extrapolations
MIN_CHARGE = 20.0  # below it, scaling to full charge amplifies the noise too much
MIN_POINTS = 3
MIN_SPAN = timedelta(days=7)
TREND_POINTS = 5
TREND_SPAN = timedelta(days=30)
BASELINE_WINDOW = timedelta(days=90)
BASELINE_SHARE = 0.10
FORECAST_MAX = timedelta(days=3653)
EPISODE_GAP = timedelta(minutes=15)  # on-battery samples further apart are two outages
MAX_CHART_POINTS = 150
SECONDS_PER_YEAR = 365.25 * 86400

# Status tokens of samples that are not an ordinary discharge.
NOT_A_DISCHARGE = frozenset({"CAL", "TEST", "FSD", "OFF", "BYPASS"})


@dataclass(frozen=True)
class Reading:
    """One reading: runtime in seconds, load and charge in %; None when not reported."""

    at: datetime
    runtime: float | None
    load: float | None
    charge: float | None = None


@dataclass(frozen=True)
class Point:
    at: datetime
    product: float  # full-charge runtime x load
    load: float


def is_discharge(status: str | None) -> bool:
    """A sample's stored tokens ("OB DISCHRG") say it was an ordinary discharge."""
    tokens = set((status or "").split())
    return "OB" in tokens and not tokens & NOT_A_DISCHARGE


def _finite(value: float | None, low: float, high: float) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and low <= number <= high else None


def product_of(reading: Reading) -> float | None:
    """Runtime x load at full charge, or None for an unusable reading (absurd, no load, a
    load of 5 % or less, a charge too low to scale)."""
    runtime = _finite(reading.runtime, 0.0, RUNTIME.high)
    load = _finite(reading.load, 0.0, MAX_LOAD)
    if runtime is None or runtime <= 0 or load is None or load <= MIN_LOAD:
        return None
    if reading.charge is not None:
        charge = _finite(reading.charge, CHARGE.low, CHARGE.high)
        if charge is None or charge < MIN_CHARGE:
            return None
        runtime *= 100.0 / charge
    return runtime * load


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def discharge_points(readings: Iterable[Reading]) -> list[Point]:
    """One point per outage: the median of its usable readings, dated at its start."""
    ordered = sorted(readings, key=lambda r: _aware(r.at))
    points: list[Point] = []
    episode: list[tuple[Reading, float]] = []
    last: datetime | None = None

    def close() -> None:
        if episode:
            points.append(
                Point(
                    _aware(episode[0][0].at),
                    statistics.median(p for _, p in episode),
                    statistics.median(float(r.load or 0) for r, _ in episode),
                )
            )
            episode.clear()

    for reading in ordered:
        at = _aware(reading.at)
        if last is not None and at - last > EPISODE_GAP:
            close()
        last = at
        if (product := product_of(reading)) is not None:
            episode.append((reading, product))
    close()
    return points


def daily_points(readings: Iterable[Reading]) -> list[Point]:
    """One point per UTC day: the median of its usable readings (hourly or daily averages)."""
    days: dict[date, list[tuple[Reading, float]]] = {}
    for reading in readings:
        if (product := product_of(reading)) is not None:
            days.setdefault(_aware(reading.at).date(), []).append((reading, product))
    return [
        Point(
            datetime(day.year, day.month, day.day, tzinfo=UTC),
            statistics.median(p for _, p in items),
            statistics.median(float(r.load or 0) for r, _ in items),
        )
        for day, items in sorted(days.items())
    ]


@dataclass(frozen=True)
class Fit:
    slope_per_year: float
    intercept: float  # the ratio at `origin`
    origin: datetime

    def at(self, when: datetime) -> float:
        return self.intercept + self.slope_per_year * _years(when - self.origin)


def _years(delta: timedelta) -> float:
    return delta.total_seconds() / SECONDS_PER_YEAR


def fit_line(series: Sequence[tuple[datetime, float]]) -> Fit | None:
    """Least squares of ratio over time; None without two distinct times."""
    if len(series) < 2:
        return None
    origin = series[0][0]
    xs = [_years(at - origin) for at, _ in series]
    ys = [ratio for _, ratio in series]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx <= 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    return Fit(slope, mean_y - slope * mean_x, origin)


def baseline(points: Sequence[Point]) -> float:
    """The median product of the earliest points (see the module docstring)."""
    first = points[0].at
    early = [p for p in points if p.at - first <= BASELINE_WINDOW]
    count = max(1, math.ceil(BASELINE_SHARE * len(points)))
    return statistics.median(p.product for p in early[:count])


def state_of(ratio: float) -> str:
    if ratio >= GOOD_AT:
        return "good"
    return "fair" if ratio >= REPLACE_AT else "poor"


def confidence_of(count: int, span: timedelta, discharges: bool) -> str:
    if discharges and count >= 10 and span >= timedelta(days=180):
        return "high"
    if count >= (5 if discharges else 60) and span >= (
        TREND_SPAN if discharges else timedelta(days=90)
    ):
        return "medium"
    return "low"


def unknown(reason: str) -> dict[str, Any]:
    return {
        "state": "unknown",
        "score": None,
        "reason": reason,
        "confidence": None,
        "runtimeRatio": None,
        "referenceLoad": None,
        "trendPerYear": None,
        "replaceBy": None,
        "points": [],
    }


def _enough(points: Sequence[Point]) -> bool:
    return len(points) >= MIN_POINTS and points[-1].at - points[0].at >= MIN_SPAN


def _chart(series: Sequence[tuple[datetime, float]]) -> list[dict[str, Any]]:
    """At most MAX_CHART_POINTS: longer series are averaged in equal runs."""
    if len(series) > MAX_CHART_POINTS:
        size = math.ceil(len(series) / MAX_CHART_POINTS)
        series = [
            (chunk[len(chunk) // 2][0], statistics.fmean(r for _, r in chunk))
            for chunk in (series[i : i + size] for i in range(0, len(series), size))
        ]
    return [{"at": iso(at), "ratio": round(ratio, 3)} for at, ratio in series]


def estimate(
    discharges: Iterable[Reading],
    online: Iterable[Reading] = (),
    *,
    nominal: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """The contract's Health object. `discharges`: readings on battery (already filtered with
    `is_discharge`); `online`: the UPS's runtime estimates on line (hourly or daily averages);
    `nominal`: (runtime seconds, load %) the UPS states for a new battery, when it does."""
    discharges, online = list(discharges), list(online)
    if not any(r.runtime is not None for r in (*discharges, *online)):
        return unknown("no_runtime_reported")
    points, from_discharges = discharge_points(discharges), True
    if not _enough(points):
        online_points = daily_points(online)
        if not _enough(online_points):
            return unknown("not_enough_data" if points else "no_discharge_history")
        points, from_discharges = online_points, False
    base = None
    if nominal is not None:
        base = product_of(Reading(points[0].at, nominal[0], nominal[1]))
    if base is None:
        base = baseline(points)
    series = [(p.at, p.product / base) for p in points]
    span = points[-1].at - points[0].at
    fit = fit_line(series) if len(points) >= TREND_POINTS and span >= TREND_SPAN else None
    latest = (
        fit.at(points[-1].at)
        if fit is not None
        else statistics.median(r for _, r in series[-MIN_POINTS:])
    )
    latest = max(0.0, latest)
    return {
        "state": state_of(latest),
        "score": round(100 * min(1.0, latest)),
        "reason": None,
        "confidence": confidence_of(len(points), span, from_discharges),
        "runtimeRatio": round(latest, 3),
        "referenceLoad": round(statistics.median(p.load for p in points), 1),
        "trendPerYear": round(fit.slope_per_year, 3) if fit is not None else None,
        "replaceBy": _replace_by(fit, points[-1].at),
        "points": _chart(series),
    }


def _replace_by(fit: Fit | None, last: datetime) -> str | None:
    """When the fitted ratio reaches REPLACE_AT (degrading fits only, ≤ 10 years out)."""
    if fit is None or fit.slope_per_year >= 0:
        return None
    years = (REPLACE_AT - fit.intercept) / fit.slope_per_year
    if not math.isfinite(years) or abs(years) > 100:
        return None
    when = fit.origin + timedelta(seconds=years * SECONDS_PER_YEAR)
    if when - last > FORECAST_MAX:
        return None
    return when.date().isoformat()
