"""kWh summaries from the hourly rollups only (never the samples): a year of 100 UPS is
876,000 rollup rows, aggregated by one GROUP BY in the database.

- kWh = Σ energy_wh / 1000; null when nothing is covered (unknown, never zero).
- coverage = Σ energy_seconds / Σ over UPS of the seconds of the group's span that overlap
  the UPS's existence (from the earlier of its `created_at` and its first rollup hour).
- estimated = Σ power_estimated_n / Σ samples: the share of samples whose power is estimated.
- group day / month: in `tz`. Rollup hours are UTC epoch hours, so each hour is assigned to
  the local day containing its start; in a zone with a half-hour offset (Asia/Kolkata) an
  hour straddling local midnight counts for one of the two days (approximation). The span is
  cut at each UTC-offset change (DST), one query per constant-offset stretch.
- group site: NutServer.site; the null site is key "" labelled "No site".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from powerpulse import runtime_settings
from powerpulse.db import dialect
from powerpulse.db.models import UpsSystem
from powerpulse.timeutil import iso

GROUPS = ("ups", "site", "day", "month")
HOUR, DAY = 3600, 86400
NO_SITE = "No site"


def _where(ups_ids: Sequence[int] | None) -> tuple[str, list[Any]]:
    if ups_ids is None:
        return "", []
    return f" AND ups_id IN ({', '.join('?' * len(ups_ids))})", list(ups_ids)


_SUMS = (
    "SUM(energy_wh) AS wh, SUM(energy_seconds) AS secs, "
    "SUM(power_estimated_n) AS est, SUM(samples) AS n"
)


def _add(acc: dict[str, float], row: Any) -> None:
    for k in ("wh", "secs", "est", "n"):
        acc[k] = acc.get(k, 0.0) + float(row[k] or 0)


def _offset(t: float, tz: ZoneInfo) -> int:
    delta = datetime.fromtimestamp(t, tz).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def _offset_stretches(start: int, end: int, tz: ZoneInfo) -> list[tuple[int, int, int]]:
    """[(from, to, utc offset s)] of [start, end) (epoch s, whole hours) cut at the hours
    where the zone's offset changes: a day at a time, then hour by hour inside a changing day."""
    out: list[tuple[int, int, int]] = []
    t, off = start, _offset(start, tz)
    while t < end:
        step = min(end, t + DAY)
        if _offset(step, tz) != off or step == end:
            nxt = t + HOUR
            while nxt < step and _offset(nxt, tz) == off:
                nxt += HOUR
            if nxt < end and _offset(nxt, tz) != off:
                out.append((start, nxt, off))
                start, off = nxt, _offset(nxt, tz)
            t = nxt if nxt < step else step
        else:
            t = step
    out.append((start, end, off))
    return [s for s in out if s[0] < s[1]]


def _period_key(day: date, group: str) -> str:
    return day.isoformat() if group == "day" else day.strftime("%Y-%m")


def _period_bounds(key: str, group: str, tz: ZoneInfo) -> tuple[float, float]:
    if group == "day":
        d = date.fromisoformat(key)
        nxt = d + timedelta(days=1)
    else:
        d = date.fromisoformat(key + "-01")
        nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    a = datetime(d.year, d.month, d.day, tzinfo=tz).timestamp()
    b = datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz).timestamp()
    return a, b


async def _existence(ups: list[UpsSystem]) -> dict[int, float]:
    """Epoch s each UPS exists from: its created_at or its first rollup, the earlier."""
    out: dict[int, float] = {}
    for u in ups:
        rows = await dialect.fetch(
            "SELECT MIN(hour) AS h FROM sample_rollups WHERE ups_id = ?", [u.id]
        )
        first = rows[0]["h"] if rows else None
        created = u.created_at.timestamp() if u.created_at else float("inf")
        out[u.id] = min(created, float(first)) if first is not None else created
    return out


def _overlap(a: float, b: float, exists: dict[int, float], ids: Sequence[int]) -> float:
    return sum(max(0.0, b - max(a, exists[i])) for i in ids)


