""" "No poller for site a": any live poller notices a site whose NUT servers no live poller
takes, and tells the users once.

Each check compares the sites in use (NUT servers' `site`, None for servers without one) with
the POLLER_SITES of the pollers whose heartbeat is younger than a lease. An uncovered site gets
one notification (kind `poller_missing`, no UPS): the alert is a `key_values` row inserted with
`ON CONFLICT DO NOTHING` in the same transaction as the notification, so of several pollers
checking at once exactly one inserts it and sends. The row is deleted when a poller covers the
site again, so the site alerts again only after its poller came back and went away again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable

from tortoise.fields.data import JSON_DUMPS
from tortoise.transactions import in_transaction

from powerpulse.db import dialect
from powerpulse.db.models import KeyValue, Poller
from powerpulse.notify import outbox, routing
from powerpulse.notify.messages import POLLER_MISSING, Notice
from powerpulse.poller import leases
from powerpulse.timeutil import iso, utcnow

log = logging.getLogger(__name__)

KEY_PREFIX = "poller_missing:"
_RAISE_SQL = (
    "INSERT INTO key_values (key, value, updated_at) VALUES (?, ?, ?) "
    "ON CONFLICT (key) DO NOTHING RETURNING key"
)


def alert_key(site: str | None) -> str:
    """The `key_values` key of a site's alert (a digest: sites are up to 64 characters)."""
    return KEY_PREFIX + hashlib.sha256((site or "").encode()).hexdigest()[:40]


def site_label(site: str | None) -> str:
    return f"site {site}" if site is not None else "the NUT servers without a site"


async def check_once(sites_in_use: Iterable[str | None], lease: float) -> list[str | None]:
    """Alert for each newly uncovered site, re-arm covered ones; the sites alerted now."""
    now = utcnow()
    in_use = set(sites_in_use)
    live = [
        list(p.sites or []) for p in await Poller.all() if leases.alive(p.heartbeat_at, now, lease)
    ]
    uncovered = leases.uncovered_sites(in_use, live)
    # Re-arm sites covered again (and forget sites no server uses any more).
    await (
        KeyValue.filter(key__startswith=KEY_PREFIX)
        .exclude(key__in=[alert_key(s) for s in uncovered])
        .delete()
    )
    raised = []
    for site in sorted(uncovered, key=lambda s: (s is not None, s or "")):
        if await _raise(site):
            raised.append(site)
    return raised


async def _raise(site: str | None) -> bool:
    now = utcnow()
    label = site_label(site)
    async with in_transaction() as conn:
        value = JSON_DUMPS({"site": site, "since": iso(now)})
        if not await dialect.fetch(_RAISE_SQL, [alert_key(site), value, now], conn):
            return False  # raised already (by us or another poller)
        notice = Notice(POLLER_MISSING, label, "No poller", "", now)
        routes = await routing.routes_for(None, POLLER_MISSING, now)
        await routing.write(routes, notice, outbox.Source())
    log.warning("no live poller takes %s: its UPS are not polled", label)
    return True
