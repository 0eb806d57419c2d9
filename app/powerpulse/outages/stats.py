"""The numbers of one outage from its samples and events (pure)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from powerpulse.energy import integrate


def _value(raw: Any, lo: float, hi: float) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    value = float(raw)
    return value if math.isfinite(value) and lo <= value <= hi else None


def lowest(values: Iterable[Any], lo: float, hi: float) -> float | None:
    """The minimum of the physical values among `values` (None, NaN, 4.6e251 skipped)."""
    found = [v for v in (_value(x, lo, hi) for x in values) if v is not None]
    return min(found) if found else None


def energy(
    points: Sequence[tuple[float, float | None]], start: float, end: float, gap: float
) -> tuple[float | None, float | None]:
    """(Wh, coverage 0-1) drawn between `start` and `end` (epoch s) from time-ordered
    (epoch s, watts) samples; (None, None) without any covered interval."""
    got = integrate.total(points, gap)
    span = end - start
    if got.seconds <= 0 or span <= 0:
        return None, None
    return round(got.wh, 3), round(min(1.0, got.seconds / span), 4)


def shutdown_runs(runs: Iterable[Any], ups_id: int) -> list[dict[str, Any]]:
    """[{id, plan, state}] of the runs whose plan watches the UPS."""
    out = []
    for run in runs:
        watched = (run.definition or {}).get("ups") if isinstance(run.definition, dict) else None
        if isinstance(watched, list) and ups_id in watched:
            out.append({"id": run.id, "plan": run.plan_name, "state": run.state})
    return out
