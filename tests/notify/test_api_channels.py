"""`/api/notification-channels`: channels as rows, managed through the API, secrets write-only,
tested against real local receivers; the seed's fields are the personal slot channels."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from powerpulse.notify.channels import KINDS
from tests.api.conftest import Account, Client
from tests.support.receivers import WebhookReceiver
from tests.support.services import (
    GOTIFY_TOKEN,
    NTFY_TOKEN,
    WEBHOOK_PATH,
    ServiceReceiver,
)

BASE = "/api/notification-channels"


@pytest.fixture
def ntfy() -> Iterator[ServiceReceiver]:
    with ServiceReceiver("ntfy", ntfy_token=NTFY_TOKEN) as rx:
        yield rx


def ntfy_body(rx: ServiceReceiver, **extra: object) -> dict[str, object]:
    config = {"server": rx.base_url, "topic": "ups-alerts", "token": NTFY_TOKEN}
    return {"kind": "ntfy", "name": "Phone", "config": config, **extra}


async def test_kinds_describe_every_registered_service(client: Client, member: Account) -> None:
    status, body, _ = await client.get(f"{BASE}/kinds", token=member.token)
    assert status == 200
    assert [k["kind"] for k in body] == list(KINDS)
    assert len(body) == 11
    by_kind = {k["kind"]: k for k in body}
    assert [f["key"] for f in by_kind["telegram"]["fields"]] == ["token", "chat_id", "api_url"]
    assert by_kind["telegram"]["fields"][0]["secret"] is True
    assert by_kind["webhook"]["adminOnly"] and by_kind["apprise"]["adminOnly"]
    assert by_kind["gotify"]["selfHosted"] and not by_kind["discord"]["selfHosted"]


async def test_a_secret_never_comes_back_and_is_kept_on_update(
    client: Client, member: Account, ntfy: ServiceReceiver
) -> None:
    status, created, _ = await client.post(BASE, token=member.token, json=ntfy_body(ntfy))
    assert status == 201, created
    assert created["config"] == {
        "server": ntfy.base_url,
        "topic": "ups-alerts",
        "token": {"set": True},
    }
    assert (created["shared"], created["ownerId"]) == (False, member.id)
    cid = created["id"]
    # Renamed, the token left out: the stored token is kept and still works.
    status, updated, _ = await client.put(
        f"{BASE}/{cid}",
        token=member.token,
        json={"name": "Pager", "config": {"server": ntfy.base_url, "topic": "ups-alerts"}},
    )
    assert status == 200 and updated["name"] == "Pager"
    answers = [
        created,
        updated,
        (await client.get(f"{BASE}/{cid}", token=member.token))[1],
        (await client.get(BASE, token=member.token))[1],
    ]
    assert NTFY_TOKEN not in json.dumps(answers)
    status, tested, _ = await client.post(f"{BASE}/{cid}/test", token=member.token)
    assert status == 200, tested
    [request] = await ntfy.await_requests(1)
    assert request.behaviour == "ok"
    assert request.body["title"] == "🔔 PowerPulse Test Notification"
    assert tested["delivery"]["state"] == "delivered"
    assert tested["delivery"]["channelName"] == "Pager"
    [listed] = (await client.get(BASE, token=member.token))[1]
    assert listed["lastDelivery"]["state"] == "delivered"
    # /metrics counts deliveries per channel kind, whatever the kind.
    _, _, response = await client.get("/metrics")
    assert 'powerpulse_notification_deliveries{channel="ntfy",state="delivered"} 1' in (
        response.text
    )


async def test_a_failed_test_answers_with_the_services_own_error(
    client: Client, member: Account, ntfy: ServiceReceiver
) -> None:
    _, created, _ = await client.post(BASE, token=member.token, json=ntfy_body(ntfy))
    ntfy.script("401")
    status, body, _ = await client.post(f"{BASE}/{created['id']}/test", token=member.token)
    assert status == 502
    assert body["reason"].startswith("HTTP 401") and "unauthorized" in body["reason"]
    assert NTFY_TOKEN not in json.dumps(body)


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"server": "http://127.0.0.1:1", "topic": "bad topic!"}, "config.topic"),
        ({"topic": "x", "colour": "red"}, "config.colour"),
        ({"server": "http://10.1.2.3", "topic": "x"}, "config.server"),  # not allowed: a user
    ],
)
async def test_bad_configs_are_a_400_naming_the_key(
    client: Client, member: Account, config: dict[str, str], field: str
) -> None:
    status, body, _ = await client.post(
        BASE, token=member.token, json={"kind": "ntfy", "name": "x", "config": config}
    )
    assert status == 400 and body["field"] == field, body
    assert (await client.get(BASE, token=member.token))[1] == []


async def test_self_hosted_services_may_point_anywhere_only_for_admins(
    client: Client, admin: Account, member: Account
) -> None:
    body = {"kind": "gotify", "config": {"server": "http://gotify.lan", "token": GOTIFY_TOKEN}}
    status, answer, _ = await client.post(BASE, token=member.token, json=body)
    assert status == 400 and "only an admin" in answer["message"]
    status, answer, _ = await client.post(BASE, token=admin.token, json=body)
    assert status == 201 and answer["name"] == "Gotify"


async def test_users_and_admins_see_and_manage_what_is_theirs(
    client: Client, admin: Account, member: Account
) -> None:
    hook = {"kind": "webhook", "config": {"url": "http://127.0.0.1:9" + WEBHOOK_PATH}}
    status, body, _ = await client.post(BASE, token=member.token, json=hook)
    assert (status, body["error"]) == (403, "admin_only_kind")
    status, body, _ = await client.post(
        BASE, token=member.token, json={**hook, "kind": "slack", "shared": True}
    )
    assert (status, body["error"]) == (403, "admin_only")
    status, shared, _ = await client.post(BASE, token=admin.token, json={**hook, "shared": True})
    assert status == 201 and shared["shared"] and shared["ownerId"] is None
    status, mine, _ = await client.post(
        BASE,
        token=member.token,
        json={"kind": "email", "config": {"recipients": "me@example.com"}},
    )
    assert status == 201
    # The member sees only their own; the shared one and others' are "not found".
    assert [c["id"] for c in (await client.get(BASE, token=member.token))[1]] == [mine["id"]]
    for method in ("GET", "PUT", "DELETE"):
        status, _, _ = await client.request(
            method, f"{BASE}/{shared['id']}", token=member.token, json={"name": "x"}
        )
        assert status == 404
    status, _, _ = await client.request("GET", f"{BASE}/{mine['id']}", token=admin.token)
    assert status == 404
    admin_view = (await client.get(f"{BASE}?scope=shared", token=admin.token))[1]
    assert [c["id"] for c in admin_view] == [shared["id"]]


async def test_the_seed_fields_are_the_personal_slot_channels(
    client: Client, member: Account, discord_hook: WebhookReceiver
) -> None:
    status, _, _ = await client.post(
        "/api/notifications/settings",
        token=member.token,
        json={"discord_webhook_url": discord_hook.url, "email_recipients": "a@example.com"},
    )
    assert status == 200
    channels = (await client.get(BASE, token=member.token))[1]
    assert [(c["kind"], c["slot"], c["enabled"]) for c in channels] == [
        ("discord", "discord", True),
        ("email", "email", False),  # the seed's email switch stays off until turned on
    ]
    assert channels[0]["config"] == {"url": {"set": True}}
    # Deleting the channel clears the seed field; the settings answer says so.
    status, _, _ = await client.delete(f"{BASE}/{channels[0]['id']}", token=member.token)
    assert status == 200
    _, settings, _ = await client.get("/api/notifications/settings", token=member.token)
    assert settings["discord_webhook_url"] == ""
    assert settings["email_recipients"] == "a@example.com"
    # Turning the email channel on through the channels API is the seed's switch too.
    email_id = channels[1]["id"]
    status, _, _ = await client.put(
        f"{BASE}/{email_id}", token=member.token, json={"enabled": True}
    )
    assert status == 200
    _, settings, _ = await client.get("/api/user-settings", token=member.token)
    assert settings["email_notifications"] == 1


async def test_an_admin_only_channel_stops_when_its_owner_is_demoted(
    client: Client, admin: Account
) -> None:
    """Apprise may reach any host, so only admins have one; a demoted owner's stops sending."""
    from powerpulse.api.auth import forget_user, issue_token
    from powerpulse.db.models import User

    body = {"kind": "apprise", "config": {"url": "json://127.0.0.1:9/hook"}}
    status, channel, _ = await client.post(BASE, token=admin.token, json=body)
    assert status == 201, channel
    await User.filter(id=admin.user.id).update(role="user")
    forget_user(admin.user.id)
    # Demotion revokes the old token; the same person signs in again, now as a user.
    token = issue_token(await User.get(id=admin.user.id))
    status, tested, _ = await client.post(f"{BASE}/{channel['id']}/test", token=token)
    assert status == 502 and "admins only" in tested["message"], tested


async def test_a_channel_of_a_removed_kind_is_skipped_not_fatal(
    client: Client, member: Account, ntfy: ServiceReceiver
) -> None:
    """A row whose service was since removed (a downgrade) is left out of every fan-out, so the
    user's other channels still get the alert, and testing it is a clear 400."""
    from powerpulse.db.models import NotificationChannel
    from powerpulse.notify.recipients import recipients_for

    _, kept, _ = await client.post(BASE, token=member.token, json=ntfy_body(ntfy))
    _, gone, _ = await client.post(BASE, token=member.token, json=ntfy_body(ntfy, name="Old"))
    await NotificationChannel.filter(id=gone["id"]).update(kind="retired-service")
    [recipient] = await recipients_for("on_battery")
    assert [c.id for c in recipient.channels] == [kept["id"]]
    status, body, _ = await client.post(f"{BASE}/{gone['id']}/test", token=member.token)
    assert (status, body["error"]) == (400, "unknown_kind"), body
    assert (await client.get(BASE, token=member.token))[0] == 200
