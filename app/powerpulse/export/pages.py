"""Keyset pagination over a Tortoise queryset, so an export of any size holds one page.

OFFSET re-reads every skipped row on each page (quadratic over a year of samples); a keyset
page starts where the previous one ended, through the index. The key is the row id, or a
column then the id (samples are read in `timestamp` order by their `(ups_id, timestamp)`
index; the id breaks ties between rows of the same time).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

DEFAULT_PAGE = 2000


async def by_id(
    queryset: QuerySet[Any],
    *,
    descending: bool = False,
    size: int = DEFAULT_PAGE,
    prefetch: Sequence[str] = (),
) -> AsyncIterator[list[Any]]:
    """Pages of model rows ordered by id (newest first when `descending`)."""
    last: int | None = None
    while True:
        page_query = queryset
        if last is not None:
            page_query = (
                page_query.filter(id__lt=last) if descending else page_query.filter(id__gt=last)
            )
        page_query = page_query.order_by("-id" if descending else "id").limit(size)
        if prefetch:
            page_query = page_query.prefetch_related(*prefetch)
        rows = list(await page_query)
        if not rows:
            return
        yield rows
        if len(rows) < size:
            return
        last = rows[-1].id


async def by_column(
    queryset: QuerySet[Any],
    column: str,
    fields: Sequence[str],
    *,
    size: int = DEFAULT_PAGE,
) -> AsyncIterator[list[tuple[Any, ...]]]:
    """Pages of `(column, id, *fields)` tuples in ascending `(column, id)` order.

    Tuples rather than models: building a model per row costs several times the read itself.
    The `column >= last` bound is redundant with the OR but lets the index start at the page."""
    last: tuple[Any, int] | None = None
    while True:
        page_query = queryset
        if last is not None:
            value, ident = last
            page_query = page_query.filter(**{f"{column}__gte": value}).filter(
                Q(**{f"{column}__gt": value}) | Q(id__gt=ident)
            )
        rows = list(
            await page_query.order_by(column, "id").limit(size).values_list(column, "id", *fields)
        )
        if not rows:
            return
        yield rows
        if len(rows) < size:
            return
        last = (rows[-1][0], rows[-1][1])
