"""The plan view's timing walk and warnings (pure), with answers worked out by hand."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import asyncssh

from powerpulse.shutdown import timeline
from powerpulse.shutdown.plan import Plan, parse_plan
from powerpulse.shutdown.readings import Reading

HOST_KEY = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()
SSH = {
    "type": "ssh",
    "host": "db1",
    "username": "root",
    "password": "pw",
    "command": "poweroff",
    "host_key": HOST_KEY,
    "timeout_seconds": 30,
}


def plan(**fields: Any) -> Plan:
    body = {
        "name": "p",
        "ups": [1],
        "triggers": {"runtime_below_minutes": 5},
        "phases": [
            {
                "name": "Hosts",
                "delay_seconds": 10,
                "timeout_seconds": 120,
                "actions": [
                    SSH,
                    {"type": "http", "url": "https://nas/api/stop", "timeout_seconds": 600},
                    {"type": "wol", "mac": "00:11:22:33:44:55"},  # no timeout of its own
                ],
            },
            {
                "name": "Storage",
                "timeout_seconds": 60,
                "actions": [{"type": "wait_down", "host": "nas", "port": 22}],
            },
            {
                "name": "UPS",
                "delay_seconds": 30,
                "timeout_seconds": 400,
                "actions": [{"type": "nut_fsd", "ups_id": 1}],
            },
        ],
        "restore": {
            "after_seconds": 90,
            "actions": [
                {"type": "wol", "mac": "00:11:22:33:44:55"},
                {"type": "http", "url": "https://nas/api/start", "timeout_seconds": 15},
            ],
        },
        **fields,
    }
    return parse_plan(body)


def test_phases_start_after_the_earlier_ones_took_their_whole_timeout() -> None:
    walk = timeline.walk(plan())
    rows = [(s.section, s.phase, s.phase_name, s.action.type, s.starts_at) for s in walk.steps]
    assert rows == [
        # The first phase after its 10 s delay: its actions all start together.
        ("phase", 0, "Hosts", "ssh", 10),
        ("phase", 0, "Hosts", "http", 10),
        ("phase", 0, "Hosts", "wol", 10),
        # 10 + 120 (the first phase's timeout) + 0 (its own delay).
        ("phase", 1, "Storage", "wait_down", 130),
        # 130 + 60 + 30.
        ("phase", 2, "UPS", "nut_fsd", 220),
        # The restore sequence counts from the mains' return: after 90 s of steady mains.
        ("restore", 0, "Restore", "wol", 90),
        ("restore", 0, "Restore", "http", 90),
    ]
    assert walk.total_seconds == 620  # 220 + 400


def test_each_action_is_bounded_by_its_own_timeout_within_its_phase() -> None:
    walk = timeline.walk(plan())
    assert [s.timeout for s in walk.steps] == [
        30,  # ssh: its own 30 s
        120,  # http: its own 600 s, cut at the phase's 120 s
        120,  # wol: none of its own (the engine's 300 s default), cut at 120 s
        60,  # wait_down: its own 300 s, cut at 60 s
        300,  # nut_fsd: the engine's default, within the phase's 400 s
        300,  # restore wol: the default
        15,  # restore http: its own
    ]


def test_which_steps_need_a_confirmation_to_test() -> None:
    walk = timeline.walk(plan())
    flagged = [(s.action.type, s.destructive is not None) for s in walk.steps]
    assert flagged == [
        ("ssh", True),
        ("http", True),
        ("wol", False),
        ("wait_down", False),
        ("nut_fsd", True),
        ("wol", False),
        ("http", True),
    ]
    assert walk.steps[0].destructive == "runs poweroff on db1"


def test_no_restore_and_empty_phases() -> None:
    bare = plan(
        phases=[{"delay_seconds": 5, "timeout_seconds": 50}, {"timeout_seconds": 20}],
        restore=None,
    )
    walk = timeline.walk(bare)
    assert walk.steps == ()
    assert walk.total_seconds == 75


def reading(runtime: float | None) -> Reading:
    return Reading(1, "ups1", known=True, power="OL", runtime=runtime)


def test_warnings() -> None:
    p = plan()
    walk = timeline.walk(p)
    assert timeline.warnings(p, walk, {1: reading(900)}, {1}) == [
        "Phase 'Hosts': 'POST https://nas/api/stop' may take up to 10 min, more than the "
        "phase's 2 min timeout (it is stopped then)",
        "Phase 'Storage': 'wait until nas:22 stops answering' may take up to 5 min, more than "
        "the phase's 60 s timeout (it is stopped then)",
        "The plan needs up to 10.4 min, but its runtime trigger fires at 5 min of runtime left",
    ]


def test_a_battery_that_will_not_last() -> None:
    p = plan(triggers={"on_battery_seconds": 60})
    walk = timeline.walk(p)
    found = timeline.warnings(p, walk, {1: reading(400)}, {1})
    assert "The plan needs up to 10.4 min, ups1 reports 6.7 min of runtime" in found
    assert timeline.warnings(p, walk, {1: reading(None)}, {1})[-1].startswith("Phase 'Storage'")


def test_gone_and_unwatched_ups() -> None:
    p = plan(
        phases=[{"timeout_seconds": 60, "actions": [{"type": "nut_fsd", "ups_id": 2}]}],
        restore=None,
        triggers={"fsd": True},
    )
    found = timeline.warnings(p, timeline.walk(p), {}, {1})
    assert found == [
        "UPS 2 no longer exists (the plan still names it)",
        "Action 'set forced shutdown (FSD) on UPS #2' sets FSD on UPS 2, which the plan does "
        "not watch",
    ]
    assert timeline.warnings(p, timeline.walk(p), {}, {1, 2}) == found[1:]


def test_an_ssh_action_without_a_pinned_key() -> None:
    p = plan(triggers={"fsd": True}, restore=None)
    ssh = p.phases[0].actions[0]
    unpinned = replace(ssh, params=replace(ssh.params, host_key=""))
    first = replace(p.phases[0], actions=(unpinned,))
    p = replace(p, phases=(first, *p.phases[1:]))
    found = timeline.warnings(p, timeline.walk(p), {}, {1})
    assert found[-1].startswith("Action 'ssh root@db1: poweroff' has no pinned host key")


def test_a_disabled_plan_says_so() -> None:
    p = plan(enabled=False, triggers={"fsd": True})
    found = timeline.warnings(p, timeline.walk(p), {}, {1})
    assert "The plan is disabled: it never starts" in found
    assert "The plan is disabled: it never starts" not in timeline.warnings(
        plan(), timeline.walk(plan()), {}, {1}
    )
