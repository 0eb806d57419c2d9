"""The self-update's progress and last result, kept in the database (`KeyValue` key "update").

The database lives on the data volume, so the old container, the short-lived updater container
and the new container all read and write the same record: the UI asks the new container how the
update that replaced its predecessor went.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from powerpulse.db.models import KeyValue
from powerpulse.timeutil import iso, utcnow

KEY = "update"
MAX_STEPS = 30
# Finished states; anything else means an update is under way.
FINAL = frozenset({"idle", "up-to-date", "succeeded", "rolled-back", "failed"})
# An in-progress record older than this was interrupted (e.g. the host rebooted mid-update).
STALE_AFTER = timedelta(minutes=15)


def idle() -> dict[str, Any]:
    return {"state": "idle", "inProgress": False, "message": "No update has run yet", "steps": []}


async def read() -> dict[str, Any]:
    row = await KeyValue.get_or_none(key=KEY)
    status = dict(row.value) if row and isinstance(row.value, dict) else idle()
    status["inProgress"] = status.get("state") not in FINAL
    if status["inProgress"] and row is not None and utcnow() - row.updated_at > STALE_AFTER:
        status.update(state="failed", inProgress=False, message="The update was interrupted")
    return status


async def begin(**fields: Any) -> dict[str, Any]:
    """Start a fresh record (the previous result is replaced)."""
    now = iso(utcnow())
    status = {"state": "pulling", "startedAt": now, "finishedAt": None, "steps": [], **fields}
    return await _save(status, status.get("message") or "Update started")


async def step(state: str, message: str, **fields: Any) -> dict[str, Any]:
    """Record progress: the new state, a line in `steps`, and any extra fields."""
    row = await KeyValue.get_or_none(key=KEY)
    status = dict(row.value) if row and isinstance(row.value, dict) else idle()
    status.update(fields, state=state, message=message)
    if state in FINAL:
        status["finishedAt"] = iso(utcnow())
    return await _save(status, message)


async def _save(status: dict[str, Any], message: str) -> dict[str, Any]:
    steps = list(status.get("steps") or [])
    steps.append({"at": iso(utcnow()), "state": status["state"], "message": message})
    status["steps"] = steps[-MAX_STEPS:]
    status["inProgress"] = status["state"] not in FINAL
    await KeyValue.update_or_create(defaults={"value": status}, key=KEY)
    return status
