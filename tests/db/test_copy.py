"""`powerpulse db copy --to postgres://…`, run as the real command: a SQLite file with rows in
every table (and the values SQLite takes but PostgreSQL does not) into a real PostgreSQL
server, compared row by row; then a second copy into the now non-empty target is refused."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tortoise import Tortoise, connections
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.transactions import in_transaction

from powerpulse.config import Settings
from powerpulse.db import counters, dialect, models
from powerpulse.db.copy import app_models, columns_of, copy_order
from powerpulse.db.models import (
    Alert,
    AlertRule,
    ApiInstance,
    ApiToken,
    AuditEntry,
    Counter,
    Drill,
    Event,
    KeyValue,
    MaintenanceWindow,
    MessageTemplate,
    NotificationChannel,
    NotificationDelivery,
    NotificationLog,
    NutServer,
    OidcIdentity,
    OidcLogin,
    Poller,
    PollerLease,
    ProtectedHost,
    RateLimitHit,
    Sample,
    ShutdownPlan,
    ShutdownRun,
    ShutdownStep,
    Threshold,
    TwoFactor,
    UpsLiveState,
    UpsSystem,
    UsedStreamTicket,
    User,
    UserSettings,
)
from powerpulse.db.setup import (
    APP_LABEL,
    MODELS_MODULE,
    close_db,
    connection_config,
    init_db,
    run_migrations,
)
from powerpulse.history import build_sample, write_samples
from powerpulse.notify.personal import write_seed_fields
from tests.conftest import make_settings
from tests.support.nut_server import free_port
from tests.support.postgres import PostgresServer

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
LONG_TOKENS = " ".join(f"X{i:03d}" for i in range(80))  # 399 characters in a 255 column


async def fill(settings: Settings) -> None:
    """A small installation with rows in every table, written as the app writes them."""
    await run_migrations(settings)
    await init_db(settings)
    try:
        admin = await User.create(
            username="admin", email="a@example.com", password_hash="$2b$12$x", role="admin"
        )
        bob = await User.create(username="Bøb", password_hash="$2b$12$y", token_version=3)
        await UserSettings.create(user=admin)
        await write_seed_fields(admin.id, {"discord_webhook_url": "https://discord.test/h"})
        await UserSettings.create(user=bob, notifications_enabled=False)
        await AuditEntry.create(
            at=T0,
            user_id=bob.id,
            username="Bøb",
            action="nut_servers.update_server",
            status=200,
            before={"host": "a", "password": "•••"},
            after={"host": "b", "password": "•••"},
        )
        await OidcIdentity.create(
            user=bob, issuer="https://id.example", subject="b0b", last_login_at=T0
        )
        await OidcLogin.create(state="s" * 43, nonce="n" * 43, verifier="v" * 86, created_at=T0)
        await TwoFactor.create(
            user=bob, secret="enc:v1:x", confirmed_at=T0, last_step=5, recovery_hashes=["ab" * 32]
        )
        await ApiToken.create(
            user=bob,
            name="grafana",
            scope="read",
            token_hash="ab" * 32,
            prefix="pp_abcdefg",
            expires_at=T0 + timedelta(days=30),
            last_used_at=T0,
            last_used_ip="10.0.0.5",
        )
        await write_seed_fields(bob.id, {"email_recipients": "b@x"})
        server = await NutServer.create(host="nut.lan", port=3493, username="mon", password="pw")
        other = await NutServer.create(host="10.0.0.2", port=3494, starttls=True, auto_add=False)
        ups = await UpsSystem.create(
            name="Rack A",
            nickname="Rack Ä",
            ups_name="ups1",
            nut_server=server,
            tags=["rack-a", "core"],
        )
        ups2 = await UpsSystem.create(name="ups2", ups_name="ups2", nut_server=other)
        await UpsLiveState.create(
            ups=ups,
            variables={"ups.status": "OL CHRG", "battery.charge": "97", "ups.mfr": "Caf\xe9"},
            status_tokens="OL CHRG",
            last_success_at=T0,
            last_attempt_at=T0,
            version=await counters.bump(counters.LIVE),
            event_state={"tokens": ["OL", "CHRG"], "since": 12.5},
        )
        await UpsLiveState.create(
            ups=ups2, error_code="unreachable", error_message="connection refused", version=0
        )
        samples = [
            build_sample(ups.id, {"battery.charge": str(90 + i % 10), "ups.load": "31"}, ("OL",), t)
            for i, t in enumerate(T0 + timedelta(minutes=10 * i) for i in range(30))
        ]
        async with in_transaction() as conn:
            await write_samples(samples, conn)
        event = await Event.create(
            ups=ups,
            kind="on_battery",
            previous_status="Online",
            new_status="On Battery",
            occurred_at=T0,
            details={"charge": 97, "nested": {"list": [1, 2.5, None]}},
            dispatched=True,
        )
        await Event.create(ups=ups2, kind="comm_lost", occurred_at=T0 + timedelta(hours=1))
        log = await NotificationLog.create(
            user=admin,
            ups=ups,
            event=event,
            ups_name="Rack Ä",
            status="On Battery",
            previous_status="Online",
            kind="on_battery",
        )
        await NotificationLog.create(user=bob, ups_name="Test UPS", status="Online")
        await NotificationDelivery.create(
            log=log,
            channel="discord",
            target="https://discord.test/h",
            payload={"content": "x"},
            state="delivered",
            attempts=1,
            delivered_at=T0,
            duration_ms=120,
        )
        await NotificationDelivery.create(
            log=log,
            channel="email",
            target="a@example.com",
            state="pending",
            next_attempt_at=T0 + timedelta(minutes=5),
            last_error="timeout",
        )
        shared = await NotificationChannel.create(
            kind="ntfy", name="Pager", config={"server": "https://ntfy.sh", "topic": "ups"}
        )
        rule = await AlertRule.create(
            name="Rack A", ups=[ups.id], events=["on_battery"], channels=[shared.id],
            repeat_every=600, templates={"on_battery": {"title": "{{ ups }} ⚡", "body": ""}},
        )  # fmt: skip
        alert = await Alert.create(
            ups=ups, kind="on_battery", condition="power:OB", event=event, started_at=T0,
            repeats={str(rule.id): [1, 1.7e9]}, acknowledged_by=bob, acknowledged_name="Bøb",
            acknowledged_at=T0,
        )  # fmt: skip
        drill = await Drill.create(ups=ups, started_by=admin, restore_after=30, started_at=T0)
        await NotificationLog.create(
            rule=rule, alert=alert, drill=drill, ups=ups, ups_name="Rack Ä", kind="on_battery",
            suppressed="muted",
        )  # fmt: skip
        await MessageTemplate.create(kind="online", title="✅ {{ ups }}", body="back")
        await MaintenanceWindow.create(
            ups=ups, days=[5, 6], start="02:00", minutes=90, timezone="Europe/Paris"
        )
        await Threshold.create(name="hot", metric="temperature", above=40.5, hold=60)
        await Counter.create(name="big", value=2**40)
        await counters.bump(counters.CONFIG, 7)
        await KeyValue.create(key="update.last", value={"ok": True, "version": "2.0.0"})
        await KeyValue.create(key="empty", value=None)
        # The shared state of several instances (copied too: harmless, and nothing is left out).
        await RateLimitHit.create(bucket="login-pair:ab12", at=1.7e9 + 0.25)
        await UsedStreamTicket.create(jti="f00d", expires_at=1.7e9 + 60)
        await ApiInstance.create(id="h:1:a", host="h", pid=1, started_at=T0, heartbeat_at=T0)
        await Poller.create(
            id="h:2:b", host="h", pid=2, sites=["paris"], started_at=T0, heartbeat_at=T0
        )
        await PollerLease.create(
            nut_server=server, poller_id="h:2:b", acquired_at=T0, expires_at=T0
        )
        await ProtectedHost.create(ups=ups, host="10.0.0.7", label="db1")
        plan = await ShutdownPlan.create(name="Rack A", definition={"name": "Rack A"})
        run = await ShutdownRun.create(
            plan=plan,
            plan_name="Rack A",
            definition={"name": "Rack A", "phases": [{"actions": [{"password": "enc:v1:x"}]}]},
            trigger={"reason": "ups1: runtime 90 s is below 5 min"},
            started_at=T0,
            active_plan_id=plan.id,
            claimed_by="h:2:b",
            claimed_until=T0,
        )
        await ShutdownStep.create(
            run=run, action_id="a1b2", action_type="ssh", state="succeeded", exit_code=0
        )
        # Issue 13's tables (battery lifecycle, self-tests, outage records, digests).
        await models.BatteryInstall.create(
            ups=ups, installed_on=T0.date(), source="device", current_ups_id=ups.id, note="Ä"
        )
        sched = await models.SelfTestSchedule.create(name="monthly", ups=[ups.id], weekday=None)
        await models.SelfTest.create(
            ups=ups, schedule=sched, requested_at=T0, state="passed", readings={"start": None}
        )
        await models.Outage.create(
            ups=ups, start_event_id=event.id, started_at=T0, energy_wh=12.5,
            shutdown_runs=[{"id": run.id, "plan": "Rack A", "state": "done"}],
        )  # fmt: skip
        await models.DigestSchedule.create(name="weekly", channels=[shared.id])
        # What SQLite stores but PostgreSQL refuses: written as older versions could (raw SQL).
        await dialect.execute(
            "UPDATE ups_live_state SET status_tokens = ?, error_message = ? WHERE ups_id = ?",
            [LONG_TOKENS, "bad\x00byte", ups2.id],
        )
    finally:
        await close_db()


async def read_all(url_by_name: dict[str, str]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Every table of each database, rows as the ORM reads them, in primary-key order."""
    await Tortoise.init(
        config={
            "connections": {n: connection_config(u) for n, u in url_by_name.items()},
            "apps": {APP_LABEL: {"models": [MODELS_MODULE], "default_connection": "sqlite"}},
            "use_tz": True,
            "timezone": "UTC",
        }
    )
    try:
        out: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for name in url_by_name:
            conn = connections.get(name)
            out[name] = {
                m._meta.db_table: await m.all()
                .using_db(conn)
                .order_by(m._meta.pk_attr)
                .values(*(c.name for c in columns_of(m)))
                for m in app_models()
            }
        return out
    finally:
        await connections.close_all()


