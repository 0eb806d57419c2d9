"""The raw-sample export of one UPS: every stored sample in [from, to], oldest first, with
every history metric (`powerpulse.history.metrics`, the one table of their names and units),
the power source of `realPower` and the status, read by keyset one page at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from powerpulse.db.models import Sample
from powerpulse.export.pages import by_column
from powerpulse.export.stream import Table
from powerpulse.history.metrics import METRICS

PAGE = 5000
FIELDS = (*(m.column for m in METRICS), "power_source", "status")
TABLE = Table(
    keys=("time", *(m.api_name for m in METRICS), "powerSource", "status"),
    headers=("time", *(f"{m.api_name} [{m.unit}]" for m in METRICS), "powerSource", "status"),
)


async def sample_pages(
    ups_id: int, start: datetime, end: datetime, *, size: int = PAGE
) -> AsyncIterator[Sequence[Sequence[Any]]]:
    """Rows `(time, *metrics, power_source, status)` in time order, a page at a time."""
    query = Sample.filter(ups_id=ups_id, timestamp__gte=start, timestamp__lte=end)
    async for page in by_column(query, "timestamp", FIELDS, size=size):
        yield [(row[0], *row[2:]) for row in page]
