"""The ssh action against a real OpenSSH server: commands run, failures are told apart, and a
host whose key is not the pinned one never gets a command."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from typing import Any

import asyncssh
import pytest

from powerpulse.secret_box import SecretBox
from powerpulse.shutdown.actions.base import ActionContext, ActionError
from powerpulse.shutdown.actions.ssh import TYPE, Params, fetch_host_key
from powerpulse.shutdown.plan import PlanError, parse_plan, plan_json
from tests.support.nut_server import free_port
from tests.support.sshd import Sshd

Ctx = Callable[..., ActionContext]


def key_action(server: Sshd, box: SecretBox, command: str, **extra: Any) -> Params:
    raw = {
        "host": server.host,
        "port": server.port,
        "username": "root",
        "private_key": box.seal(server.client_key),
        "command": command,
        "host_key": server.host_key,
        **extra,
    }
    return TYPE.parse(raw)


def other_key() -> str:
    return asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()


async def test_a_command_runs_with_the_key_and_leaves_its_marker(
    sshd: Sshd, secrets_box: SecretBox, action_ctx: Ctx
) -> None:
    marker = sshd.marker_dir / "done"
    command = f"echo hello from $(hostname); date +%s.%N > {marker}; echo {{plan}} >> {marker}"
    params = key_action(sshd, secrets_box, command + "; echo warned >&2")
    before = time.time()
    hostile = "Rack A'; touch /tmp/pp-injected; echo '"  # a value is one shell word
    outcome = await TYPE.run(params, action_ctx(variables={"plan": hostile}))
    assert outcome.ok, outcome.error
    assert outcome.exit_code == 0
    assert "hello from" in outcome.output and "warned" in outcome.output
    stamp, plan = marker.read_text().splitlines()
    assert before - 1 <= float(stamp) <= time.time() + 1
    assert plan == hostile  # the template value filled in, as text, not as commands


async def test_a_failing_command_is_a_failure_with_its_exit_code_and_output(
    sshd: Sshd, secrets_box: SecretBox, action_ctx: Ctx
) -> None:
    outcome = await TYPE.run(
        key_action(sshd, secrets_box, "echo cannot stop the database; exit 3"), action_ctx()
    )
    assert not outcome.ok
    assert outcome.exit_code == 3
    assert "cannot stop the database" in outcome.output
    assert outcome.error == "the command on 127.0.0.1 exited with 3"


async def test_a_host_that_drops_the_session_while_powering_off_is_a_success(
    sshd: Sshd, secrets_box: SecretBox, action_ctx: Ctx
) -> None:
    # What `poweroff` does to sshd: the session's server process dies before any exit status.
    marker = sshd.marker_dir / "powering-off"
    command = f"touch {marker}; kill -9 $PPID; sleep 5"
    outcome = await TYPE.run(key_action(sshd, secrets_box, command), action_ctx())
    assert marker.exists()
    assert outcome.ok, outcome.error
    assert "closed the connection before sending an exit status" in outcome.output


async def test_a_host_with_another_key_gets_no_command(
    sshd: Sshd, secrets_box: SecretBox, action_ctx: Ctx
) -> None:
    marker = sshd.marker_dir / "must-not-exist"
    params = key_action(sshd, secrets_box, f"touch {marker}", host_key=other_key())
    outcome = await TYPE.run(params, action_ctx())
    assert not outcome.ok
    assert outcome.error is not None
    assert outcome.error.startswith("the host key of 127.0.0.1 changed")
    real = asyncssh.import_public_key(sshd.host_key).get_fingerprint("sha256")
    assert real in outcome.error  # what it presents now, for the admin to compare
    time.sleep(0.3)
    assert not marker.exists()


async def test_password_login(sshd: Sshd, secrets_box: SecretBox, action_ctx: Ctx) -> None:
    assert sshd.password_login, "needs root to create the password user"
    user, password = sshd.password_login
    marker = sshd.marker_dir / "by-password"
    raw = {
        "host": sshd.host,
        "port": sshd.port,
        "username": user,
        "password": secrets_box.seal(password),
        "command": f"id -un; date +%s > {marker}",
        "host_key": sshd.host_key,
    }
    outcome = await TYPE.run(TYPE.parse(raw), action_ctx())
    assert outcome.ok, outcome.error
    assert user in outcome.output
    assert marker.exists()
    assert password not in outcome.output + TYPE.describe(TYPE.parse(raw))


async def test_a_wrong_password_or_key_is_refused_clearly(
    sshd: Sshd, secrets_box: SecretBox, action_ctx: Ctx
) -> None:
    assert sshd.password_login
    user, password = sshd.password_login
    raw = {
        "host": sshd.host,
        "port": sshd.port,
        "username": user,
        "password": secrets_box.seal("not-" + password),
        "command": "true",
        "host_key": sshd.host_key,
    }
    outcome = await TYPE.run(TYPE.parse(raw), action_ctx())
    assert not outcome.ok
    assert outcome.error == (
        "127.0.0.1 refused the login (wrong password, or the key is not authorised)"
    )
    assert password not in str(outcome)
    stranger = asyncssh.generate_private_key("ssh-ed25519").export_private_key().decode()
    params = key_action(sshd, secrets_box, "true", private_key=secrets_box.seal(stranger))
    outcome = await TYPE.run(params, action_ctx())
    assert not outcome.ok
    assert outcome.error is not None and "refused the login" in outcome.error


async def test_a_command_that_runs_too_long_is_cut_off(
    sshd: Sshd, secrets_box: SecretBox, action_ctx: Ctx
) -> None:
    params = key_action(sshd, secrets_box, "sleep 30", timeout_seconds=1)
    started = time.monotonic()
    outcome = await TYPE.run(params, action_ctx())
    assert time.monotonic() - started < 5
    assert not outcome.ok
    assert outcome.error == "the command on 127.0.0.1 ran over 1 s"


async def test_the_phase_time_left_bounds_the_command_too(
    sshd: Sshd, secrets_box: SecretBox, action_ctx: Ctx
) -> None:
    outcome = await TYPE.run(key_action(sshd, secrets_box, "sleep 30"), action_ctx(timeout=1))
    assert not outcome.ok and outcome.error == "the command on 127.0.0.1 ran over 1 s"


async def test_no_server_is_a_clear_error(
    sshd: Sshd, secrets_box: SecretBox, action_ctx: Ctx
) -> None:
    params = key_action(sshd, secrets_box, "true", port=free_port())
    outcome = await TYPE.run(params, action_ctx())
    assert not outcome.ok
    assert outcome.error == (
        f"127.0.0.1:{params.port} refused the connection (is sshd running on that port?)"
    )


async def test_first_contact_shows_exactly_the_servers_key(sshd: Sshd) -> None:
    found = await fetch_host_key(sshd.host, sshd.port)
    assert found.key == " ".join(sshd.host_key_pub.read_text().split()[:2])
    listed = subprocess.run(
        ["ssh-keygen", "-lf", str(sshd.host_key_pub)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert found.fingerprint == listed[1]
    assert found.algorithm == "ssh-ed25519"
    assert (
        TYPE.parse(  # what the admin confirms is accepted as the pin
            {
                "host": "h",
                "username": "u",
                "password": "enc:v1:x",
                "command": "c",
                "host_key": found.key,
            }
        ).host_key
        == found.key
    )


async def test_first_contact_with_nothing_listening() -> None:
    port = free_port()
    with pytest.raises(ActionError, match="refused the connection") as err:
        await fetch_host_key("127.0.0.1", port, timeout=3)
    assert err.value.field == "host"


def test_fields_are_checked() -> None:
    base = {"host": "db1", "username": "root", "password": "enc:v1:x", "command": "poweroff"}
    with pytest.raises(ActionError, match="host_key is required"):
        TYPE.parse(base)
    with pytest.raises(ActionError, match="OpenSSH public key") as err:
        TYPE.parse({**base, "host_key": "ssh-ed25519 not-base64"})
    assert err.value.field == "host_key"
    key = other_key()
    with pytest.raises(ActionError, match="a password or a private key"):
        TYPE.parse({**base, "host_key": key, "password": None})
    with pytest.raises(ActionError, match="not both"):
        TYPE.parse({**base, "host_key": key, "private_key": "enc:v1:y"})
    with pytest.raises(ActionError, match="port must be between"):
        TYPE.parse({**base, "host_key": key, "port": 70000})
    with pytest.raises(ActionError, match="unknown field"):
        TYPE.parse({**base, "host_key": key, "timout_seconds": 5})


def test_a_private_key_is_checked_without_echoing_it() -> None:
    good = asyncssh.generate_private_key("ssh-ed25519").export_private_key().decode()
    TYPE.check_secret("private_key", good)
    broken = good.replace("\n", "", 3)[:-40] + "SECRETMATERIAL\n"
    with pytest.raises(ActionError) as err:
        TYPE.check_secret("private_key", broken)
    assert "SECRETMATERIAL" not in err.value.message and err.value.field == "private_key"
    locked = (
        asyncssh.generate_private_key("ssh-ed25519").export_private_key(passphrase="pw").decode()
    )
    with pytest.raises(ActionError, match="unencrypted"):
        TYPE.check_secret("private_key", locked)


def plan_with(action: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "p",
        "ups": [1],
        "triggers": {"low_battery": True},
        "phases": [{"name": "hosts", "actions": [action]}],
    }


def test_the_plan_stores_the_key_sealed_and_shows_it_masked(secrets_box: SecretBox) -> None:
    private = asyncssh.generate_private_key("ssh-ed25519").export_private_key().decode()
    action = {
        "type": "ssh",
        "host": "db1",
        "username": "root",
        "private_key": private,
        "command": "poweroff",
        "host_key": other_key() + " root@db1",
    }
    plan = parse_plan(plan_with(action), seal=secrets_box.seal)
    stored = plan_json(plan, masked=False)
    stored_action = stored["phases"][0]["actions"][0]
    assert stored_action["private_key"].startswith("enc:v1:")
    assert secrets_box.open(stored_action["private_key"]) == private
    shown = plan_json(plan, masked=True)["phases"][0]["actions"][0]
    assert shown["private_key"] == {"set": True}
    assert "password" not in shown
    assert private not in str(shown) and "root@db1" not in shown["host_key"]
    params = plan.phases[0].actions[0].params
    assert TYPE.parse(TYPE.to_json(params)) == params  # the stored form reads back the same
    assert plan.phases[0].actions[0].describe() == "ssh root@db1: poweroff"
    assert TYPE.destructive(params) == "runs poweroff on db1"
    with pytest.raises(PlanError, match="unencrypted") as err:
        parse_plan(plan_with({**action, "private_key": "-----BEGIN nonsense"}), seal=str)
    assert err.value.field == "phases[0].actions[0].private_key"


async def test_the_pinned_kind_of_key_is_the_one_checked(
    sshd: Sshd, secrets_box: SecretBox, action_ctx: Ctx
) -> None:
    # The server holds an ed25519 and an RSA key: pinning either one works.
    params = key_action(sshd, secrets_box, "echo pinned rsa", host_key=sshd.rsa_host_key)
    outcome = await TYPE.run(params, action_ctx())
    assert outcome.ok, outcome.error
    # A pinned kind it does not hold: refused, showing the key it does present.
    ecdsa = asyncssh.generate_private_key("ecdsa-sha2-nistp256").export_public_key().decode()
    outcome = await TYPE.run(key_action(sshd, secrets_box, "true", host_key=ecdsa), action_ctx())
    assert not outcome.ok and outcome.error is not None
    assert "the host key of 127.0.0.1 changed: it now presents SHA256:" in outcome.error
