"""A digest's content: the numbers of one period (`gather`, database reads) and their words
(`render`, pure: a short title and a plain-text body every channel can show).

Outages are those that started in the period; self-tests those asked for in it; battery
warnings are the fleet's state at the period's end (a battery past its expected life) plus
the period's failed tests; energy comes from `energy.query.energy_summary`, the one energy
calculation (None when that is unavailable or has no data: never a guessed zero).
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from powerpulse.db.models import BatteryInstall, Outage, SelfTest, UpsLiveState, UpsSystem
from powerpulse.digest.periods import Period
from powerpulse.notify.messages import format_runtime

log = logging.getLogger(__name__)

TITLE_ICON = "📊"
# Test states in the order the report lists them.
TEST_STATES = ("passed", "failed", "aborted", "unknown", "error", "blocked", "running", "requested")


@dataclass(frozen=True)
class UpsOutages:
    name: str
    count: int
    seconds: float  # of the ended ones
    still_open: int


@dataclass(frozen=True)
class Energy:
    kwh: float | None
    cost: float | None
    currency: str | None
    coverage: float


@dataclass(frozen=True)
class Report:
    period: Period
    timezone: str
    outages: int = 0
    outage_seconds: float = 0.0
    longest_seconds: float | None = None
    per_ups: list[UpsOutages] = field(default_factory=list)
    tests: dict[str, int] = field(default_factory=dict)
    failed_tests: list[str] = field(default_factory=list)
    battery_due: list[tuple[str, date]] = field(default_factory=list)
    energy: Energy | None = None


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and value >= 0 else None


async def _names() -> dict[int, str]:
    return {u.id: u.nickname or u.name for u in await UpsSystem.all()}


async def _outages(period: Period, names: dict[int, str]) -> dict[str, Any]:
    rows = await Outage.filter(started_at__gte=period.start, started_at__lt=period.end)
    per: dict[int, list[Outage]] = {}
    for row in rows:
        per.setdefault(row.ups_id, []).append(row)  # type: ignore[attr-defined]
    durations = [s for r in rows if (s := _seconds(r.duration_seconds)) is not None]
    per_ups = [
        UpsOutages(
            names.get(ups_id, f"UPS {ups_id}"),
            len(group),
            sum(s for r in group if (s := _seconds(r.duration_seconds)) is not None),
            sum(1 for r in group if r.ended_at is None),
        )
        for ups_id, group in per.items()
    ]
    per_ups.sort(key=lambda u: (-u.count, -u.seconds, u.name))
    return {
        "outages": len(rows),
        "outage_seconds": sum(durations),
        "longest_seconds": max(durations) if durations else None,
        "per_ups": per_ups,
    }


async def _tests(period: Period, names: dict[int, str]) -> dict[str, Any]:
    rows = await SelfTest.filter(requested_at__gte=period.start, requested_at__lt=period.end)
    states = Counter(r.state for r in rows)
    failed = sorted({names.get(r.ups_id, f"UPS {r.ups_id}") for r in rows if r.state == "failed"})  # type: ignore[attr-defined]
    return {"tests": dict(states), "failed_tests": failed}


async def _battery_due(period: Period, zone: ZoneInfo, names: dict[int, str]) -> list[Any]:
    from powerpulse.battery.life import age_of  # the battery helper's one age rule

    last_day = period.next_day - timedelta(days=1)
    installs = await BatteryInstall.filter(replaced_at__isnull=True)
    types = {
        live.ups_id: (live.variables or {}).get("battery.type")  # type: ignore[attr-defined]
        for live in await UpsLiveState.filter(ups_id__in=[i.ups_id for i in installs])  # type: ignore[attr-defined]
        if isinstance(live.variables, dict)
    }
    out = []
    for row in installs:
        ups_id = row.ups_id  # type: ignore[attr-defined]
        age = age_of(row.installed_on, row.expected_life_months, types.get(ups_id), last_day)
        if age.due:
            out.append((names.get(ups_id, f"UPS {ups_id}"), age.due_on))
    return sorted(out, key=lambda item: (item[1], item[0]))


async def _energy(period: Period, timezone: str) -> Energy | None:
    try:
        from powerpulse.energy.query import energy_summary
    except ImportError:
        return None
    try:
        body = await energy_summary(period.start, period.end, "ups", tz=timezone)
    except Exception:  # energy is one line of the report: never lose the rest to it
        log.exception("digest: the energy summary failed")
        return None
    total = body.get("total") or {}
    coverage = _seconds(total.get("coverage")) or 0.0
    if coverage <= 0:
        return None
    return Energy(
        _seconds(total.get("kwh")), _seconds(total.get("cost")), body.get("currency"), coverage
    )


async def gather(period: Period, timezone: str) -> Report:
    zone = ZoneInfo(timezone)
    names = await _names()
    return Report(
        period=period,
        timezone=timezone,
        **await _outages(period, names),
        **await _tests(period, names),
        battery_due=await _battery_due(period, zone, names),
        energy=await _energy(period, timezone),
    )


# --- words (pure) ---------------------------------------------------------------------------


def title(report: Report) -> str:
    return f"{TITLE_ICON} PowerPulse {report.period.kind} report: {report.period.key}"


def _duration(seconds: float) -> str:
    return format_runtime(seconds)


def render(report: Report, name: str = "") -> str:
    """The plain-text report."""
    p = report.period
    lines = [f"{name or 'PowerPulse'}: {p.kind} report for {p.label} ({report.timezone})", ""]
    if report.outages:
        head = f"Outages: {report.outages}, {_duration(report.outage_seconds)} on battery in total"
        if report.longest_seconds is not None:
            head += f", longest {_duration(report.longest_seconds)}"
        lines.append(head)
        for u in report.per_ups:
            text = f"  {u.name}: {u.count} ({_duration(u.seconds)})"
            if u.still_open:
                text += f", {u.still_open} still on battery"
            lines.append(text)
    else:
        lines.append("Outages: none")
    total = sum(report.tests.values())
    if total:
        counts = ", ".join(f"{report.tests[s]} {s}" for s in TEST_STATES if report.tests.get(s))
        lines.append(f"Self-tests: {total} ({counts})")
    else:
        lines.append("Self-tests: none")
    warnings = [
        f"  {n}: battery past its expected life (due {d.isoformat()})"
        for n, d in report.battery_due
    ]
    warnings += [f"  {n}: self-test failed" for n in report.failed_tests]
    lines.append("Battery warnings: " + ("none" if not warnings else str(len(warnings))))
    lines += warnings
    lines.append(_energy_line(report.energy))
    return "\n".join(lines)


def _energy_line(energy: Energy | None) -> str:
    if energy is None or energy.kwh is None:
        return "Energy: no power readings"
    text = f"Energy: {energy.kwh:.2f} kWh"
    if energy.cost is not None:
        text += f", {energy.cost:.2f} {energy.currency or ''}".rstrip()
    if energy.coverage < 0.995:
        text += f" (readings cover {energy.coverage * 100:.0f} % of the period)"
    return text