def run_copy(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "POWERPULSE_DATA_DIR": str(settings.data_dir),
        "JWT_SECRET": "test-secret-that-is-long-enough-for-hs256",
        "DATABASE_URL": "",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.run(
        [sys.executable, "-m", "powerpulse.cli", "db", "copy", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
async def source(tmp_path: Path) -> AsyncIterator[Settings]:
    settings = make_settings(tmp_path / "data")
    await fill(settings)
    yield settings


@pytest.mark.engines("postgres")
async def test_copy_moves_every_table_and_verifies_the_counts(
    engine: str, source: Settings, postgres_server: PostgresServer
) -> None:
    target = postgres_server.create_database("copy")  # empty: the copy migrates it
    done = await asyncio.to_thread(run_copy, source, "--to", target, "--batch", "7")
    assert done.returncode == 0, done.stderr
    tables = [m._meta.db_table for m in copy_order(app_models())]
    report = {line.split()[0]: line.split()[1:3] for line in done.stdout.splitlines()[1:-1]}
    assert list(report) == tables  # every table, parents first
    assert report["samples"] == ["30", "30"] and report["users"] == ["2", "2"]
    assert "ups_live_state" in done.stdout and "cut to fit" in done.stdout

    both = await read_all({"sqlite": source.db_url, "postgres": target})
    for table in tables:
        rows, copied = both["sqlite"][table], both["postgres"][table]
        assert rows, f"the fixture left {table} empty"
        if table == "ups_live_state":  # the two values PostgreSQL cannot hold, adjusted
            rows[1]["status_tokens"] = LONG_TOKENS[:255]
            rows[1]["error_message"] = "bad\ufffdbyte"
        assert copied == rows, table

    # The sequences are past the copied ids: the next row of each table gets a new id.
    settings = make_settings(source.data_dir.parent / "pg", DATABASE_URL=target)
    EXECUTOR_CACHE.clear()  # this process wrote the SQLite file through the same models
    await init_db(settings)
    try:
        server = await NutServer.create(host="new.lan", port=3493)
        assert server.id == 3
        event = await Event.create(ups_id=1, kind="online", occurred_at=T0)
        assert event.id == 3
        assert await Sample.all().count() == 30
        assert await counters.bump(counters.LIVE) == 2  # the copied value goes on counting
    finally:
        await close_db()

    again = await asyncio.to_thread(run_copy, source, "--to", target)
    assert again.returncode == 1
    assert "not empty" in again.stderr and "users: 2 rows" in again.stderr
    assert "Traceback" not in again.stderr


@pytest.mark.engines("postgres")
async def test_copy_refuses_what_it_cannot_do(
    engine: str, source: Settings, postgres_server: PostgresServer
) -> None:
    for url, words in (
        ("sqlite:///elsewhere.db", "postgres:// URL"),
        ("postgres://host-only", "one database"),
        ("mysql://h/db", "must be"),
    ):
        done = await asyncio.to_thread(run_copy, source, "--to", url)
        assert done.returncode == 1 and words in done.stderr, done.stderr
        assert "DATABASE_URL" not in done.stderr and "Traceback" not in done.stderr
    done = await asyncio.to_thread(
        run_copy, source, "--to", postgres_server.create_database(), "--batch", "0"
    )
    assert done.returncode == 2 and "--batch" in done.stderr
    database = postgres_server.name_of(postgres_server.create_database())
    nobody = postgres_server.url(database, user="nobody")  # the server trusts, but no such role
    unreachable = f"postgres://powerpulse:pp-test@127.0.0.1:{free_port()}/nowhere"
    for url in (nobody, unreachable):
        done = await asyncio.to_thread(run_copy, source, "--to", url)
        assert done.returncode == 1, done.stderr
        assert "nothing was copied" in done.stderr and "Traceback" not in done.stderr
