"""Sites and tags: how UPS are grouped and filtered (pure).

A UPS's site is its NUT server's (`NutServer.site`, None for servers without one); its tags are
free labels an admin gives it (`UpsSystem.tags`). The lists, the kiosk and `/metrics` take the
same filter: `?site=a,b` keeps the UPS of any of those sites, `?tag=x,y` the UPS that carry any
of those tags, and both together keep the UPS that match both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from powerpulse.poller.leases import check_site

MAX_TAGS = 20
# Letters, digits, space and `.-_:/`, starting with a letter or digit: readable on a badge,
# safe in a URL parameter and a Prometheus label, and never containing the filter's comma.
TAG_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._:/-]{0,39}$")
TAG_RULE = (
    "a tag is 1 to 40 letters, digits, spaces or '.', '-', '_', ':', '/', "
    "starting with a letter or digit"
)


def check_tag(value: str) -> str:
    """A tag, trimmed; ValueError when it breaks `TAG_RULE`."""
    tag = value.strip()
    if not TAG_PATTERN.match(tag):
        raise ValueError(TAG_RULE)
    return tag


def clean_tags(value: Any) -> list[str]:
    """A UPS's tags from a request body: a list of strings, checked, trimmed, without
    duplicates (first spelling kept), at most `MAX_TAGS`; ValueError otherwise."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("tags must be a list of strings")
    tags = list(dict.fromkeys(check_tag(v) for v in value))
    if len(tags) > MAX_TAGS:
        raise ValueError(f"a UPS has at most {MAX_TAGS} tags")
    return tags


def stored_tags(value: Any) -> list[str]:
    """The tags of a stored row: whatever the column holds, a list of strings."""
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str)]


@dataclass(frozen=True)
class Filter:
    """Which UPS a list shows. Empty sets mean no condition."""

    sites: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()

    @property
    def everything(self) -> bool:
        return not self.sites and not self.tags

    def matches(self, site: str | None, tags: Iterable[str]) -> bool:
        if self.sites and site not in self.sites:
            return False
        return not self.tags or not self.tags.isdisjoint(tags)


EVERYTHING = Filter()


class FilterError(ValueError):
    """A bad `?site=` or `?tag=` value; `field` names the parameter."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _split(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def _checked(field: str, raw: str | None, check: Callable[[str], str]) -> frozenset[str]:
    values = set()
    for value in _split(raw):
        try:
            values.add(check(value))
        except ValueError as exc:
            raise FilterError(field, f"{field} {value!r}: {exc}") from None
    return frozenset(values)


def parse_filter(site: str | None, tag: str | None) -> Filter:
    """The filter of `?site=` and `?tag=` (comma-separated); FilterError naming the bad value."""
    return Filter(_checked("site", site, check_site), _checked("tag", tag, check_tag))
