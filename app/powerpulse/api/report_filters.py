"""Query arguments of the report endpoints (`/api/outages`, `/api/events`, `/api/audit-log`): a
time range, UPS ids and sites, the UPS names their rows show, and newest-first id pages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sanic import Request
from tortoise.queryset import QuerySet

from powerpulse.api.errors import bad_request
from powerpulse.api.validation import ID_MAX, query_int
from powerpulse.db.models import UpsSystem
from powerpulse.poller.leases import check_site
from powerpulse.timeutil import parse_iso

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def time_arg(request: Request, name: str) -> datetime | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        value = parse_iso(raw)
    except (ValueError, OverflowError):
        value = None
    if value is None or not EARLIEST <= value <= LATEST:
        raise bad_request(name, f"{name} must be an ISO 8601 time, e.g. 2025-01-31T12:00:00Z")
    return value


def time_range(request: Request) -> tuple[datetime | None, datetime | None]:
    start, end = time_arg(request, "from"), time_arg(request, "to")
    if start and end and start > end:
        raise bad_request("from", "from must not be later than to")
    return start, end


def ups_ids_arg(request: Request) -> list[int] | None:
    """`?ups=1,2`: UPS ids (None: every UPS)."""
    raw = request.args.get("ups")
    if not raw:
        return None
    ids = []
    for part in raw.split(",")[:201]:
        part = part.strip()
        if not (part.isascii() and part.isdigit() and len(part) <= 10 and 0 < int(part) <= ID_MAX):
            raise bad_request("ups", "ups must be a comma-separated list of UPS ids")
        ids.append(int(part))
    return list(dict.fromkeys(ids))


def sites_arg(request: Request) -> list[str] | None:
    raw = request.args.get("site")
    if not raw:
        return None
    sites = []
    for part in (p.strip() for p in raw.split(",")[:101]):
        try:
            sites.append(check_site(part))
        except ValueError as err:
            raise bad_request("site", f"site {part[:64]!r}: {err}") from None
    return sites


def by_ups(query: QuerySet[Any], request: Request) -> QuerySet[Any]:
    """`query` narrowed by `?ups=` and `?site=`."""
    if (ids := ups_ids_arg(request)) is not None:
        query = query.filter(ups_id__in=ids)
    if (sites := sites_arg(request)) is not None:
        query = query.filter(ups__nut_server__site__in=sites)
    return query


class UpsNames:
    """Name, display name and site of the UPS rows mentioned, loaded once per id."""

    def __init__(self) -> None:
        self._known: dict[int, tuple[str, str, str | None]] = {}

    async def load(self, ids: Sequence[int]) -> None:
        missing = [i for i in set(ids) if i not in self._known]
        if missing:
            for ups in await UpsSystem.filter(id__in=missing).select_related("nut_server"):
                site = ups.nut_server.site if ups.nut_server else None
                self._known[ups.id] = (ups.name, ups.nickname or ups.name, site)

    def __getitem__(self, ups_id: int) -> tuple[str, str, str | None]:
        return self._known.get(ups_id, ("", "", None))


def id_cursor(request: Request) -> int | None:
    """`?cursor=`: the `nextCursor` of the previous page (the last id it showed)."""
    raw = request.args.get("cursor")
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        raise bad_request("cursor", "cursor must be a nextCursor this endpoint returned")
    return int(raw)


async def newest_first(
    request: Request, query: QuerySet[Any], *, default_limit: int, max_limit: int
) -> tuple[list[Any], str | None]:
    """One page of `query` by descending id (`?limit=`, `?cursor=`) and the next page's cursor
    (None on the last page)."""
    limit = query_int(request, "limit", default=default_limit, lo=1, hi=max_limit)
    cursor = id_cursor(request)
    page_query = query.filter(id__lt=cursor) if cursor is not None else query
    found = list(await page_query.order_by("-id").limit(limit + 1))
    next_cursor = str(found[limit - 1].id) if len(found) > limit else None
    return found[:limit], next_cursor
