"""The fleet in a few numbers, for dashboard widgets (`GET /api/summary`; Homepage's custom API
widget maps its flat fields): how many UPS are in each summary bucket, the worst severity and
the weakest readings, and a short line per UPS. Pure: built from the API's own UPS objects, so
the words and buckets are the status model's (`powerpulse.nut.status`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from powerpulse.nut.status import BUCKETS, SEVERITIES

BUCKET_CODES = tuple(code for code, _ in BUCKETS)


def _lowest(rows: list[Mapping[str, Any]], key: str) -> tuple[Any, str | None]:
    known = [r for r in rows if isinstance(r.get(key), int | float)]
    if not known:
        return None, None
    row = min(known, key=lambda r: r[key])
    return row[key], row.get("displayName")


def summarise(ups_objects: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    rows = list(ups_objects)
    counts = dict.fromkeys(BUCKET_CODES, 0)
    for row in rows:
        bucket = row.get("summaryBucket")
        counts[bucket if bucket in counts else "unknown"] += 1
    severities = [s for s in (r.get("severity") for r in rows) if s in SEVERITIES]
    worst = max(severities, key=SEVERITIES.index) if severities else None
    lowest_charge, lowest_charge_ups = _lowest(rows, "batteryCharge")
    shortest_runtime, shortest_runtime_ups = _lowest(rows, "runtimeRemaining")
    loads = [r["load"] for r in rows if isinstance(r.get("load"), int | float)]
    updated = [r["lastUpdated"] for r in rows if isinstance(r.get("lastUpdated"), str)]
    return {
        "total": len(rows),
        **counts,
        "worstSeverity": worst,
        "lowestCharge": lowest_charge,
        "lowestChargeUps": lowest_charge_ups,
        "shortestRuntimeMinutes": shortest_runtime,
        "shortestRuntimeUps": shortest_runtime_ups,
        "highestLoad": max(loads) if loads else None,
        "lastUpdated": max(updated) if updated else None,
        "ups": [
            {
                "id": r.get("id"),
                "name": r.get("displayName"),
                "site": r.get("site"),
                "status": r.get("status"),
                "severity": r.get("severity"),
                "charge": r.get("batteryCharge"),
                "runtimeMinutes": r.get("runtimeRemaining"),
                "load": r.get("load"),
            }
            for r in rows
        ],
    }