def _row(acc: dict[str, float], possible: float, price: float | None) -> dict[str, Any]:
    secs = acc.get("secs", 0.0)
    kwh = round(acc.get("wh", 0.0) / 1000, 6) if secs > 0 else None
    n = acc.get("n", 0.0)
    return {
        "kwh": kwh,
        "cost": None if kwh is None or price is None else round(kwh * price, 4),
        "coverage": round(min(1.0, secs / possible), 4) if possible > 0 else 0.0,
        "estimated": round(acc.get("est", 0.0) / n, 4) if n > 0 else 0.0,
    }


async def energy_summary(
    start: datetime,
    end: datetime,
    group: str,
    ups_ids: Sequence[int] | None = None,
    sites: Sequence[str] | None = None,
    tz: str = "UTC",
) -> dict[str, Any]:
    """The body of `GET /api/energy` (validated arguments: start < end, group in GROUPS)."""
    zone = ZoneInfo(tz)
    query = UpsSystem.all().select_related("nut_server").order_by("id")
    if ups_ids is not None:
        query = query.filter(id__in=list(ups_ids))
    ups = [u for u in await query if sites is None or (u.nut_server.site or "") in sites]
    ids = [u.id for u in ups]
    energy = await runtime_settings.load_energy()
    price = energy.price_per_kwh
    a, b = start.timestamp(), end.timestamp()
    h0, h1 = int(a) // HOUR * HOUR, int(b)  # hours starting in [start's hour, end)
    exists = await _existence(ups)
    where, params = _where(ids)
    rows_out: list[dict[str, Any]] = []
    total: dict[str, float] = {}
    if ids and group in ("ups", "site"):
        found = await dialect.fetch(
            f"SELECT ups_id, {_SUMS} FROM sample_rollups WHERE hour >= ? AND hour < ?{where} "
            "GROUP BY ups_id",
            [h0, h1, *params],
        )
        by_ups = {int(r["ups_id"]): r for r in found}
        groups: dict[str, tuple[str, list[int]]] = {}
        for u in ups:
            if group == "ups":
                groups[str(u.id)] = (u.nickname or u.name, [u.id])
            else:
                site = u.nut_server.site or ""
                groups.setdefault(site, (site or NO_SITE, []))[1].append(u.id)
        for key, (label, members) in groups.items():
            acc: dict[str, float] = {}
            for i in members:
                if i in by_ups:
                    _add(acc, by_ups[i])
                    _add(total, by_ups[i])
            row = {"key": key, "label": label, **_row(acc, _overlap(a, b, exists, members), price)}
            if group == "ups":
                row["upsId"] = members[0]
            rows_out.append(row)
    elif ids:
        periods: dict[str, dict[str, float]] = {}
        for lo, hi, off in _offset_stretches(h0, h1, zone):
            found = await dialect.fetch(
                f"SELECT (hour + ?) / {DAY} AS d, {_SUMS} FROM sample_rollups "
                f"WHERE hour >= ? AND hour < ?{where} GROUP BY d",
                [off, lo, hi, *params],
            )
            for r in found:
                key = _period_key(date(1970, 1, 1) + timedelta(days=int(r["d"])), group)
                _add(periods.setdefault(key, {}), r)
                _add(total, r)
        # every period of the span, also those without data (coverage 0, kWh null)
        day = datetime.fromtimestamp(a, zone).date()
        last = datetime.fromtimestamp(b - 1e-6, zone).date()
        keys: list[str] = []
        while day <= last:
            key = _period_key(day, group)
            if not keys or keys[-1] != key:
                keys.append(key)
            day += timedelta(days=1)
        for key in keys:
            pa, pb = _period_bounds(key, group, zone)
            possible = _overlap(max(a, pa), min(b, pb), exists, ids)
            rows_out.append(
                {"key": key, "label": key, **_row(periods.get(key, {}), possible, price)}
            )
    return {
        "from": iso(start.astimezone(UTC)),
        "to": iso(end.astimezone(UTC)),
        "group": group,
        "currency": energy.currency if price is not None else None,
        "pricePerKwh": price,
        "rows": rows_out,
        "total": _row(total, _overlap(a, b, exists, ids), price),
    }
