"""nut_fsd and nut_command against a real upsd: FSD makes a real upsmon secondary shut its host
down (the proof the shutdown plans issue asks for), and upsd's refusals read clearly."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from powerpulse.config import Settings
from powerpulse.db.models import NutServer as NutServerRow
from powerpulse.db.models import UpsSystem
from powerpulse.shutdown.actions import nut_command, nut_fsd
from powerpulse.shutdown.actions.base import ActionContext, ActionError, UpsTarget
from powerpulse.shutdown.plan import parse_plan, plan_json
from powerpulse.shutdown.targets import action_context, ups_target
from tests.support.nut_server import NUT_PASSWORD, NUT_USER, NutServer, free_port
from tests.support.upsmon import Upsmon

Ctx = Callable[..., ActionContext]


def target(
    nut: NutServer, ups: str = "ups1", user: str | None = NUT_USER, password: str = NUT_PASSWORD
) -> UpsTarget:
    return UpsTarget(1, ups, nut.host, nut.port, user, password if user else None, False)


async def test_fsd_makes_a_real_upsmon_secondary_shut_its_host_down(
    nut: NutServer, upsmon_factory: Callable[..., Upsmon], action_ctx: Ctx
) -> None:
    mon = upsmon_factory(nut, "ups1")
    bystander = upsmon_factory(nut, "ups2")  # another UPS: its host must stay up
    assert mon.attached() and bystander.attached()  # LIST CLIENT shows them while they run
    time.sleep(1.5)  # a full poll: upsmon has seen ups1 healthy (OL) before FSD
    assert not mon.marker.exists()
    params = nut_fsd.TYPE.parse({"ups_id": 1})
    sent = time.time()
    outcome = await nut_fsd.TYPE.run(params, action_ctx(ups={1: target(nut)}))
    assert outcome.ok, outcome.error
    assert outcome.output == f"FSD set on ups1@127.0.0.1:{nut.port}"
    assert nut.get_var("ups1", "ups.status") == "FSD OL"
    assert mon.wait_shutdown(15), mon.log()
    assert mon.shutdowns()[0] >= sent - 1
    time.sleep(1)
    assert not bystander.marker.exists()
    assert nut.get_var("ups2", "ups.status") == "OL"


async def test_fsd_refusals_are_clear(nut: NutServer, action_ctx: Ctx) -> None:
    params = nut_fsd.TYPE.parse({"ups_id": 1})
    run = nut_fsd.TYPE.run
    no_user = await run(params, action_ctx(ups={1: target(nut, user=None)}))
    assert not no_user.ok
    assert no_user.error == (
        f"upsd on 127.0.0.1:{nut.port} needs a user: give the NUT server a user with "
        "actions = FSD (Settings → NUT servers)"
    )
    wrong = await run(params, action_ctx(ups={1: target(nut, password="wrong-pass")}))
    assert not wrong.ok and wrong.error is not None
    assert "actions = FSD" in wrong.error and "wrong-pass" not in wrong.error
    unknown = await run(params, action_ctx(ups={1: target(nut, ups="nosuch")}))
    assert unknown.error == f"upsd on 127.0.0.1:{nut.port} has no UPS nosuch"
    gone = await run(params, action_ctx())
    assert gone.error == "UPS #1 no longer exists in PowerPulse"
    assert nut.get_var("ups1", "ups.status") == "OL"  # none of them set FSD


async def test_an_unreachable_nut_server(action_ctx: Ctx) -> None:
    port = free_port()
    dead = UpsTarget(1, "ups1", "127.0.0.1", port, NUT_USER, NUT_PASSWORD, False)
    outcome = await nut_fsd.TYPE.run(nut_fsd.TYPE.parse({"ups_id": 1}), action_ctx(ups={1: dead}))
    assert not outcome.ok
    assert outcome.error == (
        f"cannot reach the NUT server: NUT server 127.0.0.1:{port} refused the connection"
    )


async def test_an_instant_command_goes_through_upsd(nut: NutServer, action_ctx: Ctx) -> None:
    listed = nut.query("LIST CMD ups1")
    assert "CMD ups1 load.off" in listed  # the one command dummy-ups offers (it does nothing)
    params = nut_command.TYPE.parse({"ups_id": 1, "command": "load.off"})
    outcome = await nut_command.TYPE.run(params, action_ctx(ups={1: target(nut)}))
    assert outcome.ok, outcome.error
    assert outcome.output == f"load.off sent to ups1@127.0.0.1:{nut.port}"
    assert nut_command.TYPE.destructive(params) == (
        "load.off cuts power to everything plugged into the UPS"
    )


async def test_a_command_the_ups_does_not_offer_is_not_sent(
    nut: NutServer, action_ctx: Ctx
) -> None:
    params = nut_command.TYPE.parse({"ups_id": 1, "command": "shutdown.return"})
    outcome = await nut_command.TYPE.run(params, action_ctx(ups={1: target(nut)}))
    assert not outcome.ok
    assert outcome.error == "ups1 has no instant command shutdown.return (it offers: load.off)"
    no_rights = await nut_command.TYPE.run(
        nut_command.TYPE.parse({"ups_id": 1, "command": "load.off"}),
        action_ctx(ups={1: target(nut, user=None)}),
    )
    assert no_rights.error is not None and "instcmds rights" in no_rights.error


def test_nut_fields() -> None:
    with pytest.raises(ActionError, match="positive integer"):
        nut_fsd.TYPE.parse({"ups_id": "ups1"})
    with pytest.raises(ActionError, match="command name"):
        nut_command.TYPE.parse({"ups_id": 1, "command": "load.off; rm"})
    with pytest.raises(ActionError, match="one line"):
        nut_command.TYPE.parse({"ups_id": 1, "command": "x", "param": "a\nb"})
    harmless = nut_command.TYPE.parse({"ups_id": 2, "command": "beeper.disable"})
    assert nut_command.TYPE.destructive(harmless) is None
    assert nut_command.TYPE.ups_ids(harmless) == (2,)
    fsd = nut_fsd.TYPE.parse({"ups_id": 3})
    assert nut_fsd.TYPE.ups_ids(fsd) == (3,)
    assert "every upsmon client of it shuts its host down" in (nut_fsd.TYPE.destructive(fsd) or "")
    plan = parse_plan(
        {
            "name": "p",
            "ups": [3],
            "triggers": {"fsd": True},
            "phases": [
                {
                    "actions": [
                        {"type": "nut_fsd", "ups_id": 3},
                        {"type": "nut_command", "ups_id": 2, "command": "load.off", "param": "5"},
                    ]
                }
            ],
        }
    )
    assert plan.ups_ids() == {2, 3}
    for action in plan.actions():
        assert action.kind.parse(action.kind.to_json(action.params)) == action.params
    shown = plan_json(plan, masked=True)["phases"][0]["actions"]
    assert shown[1]["param"] == "5"


async def test_targets_come_from_the_database(db: Settings, nut: NutServer) -> None:
    server = await NutServerRow.create(
        host=nut.host, port=nut.port, username=NUT_USER, password=NUT_PASSWORD
    )
    ups = await UpsSystem.create(name="Rack UPS", ups_name="ups1", nut_server=server)
    found = await ups_target(ups.id)
    assert found == UpsTarget(ups.id, "ups1", nut.host, nut.port, NUT_USER, NUT_PASSWORD, False)
    assert await ups_target(ups.id + 100) is None
    ctx = action_context(db, 20.0, {"plan": "p"})
    sealed = db.secret_box().seal("x")
    assert ctx.reveal(sealed) == "x" and ctx.variables == {"plan": "p"} and ctx.timeout == 20.0
    outcome = await nut_fsd.TYPE.run(nut_fsd.TYPE.parse({"ups_id": ups.id}), ctx)
    assert outcome.ok, outcome.error
    assert nut.get_var("ups1", "ups.status") == "FSD OL"
