"""The database side of self-tests: the facts the safety rules need, claims, and test rows.

Race safety lives in two conditional writes: claiming a schedule's occurrence
(`last_due_at < occurrence` → occurrence, counted: exactly one runner wins it) and
`SelfTest.active_ups_id` (unique: a second active test of one UPS fails to insert).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from powerpulse.db.models import (
    Event,
    Outage,
    SelfTest,
    SelfTestSchedule,
    ShutdownPlan,
    UpsLiveState,
    UpsSystem,
)
from powerpulse.notify.mutes import muted_until_now
from powerpulse.selftest import safety
from powerpulse.selftest.progress import Update

log = logging.getLogger(__name__)
FAILED_KIND = "self_test_failed"


def fresh_within(poll_interval: float) -> timedelta:
    """How recent the last good poll must be for a UPS to count as in contact."""
    return timedelta(seconds=max(60.0, 4 * poll_interval))


def tokens_of(live: UpsLiveState | None) -> frozenset[str]:
    return frozenset((live.status_tokens or "").split()) if live else frozenset()


def is_fresh(live: UpsLiveState | None, now: datetime, poll_interval: float) -> bool:
    if live is None or live.error_code is not None or live.last_success_at is None:
        return False
    return now - live.last_success_at <= fresh_within(poll_interval)


async def _last_outage(ups_id: int, since: datetime) -> tuple[datetime | None, bool]:
    """The latest outage start since `since` (an on_battery event or an outage record), and
    whether an outage record is still open."""
    event = (
        await Event.filter(ups_id=ups_id, kind="on_battery", occurred_at__gte=since)
        .order_by("-occurred_at")
        .first()
    )
    row = await Outage.filter(ups_id=ups_id).order_by("-started_at").first()
    ongoing = row is not None and row.ended_at is None
    times = [
        t for t in (event and event.occurred_at, row and (row.ended_at or row.started_at)) if t
    ]
    return (max(times) if times else None), ongoing


async def _testing_ids(ids: set[int]) -> set[int]:
    """Those of `ids` with an active test row or CAL / TEST in their live status."""
    if not ids:
        return set()
    rows: list[Any] = list(
        await SelfTest.filter(active_ups_id__in=list(ids)).values_list("active_ups_id", flat=True)
    )
    active: set[int] = {int(i) for i in rows if isinstance(i, int)}
    for live in await UpsLiveState.filter(ups_id__in=list(ids)):
        if safety.testing(tokens_of(live)):
            active.add(int(live.ups_id))
    return active


async def groups() -> list[frozenset[int]]:
    definitions = await ShutdownPlan.all().values_list("definition", flat=True)
    return safety.redundancy_groups(list(definitions))


async def conditions(
    ups: UpsSystem, now: datetime, quiet_hours: float, poll_interval: float
) -> tuple[safety.Conditions, UpsLiveState | None]:
    live = await UpsLiveState.get_or_none(ups_id=ups.id)
    variables = live.variables if live and isinstance(live.variables, dict) else {}
    last_outage, ongoing = await _last_outage(ups.id, now - timedelta(hours=quiet_hours))
    others = safety.partners(ups.id, await groups())
    facts = safety.Conditions(
        tokens=tokens_of(live),
        charge=safety.number(variables.get("battery.charge")),
        fresh=is_fresh(live, now, poll_interval),
        last_outage_at=last_outage,
        outage_ongoing=ongoing,
        muted=await muted_until_now(ups, now) is not None,
        group_testing=bool(await _testing_ids(others)),
        active_test=await SelfTest.exists(active_ups_id=ups.id),
    )
    return facts, live


async def claim_occurrence(schedule_id: int, occurrence: datetime) -> bool:
    """Mark `occurrence` handled; True for the one caller that did (never two runners)."""
    updated = (
        await SelfTestSchedule.filter(id=schedule_id, enabled=True)
        .filter(Q(last_due_at__isnull=True) | Q(last_due_at__lt=occurrence))
        .update(last_due_at=occurrence)
    )
    return bool(updated == 1)


async def record_blocked(
    ups_id: int, schedule_id: int | None, test_type: str, reason: str, now: datetime, **kw: Any
) -> SelfTest:
    return await SelfTest.create(
        ups_id=ups_id,
        schedule_id=schedule_id,
        test_type=test_type,
        state="blocked",
        reason=reason,
        requested_at=now,
        finished_at=now,
        **kw,
    )


async def open_test(
    ups_id: int,
    schedule_id: int | None,
    test_type: str,
    command: str,
    readings: dict[str, Any],
    now: datetime,
    started_by: str | None,
) -> SelfTest | None:
    """The active row of a test about to be sent; None when this UPS already has one."""
    try:
        return await SelfTest.create(
            ups_id=ups_id,
            schedule_id=schedule_id,
            test_type=test_type,
            command=command,
            state="requested",
            requested_at=now,
            readings=readings,
            active_ups_id=ups_id,
            started_by=started_by,
        )
    except IntegrityError:
        return None


async def mark_error(test: SelfTest, reason: str, now: datetime) -> None:
    test.state, test.reason, test.finished_at, test.active_ups_id = "error", reason, now, None
    await SelfTest.filter(id=test.id).update(
        state="error", reason=reason[:1000], finished_at=now, active_ups_id=None
    )


async def active_tests() -> list[SelfTest]:
    return await SelfTest.filter(active_ups_id__isnull=False).order_by("id")


async def apply(test: SelfTest, update: Update) -> bool:
    """Write `update` if the test is still active (another runner may have finished it); a
    failed test writes its `self_test_failed` event in the same transaction. True if written."""
    values: dict[str, Any] = {
        "state": update.state,
        "started_at": update.started_at,
        "readings": update.readings,
    }
    if update.finished:
        values.update(
            finished_at=update.finished_at,
            reason=update.reason,
            raw_result=update.raw_result,
            active_ups_id=None,
        )
    failed = update.state == "failed"
    if failed:
        values["alerted"] = True
    async with in_transaction():
        match = {"id": test.id, "active_ups_id__isnull": False, "state": test.state}
        if await SelfTest.filter(**match).update(**values) != 1:
            return False
        if failed:
            await _failed_event(test, update)
    return True


async def _failed_event(test: SelfTest, update: Update) -> None:
    """The alert of a failed test: its own kind, so it reaches everyone with notifications on
    (the per-user switch for self-test notices does not gate it: it is a battery problem)."""
    end = update.readings.get("end") or {}
    previous = "Self Test"
    await Event.create(
        ups_id=test.ups_id,  # type: ignore[attr-defined]
        kind=FAILED_KIND,
        previous_status=previous,
        new_status="Battery Test Failed",
        occurred_at=update.finished_at,
        details={
            "phase": "ended",
            "mode": test.test_type,
            "result": update.raw_result,
            "outcome": "failed",
            "testId": test.id,
            "charge": end.get("charge"),
            "runtime": end.get("runtimeSeconds"),
            "load": end.get("load"),
        },
    )
    log.warning("battery test %s of UPS %s failed: %s", test.id, test.ups_id, update.raw_result)  # type: ignore[attr-defined]
