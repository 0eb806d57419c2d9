"""Scheduled battery self-tests: a task of the poller worker, and the one way a test starts.

`request_test()` (the runner and `POST /api/ups-systems/:id/self-tests` both use it): the
safety rules (`selftest.safety`) on what the poller last read, then `LIST CMD` and `INSTCMD` on
the UPS's NUT server with the server's stored credentials. The test row is written (active)
before the command is sent, so a second request for the same UPS — another runner, a click —
fails on the unique `active_ups_id` instead of sending a second command. An upsd refusal
(`ERR CMD-NOT-SUPPORTED`, `ACCESS-DENIED`, `USERNAME-REQUIRED`) ends the row "error" with
upsd's code.

`SelfTestRunner.run(stop)` turns every `interval` (30 s): each enabled schedule whose latest
occurrence is not yet handled claims it with a conditional update (two pollers: one wins) and
requests a test of each of its UPS, recording a "blocked" row with the rule's code when one
blocks. An occurrence found more than six hours late (the poller was down) is claimed and
skipped, not run at a surprising hour. Occurrences from before a schedule was last saved never
run. While tests are active the runner looks every `follow_every` seconds (the poll interval)
and moves them with `selftest.progress`; a failed test writes a `self_test_failed` event (the
alert). A turn that fails is logged and the next one runs: the runner never stops the poller.

Limitation: UPS of one redundancy group in one schedule do not wait for each other — the
first is tested, the others are blocked `group_testing`; give them schedules at different times.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime

from powerpulse.audit import store as audit_store
from powerpulse.config import Settings
from powerpulse.db.models import NutServer, SelfTest, SelfTestSchedule, UpsLiveState, UpsSystem
from powerpulse.nut.client import NutClient
from powerpulse.nut.errors import NutConnectionError, NutError, NutResponseError
from powerpulse.selftest import progress, safety, store
from powerpulse.selftest.schedule import due_occurrence
from powerpulse.selftest.serialize import schedule_of
from powerpulse.timeutil import iso, utcnow

log = logging.getLogger(__name__)
audit = logging.getLogger("powerpulse.audit")

INTERVAL = 30.0
MANUAL_MIN_CHARGE = 90.0
MANUAL_QUIET_HOURS = 24


@dataclass(frozen=True)
class Requested:
    """What a request came to: a test row (requested, or error), or the blocking rule (with
    its row when the caller records blocked attempts)."""

    test: SelfTest | None
    reason: str | None = None


async def _commands(client: NutClient, ups_name: str) -> list[str]:
    return list(await client.list_cmd(ups_name))


def _refusal(err: NutError) -> str:
    if isinstance(err, NutResponseError):
        return f"upsd refused the command: ERR {err.nut_code}" + (
            f" {err.extra}" if err.extra else ""
        )
    return f"The command could not be sent: {err}"


async def request_test(
    ups: UpsSystem,
    test_type: str,
    settings: Settings,
    *,
    min_charge: float = MANUAL_MIN_CHARGE,
    quiet_hours: float = MANUAL_QUIET_HOURS,
    schedule_id: int | None = None,
    started_by: str | None = None,
    record_blocked: bool = False,
    now: datetime | None = None,
) -> Requested:
    """Check the rules and send the test command; see the module docstring."""
    now = now or utcnow()
    facts, live = await store.conditions(ups, now, quiet_hours, settings.poll_interval)
    reason = safety.blocking_reason(facts, min_charge=min_charge, quiet_hours=quiet_hours, now=now)
    server = await NutServer.get(id=ups.nut_server_id)  # type: ignore[attr-defined]
    client = NutClient(
        server.host,
        server.port,
        server.username,
        server.password,
        starttls=server.starttls,
        timeout=settings.nut_timeout,
    )
    try:
        async with asyncio.timeout(settings.nut_timeout * 4 + 1):
            command = None
            if reason is None:
                try:
                    command = safety.choose_command(
                        test_type, await _commands(client, ups.ups_name)
                    )
                except (NutConnectionError, TimeoutError):
                    reason = safety.NO_CONTACT
                except NutError as err:
                    reason = safety.NO_CONTACT if err.no_fresh_data else safety.UNSUPPORTED
                if reason is None and command is None:
                    reason = safety.UNSUPPORTED
            if reason is not None or command is None:
                reason = reason or safety.UNSUPPORTED
                row = None
                if record_blocked:
                    row = await store.record_blocked(ups.id, schedule_id, test_type, reason, now)
                log.info("self-test of %s blocked: %s", ups.name, reason)
                return Requested(row, reason)
            variables = live.variables if live and isinstance(live.variables, dict) else {}
            test = await store.open_test(
                ups.id,
                schedule_id,
                test_type,
                command,
                progress.initial_readings(variables),
                now,
                started_by,
            )
            if test is None:  # another request won the race for this UPS
                if record_blocked:
                    row = await store.record_blocked(
                        ups.id, schedule_id, test_type, safety.ALREADY_TESTING, now
                    )
                    return Requested(row, safety.ALREADY_TESTING)
                return Requested(None, safety.ALREADY_TESTING)
            try:
                await client.instcmd(ups.ups_name, command)
            except NutError as err:
                await store.mark_error(test, _refusal(err), utcnow())
                log.warning("self-test command %s to %s failed: %s", command, ups.name, err)
                return Requested(test)
            who = started_by or f"schedule {schedule_id}"
            audit.info("%s started a %s battery test (%s) on %s", who, test_type, command, ups.name)
            if started_by is None:  # a person's request is recorded by the api's audit trail
                await audit_store.record_system(
                    "self_test_started",
                    target_type="ups_systems",
                    target_id=str(ups.id),
                    target_name=ups.name,
                    after={"testType": test_type, "command": command, "schedule": schedule_id},
                )
            return Requested(test)
    except TimeoutError:
        return Requested(None, safety.NO_CONTACT)
    finally:
        await client.close()


class SelfTestRunner:
    def __init__(
        self,
        settings: Settings,
        *,
        interval: float = INTERVAL,
        follow_every: float | None = None,
        limits: progress.Limits | None = None,
    ) -> None:
        self.settings = settings
        self.interval = interval
        self.follow_every = follow_every or max(1.0, settings.poll_interval)
        self.limits = limits or progress.Limits()
        self._last_schedule_check: float | None = None
        self._active = False

    # -- step functions (tests call these) ---------------------------------------------------
    async def run_due_once(self, now: datetime | None = None) -> list[Requested]:
        """Handle every due occurrence of every enabled schedule; returns what was requested."""
        now = now or utcnow()
        out: list[Requested] = []
        for row in await SelfTestSchedule.filter(enabled=True).order_by("id"):
            try:
                out.extend(await self._run_schedule(row, now))
            except Exception:
                log.exception("self-test schedule %s could not run", row.id)
        return out

    async def _run_schedule(self, row: SelfTestSchedule, now: datetime) -> list[Requested]:
        s = schedule_of(row)
        since = max(t for t in (row.created_at, row.updated_at) if t is not None)
        due = due_occurrence(s, now, row.last_due_at, since)
        if due is None or not await store.claim_occurrence(row.id, due.at):
            return []
        if due.stale:
            log.warning(
                "self-test schedule %r: occurrence %s skipped (found %s late)",
                s.name,
                iso(due.at),
                now - due.at,
            )
            return []
        query = UpsSystem.all() if s.ups is None else UpsSystem.filter(id__in=list(s.ups))
        out = []
        for ups in await query.order_by("id"):
            try:
                out.append(
                    await request_test(
                        ups,
                        s.test_type,
                        self.settings,
                        min_charge=s.min_charge,
                        quiet_hours=s.quiet_hours,
                        schedule_id=row.id,
                        record_blocked=True,
                        now=now,
                    )
                )
            except Exception:
                log.exception("self-test of UPS %s (schedule %s) failed", ups.id, row.id)
        return out

    async def follow_once(self, now: datetime | None = None) -> int:
        """Move every active test on; returns how many are still active."""
        now = now or utcnow()
        tests = await store.active_tests()
        still = 0
        for test in tests:
            try:
                live = await UpsLiveState.get_or_none(ups_id=test.ups_id)  # type: ignore[attr-defined]
                look = progress.Look(
                    fresh=store.is_fresh(live, now, self.settings.poll_interval),
                    tokens=store.tokens_of(live),
                    variables=live.variables if live and isinstance(live.variables, dict) else {},
                )
                active = progress.Active(
                    test.state,
                    test.test_type,
                    test.requested_at,
                    test.started_at,
                    test.readings if isinstance(test.readings, dict) else {},
                )
                update = progress.step(active, look, now, self.limits)
                if update is not None and await store.apply(test, update) and update.finished:
                    log.info("self-test %s ended %s", test.id, update.state)
                    continue
                still += 1
            except Exception:
                log.exception("self-test %s could not be followed", test.id)
        self._active = still > 0
        return still

    async def turn(self) -> None:
        loop_now = asyncio.get_running_loop().time()
        last = self._last_schedule_check
        if last is None or loop_now - last >= self.interval:
            self._last_schedule_check = loop_now
            await self.run_due_once()
        await self.follow_once()

    # -- the task ----------------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> None:
        log.info("self-test runner started (every %gs)", self.interval)
        while not stop.is_set():
            try:
                await self.turn()
            except Exception:  # the database away for a moment: try again next turn
                log.exception("self-test runner turn failed")
            wait = min(self.interval, self.follow_every) if self._active else self.interval
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)
