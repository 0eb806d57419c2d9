"""`/api/shutdown-plans`: CRUD, write-only secrets, every bad body named by its field, the dry
run (live readings and a given state), testing one action against a real HTTP receiver, and the
SSH host-key first contact."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import asyncssh
import orjson
import pytest
from aiohttp import web

from powerpulse.api import schemas
from powerpulse.db import counters
from powerpulse.db.models import ShutdownPlan, ShutdownRun, UpsSystem
from powerpulse.timeutil import utcnow
from tests.api.conftest import Account, Client, add_server, add_ups, write_live
from tests.api.test_openapi_contract import Api, document
from tests.support.nut_server import DEFAULT_VARS, free_port
from tests.support.sshd import Sshd, sshd_available

BASE = "/api/shutdown-plans"
TOKEN = "Bearer s3cr3t-t0ken-value"
PASSWORD = "hunter2-very-secret"


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 that records every request (method, path, headers)."""

    port: int
    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver(free_port())

    async def handle(request: web.Request) -> web.Response:
        rec.requests.append(
            {
                "method": request.method,
                "path": request.path,
                "headers": dict(request.headers),
                "body": await request.text(),
            }
        )
        if request.path == "/echo":  # a server that shows what it was sent
            return web.Response(text=repr({str(k): v for k, v in request.headers.items()}))
        return web.Response(status=rec.status, text="received")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", rec.port).start()
    yield rec
    await runner.cleanup()


@pytest.fixture
async def ups() -> UpsSystem:
    return await add_ups(await add_server(), "ups1", nickname="Rack A")


def http_action(url: str, **kw: Any) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "POST",
        "url": url,
        "headers": {"Authorization": TOKEN},
        "body": '{"shutdown": true}',
        "timeout_seconds": 10,
        **kw,
    }


HOST_KEY = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()


def ssh_action(**kw: Any) -> dict[str, Any]:
    return {
        "type": "ssh",
        "host": "db1.example.com",
        "username": "root",
        "password": PASSWORD,
        "command": "poweroff",
        "host_key": HOST_KEY,
        "timeout_seconds": 30,
        **kw,
    }


def plan_body(ups_id: int, url: str = "http://127.0.0.1:9/hook", **kw: Any) -> dict[str, Any]:
    return {
        "name": "Rack A",
        "ups": [ups_id],
        "triggers": {"runtime_below_minutes": 10, "on_battery_seconds": 120},
        "phases": [
            {
                "name": "Hosts",
                "delay_seconds": 0,
                "timeout_seconds": 120,
                "actions": [ssh_action(), http_action(url)],
            },
            {
                "name": "UPS",
                "delay_seconds": 30,
                "timeout_seconds": 60,
                "actions": [{"type": "nut_fsd", "ups_id": ups_id}],
            },
        ],
        "restore": {"after_seconds": 90, "min_charge_percent": 40, "actions": []},
        **kw,
    }


async def create(client: Client, admin: Account, body: dict[str, Any]) -> dict[str, Any]:
    status, answer, _ = await client.post(BASE, token=admin.token, json=body)
    assert status == 201, answer
    return dict(answer)


def action_ids(plan: dict[str, Any]) -> list[str]:
    return [a["id"] for p in plan["phases"] for a in p["actions"]]


# --- CRUD and secrets --------------------------------------------------------------------------


async def test_crud_round_trip(
    client: Client, admin: Account, ups: UpsSystem, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="powerpulse.audit")
    config_before = await counters.read(counters.CONFIG)
    plan = await create(client, admin, plan_body(ups.id))
    assert plan["name"] == "Rack A" and plan["ups"] == [ups.id] and plan["enabled"] is True
    assert plan["updated_by"] == "admin" and plan["active_run"] is None
    assert [p["name"] for p in plan["phases"]] == ["Hosts", "UPS"]
    assert plan["triggers"] == {"runtime_below_minutes": 10, "on_battery_seconds": 120}
    assert plan["restore"]["after_seconds"] == 90
    assert all(len(i) > 0 for i in action_ids(plan))
    assert await counters.read(counters.CONFIG) > config_before

    status, listed, _ = await client.get(BASE, token=admin.token)
    assert status == 200 and [p["id"] for p in listed] == [plan["id"]]
    status, one, _ = await client.get(f"{BASE}/{plan['id']}", token=admin.token)
    assert status == 200 and one == listed[0]

    changed = {**one, "name": "Rack A (edited)", "enabled": False}
    changed["phases"] = changed["phases"][:1]
    before = await counters.read(counters.CONFIG)
    status, updated, _ = await client.put(f"{BASE}/{plan['id']}", token=admin.token, json=changed)
    assert status == 200, updated
    assert updated["name"] == "Rack A (edited)" and updated["enabled"] is False
    assert len(updated["phases"]) == 1
    assert action_ids(updated) == action_ids(plan)[:2]  # ids kept across the edit
    assert await counters.read(counters.CONFIG) > before
    row = await ShutdownPlan.get(id=plan["id"])
    assert row.enabled is False and row.name == "Rack A (edited)"

    status, answer, _ = await client.delete(f"{BASE}/{plan['id']}", token=admin.token)
    assert status == 200 and answer == {"message": "Shutdown plan deleted"}
    pid = plan["id"]
    assert f"admin created shutdown plan {pid} 'Rack A'" in caplog.text
    assert f"admin changed shutdown plan {pid} 'Rack A (edited)': name, enabled, phases" in (
        caplog.text
    )
    assert f"admin deleted shutdown plan {pid} 'Rack A (edited)'" in caplog.text
    status, _, _ = await client.get(f"{BASE}/{plan['id']}", token=admin.token)
    assert status == 404
    status, _, _ = await client.delete(f"{BASE}/{plan['id']}", token=admin.token)
    assert status == 404


