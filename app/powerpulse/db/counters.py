"""Named monotonic counters that carry change notices between the two workers.

`CONFIG` is bumped by every configuration write of the api worker; the poller reloads when it
sees a new value. `LIVE` numbers live-state writes so the api worker's stream watcher can ask for
"rows newer than what I sent".
"""

from __future__ import annotations

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from powerpulse.db.models import Counter

CONFIG = "config"
LIVE = "live"


async def bump(name: str, by: int = 1) -> int:
    """Add `by` to counter `name` (creating it) and return the new value, atomically."""
    async with in_transaction():
        updated = await Counter.filter(name=name).update(value=F("value") + by)
        if not updated:
            await Counter.create(name=name, value=by)
        row = await Counter.get(name=name)
        return int(row.value)


async def read(name: str) -> int:
    row = await Counter.get_or_none(name=name)
    return int(row.value) if row else 0
