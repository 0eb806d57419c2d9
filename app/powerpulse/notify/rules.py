"""Alert rules: which events of which UPS go to which shared channels, and how often they
repeat. `matches` is pure; `overrides_for` merges the global templates with a rule's own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from powerpulse.db.models import AlertRule, MessageTemplate
from powerpulse.notify.messages import EVENT_KINDS, POLLER_MISSING, Override

# Every kind a rule may name: the UPS events (thresholds included) and a site's missing poller.
RULE_KINDS = (*EVENT_KINDS, POLLER_MISSING)
MIN_REPEAT = 60  # seconds: a reminder every few seconds is a storm, not a reminder
MAX_REPEAT = 7 * 24 * 3600


def matches(rule: AlertRule, ups_id: int, kind: str) -> bool:
    """Does `rule` send `kind` events of this UPS?"""
    if not rule.enabled or kind not in (rule.events or ()):
        return False
    return rule.ups is None or ups_id in rule.ups


def override_of(source: Mapping[str, Any] | None) -> Override | None:
    if not source:
        return None
    title, body = str(source.get("title") or ""), str(source.get("body") or "")
    return Override(title, body) if title or body else None


def merge(base: Override | None, top: Override | None) -> Override | None:
    """`top`'s non-empty parts over `base`'s."""
    if base is None or top is None:
        return top or base
    return Override(top.title or base.title, top.body or base.body)


async def global_templates() -> dict[str, Override]:
    out: dict[str, Override] = {}
    for row in await MessageTemplate.all():
        if (o := override_of({"title": row.title, "body": row.body})) is not None:
            out[row.kind] = o
    return out


def rule_override(
    rule: AlertRule | None, kind: str, globals_: Mapping[str, Override]
) -> Override | None:
    own = override_of((rule.templates or {}).get(kind)) if rule is not None else None
    return merge(globals_.get(kind), own)