async def test_names_are_unique(client: Client, admin: Account, ups: UpsSystem) -> None:
    first = await create(client, admin, plan_body(ups.id))
    status, answer, _ = await client.post(BASE, token=admin.token, json=plan_body(ups.id))
    assert status == 409 and answer["error"] == "name_taken"
    other = await create(client, admin, plan_body(ups.id, name="Rack B"))
    status, answer, _ = await client.put(
        f"{BASE}/{other['id']}", token=admin.token, json=plan_body(ups.id)
    )
    assert status == 409 and answer["error"] == "name_taken"
    # Saving a plan under its own name is no conflict.
    status, _, _ = await client.put(
        f"{BASE}/{first['id']}", token=admin.token, json=plan_body(ups.id)
    )
    assert status == 200


async def test_secrets_are_write_only(
    client: Client, admin: Account, ups: UpsSystem, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="powerpulse")
    status, created, resp = await client.post(BASE, token=admin.token, json=plan_body(ups.id))
    assert status == 201
    _, _, list_resp = await client.get(BASE, token=admin.token)
    _, _, one_resp = await client.get(f"{BASE}/{created['id']}", token=admin.token)
    ssh, http = created["phases"][0]["actions"]
    assert ssh["password"] == {"set": True} and http["headers"] == {"set": True}
    for text in (resp.text, list_resp.text, one_resp.text, caplog.text):
        assert PASSWORD not in text and "s3cr3t-t0ken" not in text
    row = await ShutdownPlan.get(id=created["id"])
    stored = orjson.dumps(row.definition).decode()
    assert PASSWORD not in stored and "s3cr3t-t0ken" not in stored
    ssh_row, http_row = row.definition["phases"][0]["actions"]
    assert ssh_row["password"].startswith("enc:v1:")
    assert http_row["headers"].startswith("enc:v1:")

    # An edit that leaves the secrets out (or sends {"set": true}) keeps them as stored.
    edit = {**created, "name": "Rack A2"}
    del edit["phases"][0]["actions"][1]["headers"]
    status, _, _ = await client.put(f"{BASE}/{created['id']}", token=admin.token, json=edit)
    assert status == 200
    again = await ShutdownPlan.get(id=created["id"])
    assert again.definition["phases"][0]["actions"] == row.definition["phases"][0]["actions"]
    # A new one replaces it.
    edit["phases"][0]["actions"][0]["password"] = "another-password"
    status, _, _ = await client.put(f"{BASE}/{created['id']}", token=admin.token, json=edit)
    assert status == 200
    third = await ShutdownPlan.get(id=created["id"])
    assert third.definition["phases"][0]["actions"][0]["password"] != ssh_row["password"]
    assert "another-password" not in orjson.dumps(third.definition).decode()
    assert "another-password" not in caplog.text


async def test_a_kept_header_still_works(
    client: Client, admin: Account, ups: UpsSystem, receiver: Receiver
) -> None:
    """The sealed header reaches the receiver, before and after an edit that left it out."""
    plan = await create(client, admin, plan_body(ups.id, receiver.url))
    http_id = plan["phases"][0]["actions"][1]["id"]
    test = f"{BASE}/{plan['id']}/actions/{http_id}/test"
    status, answer, _ = await client.post(test, token=admin.token, json={"confirm": True})
    assert status == 200 and answer["ok"] is True, answer
    assert receiver.requests[-1]["headers"]["Authorization"] == TOKEN

    plan["phases"][0]["timeout_seconds"] = 100  # an edit that sends the header as {"set": true}
    status, edited, _ = await client.put(f"{BASE}/{plan['id']}", token=admin.token, json=plan)
    assert status == 200 and edited["phases"][0]["actions"][1]["headers"] == {"set": True}
    status, answer, _ = await client.post(test, token=admin.token, json={"confirm": True})
    assert status == 200 and answer["ok"] is True, answer
    assert len(receiver.requests) == 2
    assert receiver.requests[-1]["headers"]["Authorization"] == TOKEN


