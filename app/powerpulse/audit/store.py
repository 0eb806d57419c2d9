"""Writing audit entries, and their retention (`AUDIT_RETENTION_DAYS`).

A failed write is logged, never raised: the change it describes has already happened, and the
answer to it must not turn into an error. (The readable one-line summaries some handlers write
on the `powerpulse.audit` logger stay as they are; this is the stored, complete record.)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from powerpulse.audit.masking import jsonable, mask
from powerpulse.db import dialect
from powerpulse.db.models import AuditEntry
from powerpulse.history.retention import delete_in_batches
from powerpulse.timeutil import utcnow

log = logging.getLogger(__name__)


@dataclass
class Entry:
    action: str
    user_id: int | None = None
    username: str | None = None
    token_id: int | None = None
    token_name: str | None = None
    address: str | None = None
    method: str | None = None
    path: str | None = None
    status: int | None = None
    target_type: str | None = None
    target_id: str | None = None
    target_name: str | None = None
    before: Any = None
    after: Any = None
    request: Any = None
    at: datetime = field(default_factory=utcnow)


def _clip(value: str | None, length: int) -> str | None:
    return None if value is None else str(value)[:length]


async def write(entry: Entry) -> None:
    try:
        await AuditEntry.create(
            at=entry.at,
            user_id=entry.user_id,
            username=_clip(entry.username, 64),
            token_id=entry.token_id,
            token_name=_clip(entry.token_name, 100),
            address=_clip(entry.address, 64),
            action=entry.action[:96],
            method=_clip(entry.method, 8),
            path=_clip(entry.path, 255),
            status=entry.status,
            target_type=_clip(entry.target_type, 48),
            target_id=_clip(entry.target_id, 32),
            target_name=_clip(entry.target_name, 255),
            before=mask(jsonable(entry.before)),
            after=mask(jsonable(entry.after)),
            request=mask(jsonable(entry.request)),
        )
    except Exception:
        log.exception("could not store the audit entry for %s", entry.action)


async def record_system(action: str, **details: Any) -> None:
    """Something PowerPulse did by itself (no user): `action` is "system.<what>"."""
    await write(Entry(action=f"system.{action}", username=None, **details))


_PRUNE = dialect.delete_batch("audit_log", "at < ?")


async def prune(now: datetime, retention_days: int) -> int:
    """Delete entries older than `retention_days`, in short batches; how many went."""
    return await delete_in_batches(_PRUNE, [now - timedelta(days=retention_days)])
