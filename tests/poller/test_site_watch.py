""" "No poller for site a": sent once by whichever live poller notices, again only after a
poller came back and went away again (both engines)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from powerpulse.config import Settings
from powerpulse.db.models import NotificationDelivery, NotificationLog, Poller, User, UserSettings
from powerpulse.notify.channels import KINDS
from powerpulse.notify.messages import Notice
from powerpulse.notify.personal import write_seed_fields
from powerpulse.poller import site_watch
from powerpulse.timeutil import utcnow

LEASE = 15.0
HOOK = "https://discord.com/api/webhooks/1/abc"


async def _poller(name: str, sites: list[str], age: float = 0.0) -> None:
    at = utcnow() - timedelta(seconds=age)
    await Poller.update_or_create(
        id=name,
        defaults={"host": name, "pid": 1, "sites": sites, "started_at": at, "heartbeat_at": at},
    )


async def _alerts() -> list[tuple[str, str]]:
    return [(log.kind, log.ups_name) for log in await NotificationLog.all().order_by("id")]


async def test_an_uncovered_site_alerts_once_and_again_after_a_comeback(db: Settings) -> None:
    user = await User.create(username="alice", password_hash="x")
    await UserSettings.create(user=user)
    await write_seed_fields(user.id, {"discord_webhook_url": HOOK})
    sites = ["paris", "lyon", None]
    await _poller("p-paris", ["paris"])
    await _poller("p-lyon", ["lyon"], age=LEASE + 1)  # its heartbeat is too old: dead
    # Three pollers check at once: each uncovered site alerts once.
    results = await asyncio.gather(*(site_watch.check_once(sites, LEASE) for _ in range(3)))
    assert sorted(repr(s) for r in results for s in r) == ["'lyon'", "None"]
    assert sorted(await _alerts()) == [
        ("poller_missing", "site lyon"),
        ("poller_missing", "the NUT servers without a site"),
    ]
    assert await NotificationDelivery.filter(channel="discord", state="pending").count() == 2
    for _ in range(3):
        assert await site_watch.check_once(sites, LEASE) == []
    assert len(await _alerts()) == 2
    # Lyon's poller comes back (re-arms), then goes away again: one more alert.
    await _poller("p-lyon", ["lyon"])
    await _poller("p-all", [], age=LEASE + 1)
    assert await site_watch.check_once(sites, LEASE) == []
    await _poller("p-lyon", ["lyon"], age=LEASE + 1)
    assert await site_watch.check_once(sites, LEASE) == ["lyon"]
    assert await site_watch.check_once(sites, LEASE) == []
    assert [a for a in await _alerts() if a[1] == "site lyon"] == [
        ("poller_missing", "site lyon")
    ] * 2
    # A poller without sites covers everything.
    await _poller("p-all", [])
    assert await site_watch.check_once(sites, LEASE) == []


def test_the_alert_says_which_site() -> None:
    notice = Notice("poller_missing", site_watch.site_label("paris"), "No poller", "", utcnow())
    embed = KINDS["discord"].payload(notice)["embeds"][0]
    assert embed["title"] == "🛰️ No Poller For Site"
    assert "**site paris**" in embed["description"]
    assert {"name": "Site", "value": "site paris", "inline": True} in embed["fields"]