# --- access ------------------------------------------------------------------------------------


async def test_admins_only(client: Client, admin: Account, member: Account, ups: UpsSystem) -> None:
    plan = await create(client, admin, plan_body(ups.id))
    pid = plan["id"]
    aid = action_ids(plan)[0]
    calls = [
        ("GET", BASE, None),
        ("POST", BASE, plan_body(ups.id, name="x")),
        ("GET", f"{BASE}/{pid}", None),
        ("PUT", f"{BASE}/{pid}", plan_body(ups.id)),
        ("DELETE", f"{BASE}/{pid}", None),
        ("POST", f"{BASE}/{pid}/dry-run", {}),
        ("POST", f"{BASE}/{pid}/actions/{aid}/test", {"confirm": True}),
        ("POST", f"{BASE}/ssh-host-key", {"host": "127.0.0.1", "port": 22}),
        ("GET", "/api/shutdown-runs", None),
    ]
    for method, path, body in calls:
        status, _, _ = await client.request(method, path, token=member.token, json=body)
        assert status == 403, (method, path)
        status, _, _ = await client.request(method, path, json=body)
        assert status == 401, (method, path)
    assert await ShutdownPlan.filter(id=pid).exists()


# --- validation --------------------------------------------------------------------------------


def _with(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """`body` (a deep copy) with `value` at `path` ("phases.0.delay_seconds")."""
    out = orjson.loads(orjson.dumps(body))
    keys = [int(k) if k.isdigit() else k for k in path.split(".")]
    node = out
    for key in keys[:-1]:
        node = node[key]
    node[keys[-1]] = value
    return dict(out)


BAD_FIELDS = [
    ("name", "", "name"),
    ("name", 5, "name"),
    ("name", "x" * 101, "name"),
    ("enabled", "yes", "enabled"),
    ("ups", "all", "ups"),
    ("ups", [], "ups"),
    ("ups", [True], "ups[0]"),
    ("ups", [99999], "ups[0]"),
    ("ups", [2**40], "ups[0]"),
    ("min_healthy", 2, "min_healthy"),
    ("min_healthy", 1.5, "min_healthy"),
    ("triggers", [], "triggers"),
    ("triggers.on_battery_seconds", True, "triggers.on_battery_seconds"),
    ("triggers.on_battery_seconds", -1, "triggers.on_battery_seconds"),
    ("triggers.on_battery_seconds", "1e309", "triggers.on_battery_seconds"),
    ("triggers.runtime_below_minutes", "5", "triggers.runtime_below_minutes"),
    ("triggers.charge_below_percent", 101, "triggers.charge_below_percent"),
    ("triggers.low_battery", 1, "triggers.low_battery"),
    ("triggers.when_it_rains", 1, "triggers"),
    ("stabilise_seconds", 1e30, "stabilise_seconds"),
    ("phases", [], "phases"),
    ("phases", {"name": "x"}, "phases"),
    ("phases.0", "hosts", "phases[0]"),
    ("phases.0.delay_seconds", -5, "phases[0].delay_seconds"),
    ("phases.1.delay_seconds", False, "phases[1].delay_seconds"),
    ("phases.0.timeout_seconds", 0, "phases[0].timeout_seconds"),
    ("phases.0.timeout_seconds", "1e309", "phases[0].timeout_seconds"),
    ("phases.0.actions", "ssh", "phases[0].actions"),
    ("phases.0.actions.0", 7, "phases[0].actions[0]"),
    ("phases.0.actions.0.type", "telnet", "phases[0].actions[0].type"),
    ("phases.0.actions.0.type", None, "phases[0].actions[0].type"),
    ("phases.1.actions.0.ups_id", 99999, "phases[1].actions[0].ups_id"),
    ("phases.1.actions.0.ups_id", "one", "phases[1].actions[0].ups_id"),
    ("phases.0.actions.1.timeout_seconds", True, "phases[0].actions[1].timeout_seconds"),
    ("phases.0.actions.0.host_key", "not a key", "phases[0].actions[0].host_key"),
    ("phases.0.actions.0.port", 70000, "phases[0].actions[0].port"),
    ("phases.0.actions.0.private_key", "-----BEGIN nothing", "phases[0].actions[0].private_key"),
    ("phases.0.actions.1.url", "ftp://nas/x", "phases[0].actions[1].url"),
    ("phases.0.actions.1.method", "BREW", "phases[0].actions[1].method"),
    ("phases.0.actions.1.headers", {"Bad Header": "x"}, "phases[0].actions[1].headers"),
    ("phases.0.actions.1.headers", {"X-Token": "a\nb"}, "phases[0].actions[1].headers"),
    ("phases.0.actions.1.headers", ["Authorization"], "phases[0].actions[1].headers"),
    ("name", "Rack\x00A", "name"),
    ("phases.0.actions.0.password", "pass\x00word", "phases[0].actions[0].password"),
    ("phases.0.actions.1.headers", {"X-Token": "a\x00b"}, "phases[0].actions[1].headers.X-Token"),
    ("restore", "later", "restore"),
    ("restore.after_seconds", -1, "restore.after_seconds"),
    ("restore.min_charge_percent", "1e309", "restore.min_charge_percent"),
    ("protected_hosts", [{"ups_id": 99999, "host": "a"}], "protected_hosts[0].ups_id"),
    ("protected_hosts", [{"ups_id": 1}], "protected_hosts[0].host"),
]


@pytest.mark.parametrize(("path", "value", "culprit"), BAD_FIELDS)
async def test_every_bad_field_is_named(
    client: Client, admin: Account, ups: UpsSystem, path: str, value: Any, culprit: str
) -> None:
    body = _with(plan_body(ups.id), path, value)
    # JSON has no infinity: 1e309 is sent as text (a double cannot hold it).
    raw = orjson.dumps(body).replace(b'"1e309"', b"1e309")
    headers = {"Content-Type": "application/json"}
    status, answer, _ = await client.post(BASE, token=admin.token, content=raw, headers=headers)
    assert status == 400, answer
    assert answer["field"] == culprit, answer
    assert answer["message"] and "a\nb" not in answer["message"]  # a secret is never echoed
    # The same body in an edit names the same field.
    plan = await create(client, admin, plan_body(ups.id, name="valid"))
    status, again, _ = await client.put(
        f"{BASE}/{plan['id']}", token=admin.token, content=raw, headers=headers
    )
    assert status == 400 and again["field"] == culprit, again
    assert await ShutdownPlan.all().count() == 1


@pytest.mark.parametrize(
    "raw", [b"[]", b'"plan"', b"42", b"null", b"true", b"{", b"[{}]", '{"name": 1e999}']
)
async def test_bodies_that_are_not_objects(client: Client, admin: Account, raw: Any) -> None:
    headers = {"Content-Type": "application/json"}
    status, answer, _ = await client.post(BASE, token=admin.token, content=raw, headers=headers)
    assert status == 400, answer
    assert answer["field"] in ("body", "name"), answer


async def test_min_healthy_needs_that_many_ups(
    client: Client, admin: Account, ups: UpsSystem
) -> None:
    second = await add_ups(await add_server(port=3494), "ups2")
    body = plan_body(ups.id, ups=[ups.id, second.id], min_healthy=3)
    status, answer, _ = await client.post(BASE, token=admin.token, json=body)
    assert status == 400 and answer["field"] == "min_healthy"
    body["min_healthy"] = 2
    plan = await create(client, admin, body)
    assert plan["min_healthy"] == 2


async def test_unknown_ids_are_not_found(client: Client, admin: Account) -> None:
    for path in ("/0", "/abc", "/99999999999999999999", "/12/dry-run"):
        method = "POST" if path.endswith("dry-run") else "GET"
        status, answer, _ = await client.request(method, BASE + path, token=admin.token)
        assert status == 404, (path, answer)


# --- deleting a plan with an active run ---------------------------------------------------------


async def add_run(plan_id: int | None, name: str, state: str = "running", **kw: Any) -> ShutdownRun:
    active = state in ("running", "waiting_restore", "restoring")
    return await ShutdownRun.create(
        plan_id=plan_id,
        plan_name=name,
        definition={"phases": [{}, {}]},
        state=state,
        trigger={"reason": "Rack A: runtime 4.0 min is below 10 min"},
        started_at=utcnow(),
        active_plan_id=plan_id if active else None,
        **kw,
    )


async def test_a_plan_with_an_active_run_is_not_deleted(
    client: Client, admin: Account, ups: UpsSystem
) -> None:
    plan = await create(client, admin, plan_body(ups.id))
    run = await add_run(plan["id"], plan["name"])
    _, shown, _ = await client.get(f"{BASE}/{plan['id']}", token=admin.token)
    assert shown["active_run"] == {"id": run.id, "state": "running", "phase": 0}
    status, answer, _ = await client.delete(f"{BASE}/{plan['id']}", token=admin.token)
    assert status == 409 and answer["error"] == "run_active"
    status, _, _ = await client.post(f"/api/shutdown-runs/{run.id}/cancel", token=admin.token)
    assert status == 200
    status, _, _ = await client.delete(f"{BASE}/{plan['id']}", token=admin.token)
    assert status == 200
    kept = await ShutdownRun.get(id=run.id)  # the history stays, with the plan's name
    assert kept.plan_id is None and kept.plan_name == "Rack A"  # type: ignore[attr-defined]


# --- dry run -----------------------------------------------------------------------------------


async def dry_run(client: Client, admin: Account, plan_id: int, body: Any = None) -> dict[str, Any]:
    status, answer, _ = await client.post(f"{BASE}/{plan_id}/dry-run", token=admin.token, json=body)
    assert status == 200, answer
    return dict(answer)


def on_battery(seconds: float, runtime: str) -> dict[str, Any]:
    now = utcnow().timestamp()
    return {
        "event_state": {"power": "OB", "obSince": now - seconds, "flags": [], "commOk": True},
    } | {"variables": {**DEFAULT_VARS, "ups.status": "OB DISCHRG", "battery.runtime": runtime}}


async def test_dry_run_with_the_current_readings(
    client: Client, admin: Account, ups: UpsSystem
) -> None:
    plan = await create(client, admin, plan_body(ups.id))
    # Never read: nothing triggers, nothing is due.
    answer = await dry_run(client, admin, plan["id"])
    assert answer["triggered"] is False and answer["ups"][0]["failing"] is False
    # On line power.
    await write_live(
        ups,
        {**DEFAULT_VARS, "ups.status": "OL", "battery.runtime": "3000"},
        event_state={"power": "OL", "flags": [], "commOk": True},
    )
    answer = await dry_run(client, admin, plan["id"])
    assert answer["triggered"] is False and answer["due_in_seconds"] is None
    assert answer["ups"][0]["name"] == "Rack A"
    # On battery for 30 s with 4 min left: the runtime trigger holds.
    row = on_battery(30, "240")
    await write_live(ups, row["variables"], event_state=row["event_state"])
    answer = await dry_run(client, admin, plan["id"])
    assert answer["triggered"] is True, answer
    assert "runtime 4.0 min is below 10 min" in answer["reason"]
    assert answer["ups"][0]["failing"] is True
    # It needs up to 120 + 30 + 60 s; 240 s of runtime is enough, 10 min at trigger too.
    assert answer["worst_case_seconds"] == 210
    assert not any("reports" in w for w in answer["warnings"]), answer["warnings"]
    # Nothing ran, nothing was stored.
    assert await ShutdownRun.all().count() == 0


async def test_dry_run_with_a_given_state(client: Client, admin: Account, ups: UpsSystem) -> None:
    plan = await create(client, admin, plan_body(ups.id))
    state = {str(ups.id): {"status": "OB DISCHRG", "runtime": 200, "on_battery_seconds": 10}}
    answer = await dry_run(client, admin, plan["id"], {"state": state})
    assert answer["triggered"] is True, answer
    assert answer["ups"] == [
        {
            "ups_id": ups.id,
            "name": "Rack A",
            "failing": True,
            "reasons": ["runtime 3.3 min is below 10 min"],
            "due_in_seconds": pytest.approx(110, abs=2),
        }
    ]
    steps = [
        (s["section"], s["phase"], s["phase_name"], s["type"], s["starts_at_seconds"])
        for s in answer["steps"]
    ]
    assert steps == [
        ("phase", 0, "Hosts", "ssh", 0),
        ("phase", 0, "Hosts", "http", 0),
        ("phase", 1, "UPS", "nut_fsd", 150),
    ]
    assert [s["timeout_seconds"] for s in answer["steps"]][:2] == [30, 10]
    assert [s["action_id"] for s in answer["steps"]] == action_ids(plan)
    assert answer["restore"] == {"after_seconds": 90, "min_charge_percent": 40}
    # 210 s needed, 200 s reported.
    assert answer["warnings"] == ["The plan needs up to 3.6 min, Rack A reports 3.3 min of runtime"]


async def test_dry_run_on_line_says_when_it_would_trigger(
    client: Client, admin: Account, ups: UpsSystem
) -> None:
    body = plan_body(ups.id, triggers={"on_battery_seconds": 120})
    plan = await create(client, admin, body)
    answer = await dry_run(client, admin, plan["id"], {"state": {str(ups.id): {"status": "OL"}}})
    assert answer["triggered"] is False and answer["due_in_seconds"] is None
    # On battery for 50 s: 70 s to go.
    state = {str(ups.id): {"status": "OB", "on_battery_seconds": 50}}
    answer = await dry_run(client, admin, plan["id"], {"state": state})
    assert answer["triggered"] is False
    assert answer["due_in_seconds"] == pytest.approx(70, abs=2)
    assert answer["ups"][0]["due_in_seconds"] == pytest.approx(70, abs=2)
    # The live row says on line; on_battery_seconds alone makes it on battery for that long.
    await write_live(
        ups,
        {**DEFAULT_VARS, "ups.status": "OL"},
        event_state={"power": "OL", "flags": [], "commOk": True},
    )
    state = {str(ups.id): {"on_battery_seconds": 130}}
    answer = await dry_run(client, admin, plan["id"], {"state": state})
    assert answer["triggered"] is True, answer
    assert answer["reason"] == "Rack A: on battery for 2.2 min (limit 2.0 min)"


async def test_dry_run_warnings(client: Client, admin: Account, ups: UpsSystem) -> None:
    other = await add_ups(await add_server(port=3495), "ups9")
    body = plan_body(ups.id)
    body["phases"][1]["actions"] = [{"type": "nut_fsd", "ups_id": other.id}]
    body["phases"][0]["actions"][1]["timeout_seconds"] = 600  # more than the phase's 120 s
    body["triggers"] = {"runtime_below_minutes": 2}  # fires with 120 s left; the plan needs 210
    plan = await create(client, admin, body)
    await UpsSystem.filter(id=other.id).delete()
    warnings = (await dry_run(client, admin, plan["id"]))["warnings"]
    text = "\n".join(warnings)
    assert "may take up to 10 min, more than the phase's 2 min timeout" in text
    assert "needs up to 3.6 min, but its runtime trigger fires at 2 min" in text
    assert f"UPS {other.id} no longer exists" in text
    assert "which the plan does not watch" in text


@pytest.mark.parametrize(
    ("state", "culprit"),
    [
        ([], "state"),
        ({"99999": {"status": "OB"}}, "state.99999"),
        ({"abc": {}}, "state.abc"),
        ({"9" * 5000: {}}, "state." + "9" * 20),  # more digits than int() reads: no 500
        ({"{ups}": "OB"}, "state.{ups}"),
        ({"{ups}": {"charge": 101}}, "state.{ups}.charge"),
        ({"{ups}": {"runtime": True}}, "state.{ups}.runtime"),
        ({"{ups}": {"on_battery_seconds": -1}}, "state.{ups}.on_battery_seconds"),
        ({"{ups}": {"status": 5}}, "status"),
        ({"{ups}": {"colour": "red"}}, "state.{ups}.colour"),
    ],
)
async def test_dry_run_bad_state(
    client: Client, admin: Account, ups: UpsSystem, state: Any, culprit: str
) -> None:
    plan = await create(client, admin, plan_body(ups.id))
    raw = orjson.loads(orjson.dumps(state).decode().replace("{ups}", str(ups.id)))
    status, answer, _ = await client.post(
        f"{BASE}/{plan['id']}/dry-run", token=admin.token, json={"state": raw}
    )
    assert status == 400, answer
    assert answer["field"].endswith(culprit.replace("{ups}", str(ups.id))), answer


# --- testing an action -------------------------------------------------------------------------


async def test_a_destructive_test_needs_confirmation(
    client: Client,
    admin: Account,
    ups: UpsSystem,
    receiver: Receiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="powerpulse.audit")
    plan = await create(client, admin, plan_body(ups.id, receiver.url))
    http_id = plan["phases"][0]["actions"][1]["id"]
    test = f"{BASE}/{plan['id']}/actions/{http_id}/test"
    for body in (None, {}, {"confirm": False}):
        status, answer, _ = await client.post(test, token=admin.token, json=body)
        assert status == 409 and answer["error"] == "confirmation_required", answer
        assert answer["message"]
    assert receiver.requests == []
    status, answer, _ = await client.post(test, token=admin.token, json={"confirm": True})
    assert status == 200, answer
    assert answer["ok"] is True and answer["error"] is None
    assert isinstance(answer["duration_ms"], int)
    assert [r["method"] for r in receiver.requests] == ["POST"]
    assert receiver.requests[0]["body"] == '{"shutdown": true}'
    assert f"tested action {http_id} (http) of shutdown plan {plan['id']}" in caplog.text
    assert "s3cr3t" not in caplog.text


async def test_a_failing_action_is_a_200_with_the_error(
    client: Client, admin: Account, ups: UpsSystem, receiver: Receiver
) -> None:
    receiver.status = 500
    dead = f"http://127.0.0.1:{free_port()}/nothing-listens"
    body = plan_body(ups.id, receiver.url)
    body["phases"][0]["actions"].append(http_action(dead))
    plan = await create(client, admin, body)
    _, failing, unreachable = plan["phases"][0]["actions"]
    for action in (failing, unreachable):
        status, answer, _ = await client.post(
            f"{BASE}/{plan['id']}/actions/{action['id']}/test",
            token=admin.token,
            json={"confirm": True},
        )
        assert status == 200, answer
        assert answer["ok"] is False and answer["error"], answer
        assert "s3cr3t" not in orjson.dumps(answer).decode()


async def test_testing_an_unknown_action(client: Client, admin: Account, ups: UpsSystem) -> None:
    plan = await create(client, admin, plan_body(ups.id))
    status, answer, _ = await client.post(
        f"{BASE}/{plan['id']}/actions/nope/test", token=admin.token, json={"confirm": True}
    )
    assert status == 404, answer
    status, answer, _ = await client.post(
        f"{BASE}/{plan['id']}/actions/{action_ids(plan)[0]}/test",
        token=admin.token,
        json={"confirm": "yes"},
    )
    assert status == 400 and answer["field"] == "confirm"


# --- SSH host key and a real SSH action ---------------------------------------------------------


@pytest.fixture
def sshd() -> Iterator[Sshd]:
    if not sshd_available():
        pytest.fail("sshd is not installed: run `make test-deps` (apt-get install openssh-server)")
    with Sshd() as server:
        yield server


async def test_first_contact_then_an_ssh_action(
    client: Client, admin: Account, ups: UpsSystem, sshd: Sshd
) -> None:
    """Read the host key, pin it, run the command through the test endpoint (after confirming),
    and again after an edit that left the private key out."""
    status, key, _ = await client.post(
        f"{BASE}/ssh-host-key", token=admin.token, json={"host": sshd.host, "port": sshd.port}
    )
    assert status == 200, key
    assert key["host"] == sshd.host and key["port"] == sshd.port
    assert key["algorithm"] == "ssh-ed25519"
    assert key["key"] == " ".join(sshd.host_key.split()[:2])
    real = asyncssh.import_public_key(sshd.host_key).get_fingerprint("sha256")
    assert key["fingerprint"] == real
    schemas.validator(schemas.SshHostKey).validate_python(key, strict=True)

    marker = sshd.marker_dir / "powered-off"
    action = {
        "type": "ssh",
        "host": sshd.host,
        "port": sshd.port,
        "username": sshd.username,
        "private_key": sshd.client_key,
        "command": f"touch {marker} && echo bye",
        "host_key": key["key"],
        "timeout_seconds": 20,
    }
    body = plan_body(ups.id)
    body["phases"][0]["actions"] = [action]
    plan = await create(client, admin, body)
    assert plan["phases"][0]["actions"][0]["private_key"] == {"set": True}
    row = await ShutdownPlan.get(id=plan["id"])
    assert "PRIVATE KEY" not in orjson.dumps(row.definition).decode()
    test = f"{BASE}/{plan['id']}/actions/{plan['phases'][0]['actions'][0]['id']}/test"

    status, answer, _ = await client.post(test, token=admin.token, json={})
    assert status == 409 and answer["error"] == "confirmation_required"
    assert "runs touch" in answer["message"]
    assert not marker.exists()
    status, answer, _ = await client.post(test, token=admin.token, json={"confirm": True})
    assert status == 200, answer
    assert answer == {
        "ok": True,
        "output": "bye\n",
        "exit_code": 0,
        "error": None,
        "duration_ms": answer["duration_ms"],
    }
    assert marker.exists()

    marker.unlink()
    plan["phases"][0]["actions"][0].pop("private_key")  # kept: not sent
    status, _, _ = await client.put(f"{BASE}/{plan['id']}", token=admin.token, json=plan)
    assert status == 200
    status, answer, _ = await client.post(test, token=admin.token, json={"confirm": True})
    assert status == 200 and answer["ok"] is True, answer
    assert marker.exists()


async def test_host_key_of_an_unreachable_server(client: Client, admin: Account) -> None:
    """Nothing listens: a 502 that says where (the UI shows it next to the host field)."""
    port = free_port()  # nothing listens there
    status, answer, _ = await client.post(
        f"{BASE}/ssh-host-key", token=admin.token, json={"host": "127.0.0.1", "port": port}
    )
    assert status == 502, answer
    assert f"127.0.0.1:{port}" in answer["message"]


@pytest.mark.parametrize(
    ("body", "culprit"),
    [
        ({}, "host"),
        ({"host": "a b"}, "host"),
        ({"host": 5}, "host"),
        ({"host": "h", "port": 0}, "port"),
        ({"host": "h", "port": "x"}, "port"),
        ({"host": "h", "port": True}, "port"),
    ],
)
async def test_host_key_bad_bodies(
    client: Client, admin: Account, body: dict[str, Any], culprit: str
) -> None:
    status, answer, _ = await client.post(f"{BASE}/ssh-host-key", token=admin.token, json=body)
    assert status == 400 and answer["field"] == culprit, answer


# --- the OpenAPI document ----------------------------------------------------------------------


async def test_answers_match_the_document(
    client: Client, admin: Account, ups: UpsSystem, receiver: Receiver
) -> None:
    """Every answer of these routes, strictly checked against the shape the document names."""
    api = Api(client, await document(client))
    t = admin.token
    plan = await api("POST", BASE, 201, token=t, body=plan_body(ups.id, receiver.url))
    await api("GET", BASE, token=t)
    await api("GET", BASE + "/{plan_id}", token=t, plan_id=plan["id"])
    await api("PUT", BASE + "/{plan_id}", token=t, body=plan, plan_id=plan["id"])
    await api("PUT", BASE + "/{plan_id}", 400, token=t, body={"name": 1}, plan_id=plan["id"])
    await write_live(
        ups,
        {**DEFAULT_VARS, "ups.status": "OL"},
        event_state={"power": "OL", "flags": [], "commOk": True},
    )
    dry = BASE + "/{plan_id}/dry-run"
    await api("POST", dry, token=t, plan_id=plan["id"])
    state = {str(ups.id): {"status": "OB LB", "charge": 5, "runtime": 60}}
    answer = await api("POST", dry, token=t, body={"state": state}, plan_id=plan["id"])
    assert answer["triggered"] is True
    test = BASE + "/{plan_id}/actions/{action_id}/test"
    http_id = plan["phases"][0]["actions"][1]["id"]
    await api("POST", test, 409, token=t, body={}, plan_id=plan["id"], action_id=http_id)
    ok = {"confirm": True}
    await api("POST", test, token=t, body=ok, plan_id=plan["id"], action_id=http_id)
    gone = {"host": "127.0.0.1", "port": free_port()}
    await api("POST", BASE + "/ssh-host-key", 502, token=t, body=gone)

    run = await add_run(plan["id"], plan["name"])
    await api("GET", "/api/shutdown-runs", token=t)
    await api("GET", "/api/shutdown-runs/{run_id}", token=t, run_id=run.id)
    await api("POST", "/api/shutdown-runs/{run_id}/cancel", token=t, run_id=run.id)
    await api("POST", "/api/shutdown-runs/{run_id}/cancel", 409, token=t, run_id=run.id)
    await api("DELETE", BASE + "/{plan_id}", token=t, plan_id=plan["id"])


# --- nothing a user sends is a 500 ---------------------------------------------------------------

ODD_VALUES: list[Any] = [
    None,
    "",
    "x" * 300,
    "\x00",
    -1,
    0,
    2**63,
    1e30,
    True,
    [],
    {},
    [None],
    {"set": True},
    {"a": {"b": []}},
]


def _paths(node: Any, prefix: str = "") -> list[str]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, f"{prefix}.{key}" if prefix else key)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, f"{prefix}.{i}")
    return out


async def test_mangled_bodies_never_crash(client: Client, admin: Account, ups: UpsSystem) -> None:
    """Every field of a valid plan replaced by each odd value: a 400 (or it is still valid),
    never a 500; the dry run's state likewise."""
    valid = plan_body(ups.id)
    plan = await create(client, admin, {**valid, "name": "base"})
    for path in _paths(valid):
        for value in ODD_VALUES:
            body = _with(valid, path, value)
            status, answer, _ = await client.post(BASE, token=admin.token, json=body)
            assert status in (201, 400, 409), (path, value, answer)
            if status == 400:
                assert answer["field"], (path, value, answer)
            if status == 201:
                await ShutdownPlan.filter(id=answer["id"]).delete()
            status, answer, _ = await client.put(
                f"{BASE}/{plan['id']}", token=admin.token, json={**body, "name": "base"}
            )
            assert status in (200, 400), (path, value, answer)
    state = {"status": "OB", "charge": 5, "runtime": 5, "on_battery_seconds": 5}
    for key in state:
        for value in ODD_VALUES:
            body = {"state": {str(ups.id): {**state, key: value}}}
            status, answer, _ = await client.post(
                f"{BASE}/{plan['id']}/dry-run", token=admin.token, json=body
            )
            assert status in (200, 400), (key, value, answer)
    for value in ODD_VALUES:
        for body in ({"host": value}, {"host": "127.0.0.1", "port": value}):
            status, answer, _ = await client.post(
                f"{BASE}/ssh-host-key", token=admin.token, json=body
            )
            assert status in (200, 400, 502), (body, answer)  # 200: an sshd on port 22


async def test_a_secret_echoed_by_the_server_is_hidden(
    client: Client, admin: Account, ups: UpsSystem, receiver: Receiver
) -> None:
    echo = receiver.url.replace("/hook", "/echo")
    plan = await create(client, admin, plan_body(ups.id, echo))
    http_id = plan["phases"][0]["actions"][1]["id"]
    status, answer, resp = await client.post(
        f"{BASE}/{plan['id']}/actions/{http_id}/test", token=admin.token, json={"confirm": True}
    )
    assert status == 200 and answer["ok"] is True, answer
    assert [r["path"] for r in receiver.requests] == ["/echo"]
    assert "Authorization" in answer["output"] and "•••" in answer["output"]
    assert "s3cr3t" not in resp.text
