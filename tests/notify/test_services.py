"""The eight service kinds (ntfy, Telegram, Gotify, Pushover, Teams, Matrix, webhook, Apprise):
what each accepts as a config, what it stores, and what a real local server that behaves like
the service receives from it, on success and on each kind of failure."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import aiohttp
import pytest

from powerpulse.config import Settings
from powerpulse.notify.channels import KINDS, ConfigError, Context, DeliveryResult, Transport
from powerpulse.notify.channels.base import FIELD_TYPES
from powerpulse.notify.messages import Notice
from powerpulse.timeutil import utcnow
from tests.conftest import make_settings
from tests.support.services import (
    GOTIFY_TOKEN,
    MATRIX_ALIAS,
    MATRIX_ROOM,
    MATRIX_TOKEN,
    NTFY_TOKEN,
    PUSHOVER_TOKEN,
    PUSHOVER_USER,
    TEAMS_PATH,
    TEAMS_SIG,
    TELEGRAM_TOKEN,
    WEBHOOK_PATH,
    ServiceReceiver,
)

SERVICE_KINDS = ("ntfy", "telegram", "gotify", "pushover", "teams", "matrix", "webhook", "apprise")
# Kinds that classify HTTP answers themselves (Apprise only says "failed").
HTTP_KINDS = SERVICE_KINDS[:-1]
NAME = "<b>*Rack_1*</b> & co"
TOPIC = "ups-alerts"
CHAT = "-1001234567890"


def notice(kind: str = "on_battery", name: str = NAME, **extra: Any) -> Notice:
    return Notice(kind, name, "On Battery", "Online", utcnow(), 90, 1200, 25, **extra)


# One notice per severity: critical, warning, ok, info.
BY_SEVERITY = {
    "critical": notice("low_battery"),
    "warning": notice("on_battery"),
    "ok": notice("online"),
    "info": notice("self_test"),
}


def receiver_for(kind: str) -> ServiceReceiver:
    return ServiceReceiver("json" if kind == "apprise" else kind)


def config_for(kind: str, rx: ServiceReceiver) -> dict[str, Any]:
    """A good config pointing `kind` at the local receiver."""
    return {
        "ntfy": {"server": rx.base_url, "topic": TOPIC, "token": NTFY_TOKEN},
        "telegram": {"token": TELEGRAM_TOKEN, "chat_id": CHAT, "api_url": rx.base_url},
        "gotify": {"server": rx.base_url, "token": GOTIFY_TOKEN},
        "pushover": {"token": PUSHOVER_TOKEN, "user": PUSHOVER_USER, "api_url": rx.base_url},
        "teams": {"url": rx.teams_url},
        "matrix": {"homeserver": rx.base_url, "token": MATRIX_TOKEN, "room": MATRIX_ROOM},
        "webhook": {"url": rx.base_url + WEBHOOK_PATH},
        "apprise": {"url": f"json://127.0.0.1:{rx.port}{WEBHOOK_PATH}"},
    }[kind]


# The key holding the URL, and a URL to an official host every user may use.
URL_KEYS = {
    "ntfy": ("server", "https://ntfy.sh"),
    "telegram": ("api_url", "https://api.telegram.org"),
    "gotify": ("server", None),
    "pushover": ("api_url", "https://api.pushover.net"),
    "teams": (
        "url",
        "https://prod-12.westus.logic.azure.com:443/workflows/6d2a1c/triggers/manual/paths/"
        "invoke?api-version=2016-06-01&sig=abc",
    ),
    "matrix": ("homeserver", "https://matrix-client.matrix.org"),
    "webhook": ("url", None),
}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Local receivers (127.0.0.1, any port) are allowed for everyone; no SMTP needed."""
    return make_settings(tmp_path / "data", WEBHOOK_ALLOWED_HOSTS="127.0.0.1")


@pytest.fixture
async def transport(settings: Settings) -> AsyncIterator[Transport]:
    async with aiohttp.ClientSession() as session:
        yield Transport(session, settings, timeout=3.0)


def user(settings: Settings) -> Context:
    return Context(settings)


def admin(settings: Settings) -> Context:
    return Context(settings, admin=True)


def secrets_of(kind: str, config: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for f in KINDS[kind].fields:
        value = config.get(f.key)
        if f.secret and isinstance(value, str):
            out.append(value)
        elif f.secret and isinstance(value, dict):
            out.extend(value.values())
    return out


async def deliver(
    kind: str, rx: ServiceReceiver, transport: Transport, n: Notice | None = None, **changes: Any
) -> DeliveryResult:
    """Validate a config for the receiver (with `changes`), render `n` and send it."""
    channel = KINDS[kind]
    config = channel.validate({**config_for(kind, rx), **changes}, admin(transport.settings))
    return await channel.send(channel.payload(n or notice()), config, transport)


# --- registry and descriptors ------------------------------------------------------------------


def test_every_service_kind_is_registered_after_email() -> None:
    names = list(KINDS)
    assert names[names.index("email") + 1 :] == list(SERVICE_KINDS)


@pytest.mark.parametrize("kind", SERVICE_KINDS)
def test_descriptor_marks_every_credential_secret(kind: str) -> None:
    described = KINDS[kind].describe()
    assert described["kind"] == kind
    assert all(f["type"] in FIELD_TYPES for f in described["fields"])
    secret = {f["key"] for f in described["fields"] if f["secret"]}
    expected = {
        "ntfy": {"token"},
        "telegram": {"token"},
        "gotify": {"token"},
        "pushover": {"token", "user"},
        "teams": {"url"},
        "matrix": {"token"},
        "webhook": {"url", "headers"},
        "apprise": {"url"},
    }[kind]
    assert secret == expected
    assert described["adminOnly"] == (kind in ("webhook", "apprise"))
    assert described["selfHosted"] == (kind in ("ntfy", "gotify", "matrix", "webhook", "apprise"))


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", SERVICE_KINDS)
def test_a_good_config_validates_and_stays_the_same_when_validated_again(
    kind: str, settings: Settings
) -> None:
    config = config_for(kind, ServiceReceiver("webhook"))
    once = KINDS[kind].validate(config, user(settings))
    assert KINDS[kind].validate(once, user(settings)) == once
    assert set(config) <= set(once)


@pytest.mark.parametrize("kind", SERVICE_KINDS)
def test_an_unknown_key_is_refused(kind: str, settings: Settings) -> None:
    config = {**config_for(kind, ServiceReceiver("webhook")), "colour": "red"}
    with pytest.raises(ConfigError) as err:
        KINDS[kind].validate(config, admin(settings))
    assert err.value.field == "colour"


@pytest.mark.parametrize(
    ("kind", "key"),
    [(k, f.key) for k in SERVICE_KINDS for f in KINDS[k].fields if f.required],
)
def test_a_missing_required_key_is_refused(kind: str, key: str, settings: Settings) -> None:
    config = config_for(kind, ServiceReceiver("webhook"))
    del config[key]
    with pytest.raises(ConfigError) as err:
        KINDS[kind].validate(config, admin(settings))
    assert err.value.field == key


@pytest.mark.parametrize("kind", ["ntfy", "telegram", "pushover", "matrix"])
def test_the_api_url_defaults_to_the_official_server(kind: str, settings: Settings) -> None:
    key, official = URL_KEYS[kind]
    config = config_for(kind, ServiceReceiver("webhook"))
    del config[key]
    assert KINDS[kind].validate(config, user(settings))[key] == official


@pytest.mark.parametrize("kind", [k for k, (_, url) in URL_KEYS.items() if url])
def test_an_official_host_is_allowed_for_everyone(kind: str, settings: Settings) -> None:
    key, official = URL_KEYS[kind]
    config = {**config_for(kind, ServiceReceiver("webhook")), key: official}
    assert KINDS[kind].validate(config, user(settings))[key] == official


def test_teams_accepts_power_platform_workflow_hosts(settings: Settings) -> None:
    url = (
        "https://default0a1b2c.3d.environment.api.powerplatform.com:443/powerautomate/"
        "automations/direct/workflows/6d2a/triggers/manual/paths/invoke?api-version=1&sig=x"
    )
    assert KINDS["teams"].validate({"url": url}, user(settings))["url"] == url
    for bad in ("https://logic.azure.com/workflows/x", "http://prod-1.westus.logic.azure.com/x"):
        with pytest.raises(ConfigError):
            KINDS["teams"].validate({"url": bad}, user(settings))


@pytest.mark.parametrize("kind", list(URL_KEYS))
def test_another_host_is_refused_for_a_user(kind: str, settings: Settings) -> None:
    key, _ = URL_KEYS[kind]
    config = {**config_for(kind, ServiceReceiver("webhook")), key: "https://ups.example.lan/x"}
    with pytest.raises(ConfigError) as err:
        KINDS[kind].validate(config, user(settings))
    assert err.value.field == key


@pytest.mark.parametrize("kind", list(URL_KEYS))
def test_an_admin_may_use_any_host_only_for_self_hosted_kinds(
    kind: str, settings: Settings
) -> None:
    key, _ = URL_KEYS[kind]
    config = {**config_for(kind, ServiceReceiver("webhook")), key: "http://ups.example.lan:8080/x"}
    if KINDS[kind].self_hosted:
        assert KINDS[kind].validate(config, admin(settings))[key].startswith("http://ups.example")
    else:
        with pytest.raises(ConfigError):
            KINDS[kind].validate(config, admin(settings))


@pytest.mark.parametrize("kind", list(URL_KEYS))
def test_a_url_with_credentials_or_another_scheme_is_refused(kind: str, settings: Settings) -> None:
    key, _ = URL_KEYS[kind]
    for bad in ("http://me:pw@127.0.0.1/x", "ftp://127.0.0.1/x", "not a url"):
        config = {**config_for(kind, ServiceReceiver("webhook")), key: bad}
        with pytest.raises(ConfigError) as err:
            KINDS[kind].validate(config, admin(settings))
        assert "pw" not in err.value.message


BAD_VALUES = [
    ("ntfy", "topic", "ups alerts"),
    ("ntfy", "topic", "ups/alerts"),
    ("ntfy", "topic", "x" * 65),
    ("telegram", "token", "not-a-token"),
    ("telegram", "chat_id", "my chat"),
    ("telegram", "chat_id", 12345),
    ("pushover", "token", "short"),
    ("pushover", "user", "u" * 29 + "!"),
    ("matrix", "room", "ups-alerts"),
    ("matrix", "room", "#ups-alerts"),
    ("matrix", "room", "!abc def:example.org"),
    ("webhook", "method", "GET"),
    ("webhook", "headers", {"Host": "evil.example"}),
    ("webhook", "headers", {"X-Token": 5}),
    ("webhook", "headers", "Authorization: x"),
    ("webhook", "body", "not json"),
    ("webhook", "body", '{"text": "{{ ups }}"}'),  # quoted twice: the documented mistake
    ("webhook", "body", "[{{ ups }}]"),
    ("webhook", "body", '{"text": {% if %}}'),
    ("apprise", "url", "nonsense"),
    ("apprise", "url", "nosuchservice://host/path"),
]


@pytest.mark.parametrize(("kind", "key", "value"), BAD_VALUES)
def test_a_bad_value_is_refused_naming_its_key(
    kind: str, key: str, value: Any, settings: Settings
) -> None:
    config = {**config_for(kind, ServiceReceiver("webhook")), key: value}
    with pytest.raises(ConfigError) as err:
        KINDS[kind].validate(config, admin(settings))
    assert err.value.field == key
    if key == "token":
        assert str(value) not in err.value.message


@pytest.mark.parametrize(
    ("kind", "room"),
    [
        ("matrix", "!aBcDeFgHiJ:example.org"),
        ("matrix", "!opaqueRoomIdV12"),
        ("matrix", "#ups:matrix.example.org:8448"),
        ("matrix", "!x:[::1]:8448"),
    ],
)
def test_matrix_takes_room_ids_and_aliases(kind: str, room: str, settings: Settings) -> None:
    config = {**config_for(kind, ServiceReceiver("webhook")), "room": room}
    assert KINDS[kind].validate(config, user(settings))["room"] == room


@pytest.mark.parametrize("chat", ["123456", "-1001234567890", "@ups_alerts"])
def test_telegram_takes_numeric_chats_and_channel_names(chat: str, settings: Settings) -> None:
    config = {**config_for("telegram", ServiceReceiver("webhook")), "chat_id": chat}
    assert KINDS["telegram"].validate(config, user(settings))["chat_id"] == chat


# --- rendering ---------------------------------------------------------------------------------

# Where each kind puts the UPS name, and how it must read there.
ESCAPED: dict[str, tuple[Callable[[dict[str, Any]], str], str]] = {
    "ntfy": (lambda p: p["message"], r"\<b\>\*Rack\_1\*\</b\> \& co"),
    "telegram": (lambda p: p["text"], "&lt;b&gt;*Rack_1*&lt;/b&gt; &amp; co"),
    "gotify": (lambda p: p["message"], r"\<b\>\*Rack\_1\*\</b\> \& co"),
    "pushover": (lambda p: p["message"], "&lt;b&gt;*Rack_1*&lt;/b&gt; &amp; co"),
    "teams": (
        lambda p: json.dumps(p["attachments"][0]["content"]["body"]),
        json.dumps(r"<b>\*Rack\_1\*</b> & co")[1:-1],
    ),
    "matrix": (lambda p: p["formatted_body"], "&lt;b&gt;*Rack_1*&lt;/b&gt; &amp; co"),
    "webhook": (lambda p: p["json"]["ups"], NAME),
    "apprise": (lambda p: p["body"], NAME),
}


@pytest.mark.parametrize("kind", SERVICE_KINDS)
def test_the_payload_holds_no_secret_and_escapes_the_name(kind: str, settings: Settings) -> None:
    config = config_for(kind, ServiceReceiver("webhook"))
    if kind == "webhook":
        config["headers"] = {"Authorization": "Bearer webhook-secret-123"}
    config = KINDS[kind].validate(config, admin(settings))
    payload = KINDS[kind].payload(notice())
    stored = json.dumps(payload, ensure_ascii=False)
    for secret in secrets_of(kind, config):
        assert secret not in stored
    assert TOPIC not in stored  # the ntfy topic comes from the config at send time
    where, expected = ESCAPED[kind]
    assert expected in where(payload)
    if kind not in ("webhook", "apprise"):
        assert NAME not in where(payload)
    json.loads(stored)  # what the outbox stores is JSON


@pytest.mark.parametrize("kind", SERVICE_KINDS)
def test_the_summary_names_no_secret(kind: str, settings: Settings) -> None:
    rx = ServiceReceiver("webhook")
    config = KINDS[kind].validate(config_for(kind, rx), admin(settings))
    summary = KINDS[kind].summary(config)
    assert summary and all(secret not in summary for secret in secrets_of(kind, config))
    expected = {
        "ntfy": f"127.0.0.1 · topic {TOPIC}",
        "telegram": f"Telegram chat {CHAT} via 127.0.0.1",
        "gotify": "Gotify at 127.0.0.1",
        "pushover": "Pushover via 127.0.0.1",
        "teams": "Teams workflow at 127.0.0.1",
        "matrix": f"{MATRIX_ROOM} on 127.0.0.1",
        "webhook": "POST to 127.0.0.1",
        "apprise": "json://…",
    }[kind]
    assert summary == expected


def test_matrix_draws_a_new_transaction_id_for_each_render() -> None:
    first, second = (KINDS["matrix"].payload(notice())["txn_id"] for _ in range(2))
    assert first != second and len(first) == 32


# --- delivery: what each service receives ------------------------------------------------------


async def test_ntfy_publishes_json_to_the_root_with_the_token(transport: Transport) -> None:
    with ServiceReceiver("ntfy", ntfy_token=NTFY_TOKEN) as rx:
        result = await deliver("ntfy", rx, transport)
        assert result.ok and result.status == 200
        [request] = rx.requests
    assert (request.method, request.path) == ("POST", "/")
    assert request.headers["authorization"] == f"Bearer {NTFY_TOKEN}"
    body = request.body
    assert body["topic"] == TOPIC and body["title"] == "⚡ UPS On Battery"
    assert body["markdown"] is True and body["tags"] == ["warning"] and body["priority"] == 4
    assert "**Battery charge:** 90 %" in body["message"]


async def test_ntfy_without_a_token_sends_no_authorization(transport: Transport) -> None:
    with ServiceReceiver("ntfy") as rx:
        config = {k: v for k, v in config_for("ntfy", rx).items() if k != "token"}
        channel = KINDS["ntfy"]
        result = await channel.send(channel.payload(notice()), config, transport)
        assert result.ok
        assert "authorization" not in rx.requests[0].headers


@pytest.mark.parametrize(
    ("severity", "priority", "tags"),
    [
        ("critical", 5, ["rotating_light"]),
        ("warning", 4, ["warning"]),
        ("ok", 3, ["white_check_mark"]),
        ("info", 3, ["information_source"]),
    ],
)
async def test_ntfy_priority_and_tags_follow_severity(
    severity: str, priority: int, tags: list[str], transport: Transport
) -> None:
    with ServiceReceiver("ntfy", ntfy_token=NTFY_TOKEN) as rx:
        assert (await deliver("ntfy", rx, transport, BY_SEVERITY[severity])).ok
        [body] = rx.delivered
    assert (body["priority"], body["tags"]) == (priority, tags)


async def test_telegram_sends_html_with_the_token_in_the_path(transport: Transport) -> None:
    with ServiceReceiver("telegram") as rx:
        result = await deliver("telegram", rx, transport)
        assert result.ok, (result, rx.bad)
        [request] = rx.requests
    assert request.path == f"/bot{TELEGRAM_TOKEN}/sendMessage"
    body = request.body
    assert body["chat_id"] == CHAT and body["parse_mode"] == "HTML"
    assert body["disable_web_page_preview"] is True
    assert body["text"].startswith("<b>⚡ UPS On Battery</b>\n<b>&lt;b&gt;*Rack_1*")
    assert "<b>Load:</b> 25 %" in body["text"]


async def test_telegram_cuts_a_long_text_without_breaking_its_html(transport: Transport) -> None:
    long = notice(note="<&> " * 3000, drill=True)
    with ServiceReceiver("telegram") as rx:
        result = await deliver("telegram", rx, transport, long)
        assert result.ok, rx.bad  # the receiver parses Telegram HTML as strictly as Telegram
        [body] = rx.delivered
    assert len(body["text"]) <= 4096 and body["text"].endswith("…")


async def test_gotify_posts_markdown_with_the_key_header(transport: Transport) -> None:
    with ServiceReceiver("gotify") as rx:
        result = await deliver("gotify", rx, transport)
        assert result.ok
        [request] = rx.requests
    assert (request.method, request.path) == ("POST", "/message")
    assert request.headers["x-gotify-key"] == GOTIFY_TOKEN and not request.query
    assert request.body["extras"] == {"client::display": {"contentType": "text/markdown"}}
    assert request.body["title"] == "⚡ UPS On Battery" and request.body["priority"] == 5


async def test_gotify_works_under_a_sub_path(transport: Transport) -> None:
    with ServiceReceiver("gotify") as rx:
        result = await deliver("gotify", rx, transport, server=rx.base_url + "/gotify/")
        # the receiver serves Gotify at the root: the sub-path arrives in front of /message
        assert not result.ok and result.permanent
        assert rx.bad[0].path == "/gotify/message"


@pytest.mark.parametrize(
    ("severity", "priority"), [("critical", 8), ("warning", 5), ("ok", 2), ("info", 2)]
)
async def test_gotify_priority_follows_severity(
    severity: str, priority: int, transport: Transport
) -> None:
    with ServiceReceiver("gotify") as rx:
        assert (await deliver("gotify", rx, transport, BY_SEVERITY[severity])).ok
        assert rx.delivered[0]["priority"] == priority


@pytest.mark.parametrize(
    ("severity", "priority"), [("critical", 2), ("warning", 1), ("ok", 0), ("info", -1)]
)
async def test_pushover_priority_follows_severity_with_emergency_retries(
    severity: str, priority: int, transport: Transport
) -> None:
    with ServiceReceiver("pushover") as rx:
        result = await deliver("pushover", rx, transport, BY_SEVERITY[severity])
        assert result.ok, rx.bad
        [request] = rx.requests
    body = request.body
    assert request.path == "/1/messages.json"
    assert (body["token"], body["user"]) == (PUSHOVER_TOKEN, PUSHOVER_USER)
    assert body["priority"] == priority and body["html"] == 1
    assert isinstance(body["timestamp"], int)
    if priority == 2:
        assert (body["retry"], body["expire"]) == (60, 3600)
    else:
        assert "retry" not in body and "expire" not in body


async def test_pushover_cuts_a_long_message_to_its_limit(transport: Transport) -> None:
    with ServiceReceiver("pushover") as rx:
        result = await deliver("pushover", rx, transport, notice(note="& " * 1000))
        assert result.ok, rx.bad
        assert len(rx.delivered[0]["message"]) <= 1024


@pytest.mark.parametrize(
    ("severity", "colour"),
    [("critical", "attention"), ("warning", "warning"), ("ok", "good"), ("info", "accent")],
)
async def test_teams_posts_an_adaptive_card_coloured_by_severity(
    severity: str, colour: str, transport: Transport
) -> None:
    with ServiceReceiver("teams") as rx:
        result = await deliver("teams", rx, transport, BY_SEVERITY[severity])
        assert result.ok and result.status == 202, rx.bad
        [request] = rx.requests
    assert request.path == TEAMS_PATH and request.query["sig"] == TEAMS_SIG
    [attachment] = request.body["attachments"]
    assert attachment["contentUrl"] is None
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    title, body, facts = card["body"]
    assert (title["weight"], title["size"], title["color"]) == ("bolder", "medium", colour)
    assert body["wrap"] is True
    assert {"title": "UPS", "value": r"<b>\*Rack\_1\*</b> & co"} in facts["facts"]


async def test_matrix_puts_an_html_message_under_the_rendered_txn_id(
    transport: Transport,
) -> None:
    channel = KINDS["matrix"]
    with ServiceReceiver("matrix") as rx:
        config = channel.validate(config_for("matrix", rx), admin(transport.settings))
        payload = channel.payload(notice())
        result = await channel.send(payload, config, transport)
        assert result.ok, rx.bad
        [request] = rx.requests
    txn = payload["txn_id"]
    assert request.method == "PUT"
    # `!` and `:` may stand unescaped in a path segment (the HTTP client writes them so).
    assert unquote(request.path) == (
        f"/_matrix/client/v3/rooms/{MATRIX_ROOM}/send/m.room.message/{txn}"
    )
    assert request.headers["authorization"] == f"Bearer {MATRIX_TOKEN}"
    body = request.body
    assert "txn_id" not in body and body["msgtype"] == "m.text"
    assert body["format"] == "org.matrix.custom.html"
    assert f"{NAME} is now running on battery power." in body["body"]
    assert "<b>" not in body["body"].replace(NAME, "")


async def test_matrix_retry_reuses_the_txn_id_so_the_server_deduplicates(
    transport: Transport,
) -> None:
    channel = KINDS["matrix"]
    with ServiceReceiver("matrix") as rx:
        config = channel.validate(config_for("matrix", rx), admin(transport.settings))
        payload = channel.payload(notice())
        rx.script("500")
        failed = await channel.send(payload, config, transport)
        assert not failed.ok and not failed.permanent
        assert (await channel.send(payload, config, transport)).ok
        assert (await channel.send(payload, config, transport)).ok  # a lost answer, resent
        paths = {r.path for r in rx.requests}
        assert [r.behaviour for r in rx.requests] == ["500", "ok", "duplicate"]
    assert len(paths) == 1 and paths.pop().endswith(payload["txn_id"])


async def test_matrix_resolves_an_alias_before_sending(transport: Transport) -> None:
    with ServiceReceiver("matrix") as rx:
        result = await deliver("matrix", rx, transport, room=MATRIX_ALIAS)
        assert result.ok, rx.bad
        lookup, sent = rx.requests
    assert lookup.method == "GET"
    assert lookup.path == f"/_matrix/client/v3/directory/room/{quote(MATRIX_ALIAS, safe='!:')}"
    assert unquote(sent.path).startswith(f"/_matrix/client/v3/rooms/{MATRIX_ROOM}/send/")


async def test_matrix_unknown_alias_and_unjoined_room_are_permanent(
    transport: Transport,
) -> None:
    with ServiceReceiver("matrix") as rx:
        missing = await deliver("matrix", rx, transport, room="#nope:example.org")
        assert missing.permanent and missing.error == (
            "HTTP 404: M_NOT_FOUND: Room alias #nope:example.org not found"
        )
        outside = await deliver("matrix", rx, transport, room="!other:example.org")
        assert outside.permanent and outside.status == 403
        assert outside.error and outside.error.startswith("HTTP 403: M_FORBIDDEN: ")


async def test_webhook_posts_the_default_document(transport: Transport) -> None:
    n = notice()
    with ServiceReceiver("webhook") as rx:
        assert (await deliver("webhook", rx, transport, n)).ok
        [request] = rx.requests
    assert (request.method, request.path) == ("POST", WEBHOOK_PATH)
    body = request.body
    assert set(body) == {
        "event", "kind", "severity", "title", "message", "ups", "status", "previous_status",
        "charge", "runtime_seconds", "load", "time", "drill",
    }  # fmt: skip
    assert (body["event"], body["kind"], body["severity"]) == (
        "powerpulse.on_battery",
        "on_battery",
        "warning",
    )
    assert (body["ups"], body["charge"], body["runtime_seconds"], body["drill"]) == (
        NAME,
        90,
        1200,
        False,
    )
    assert body["time"].endswith("Z")


async def test_webhook_uses_its_method_headers_and_json_template(transport: Transport) -> None:
    template = (
        '{"text": {{ title }}, "ups": {{ ups }}, "charge": {{ charge_value }}, '
        '"drill": {{ drill }}, "missing": {{ nothing_by_that_name }}, "fixed": "literal"}'
    )
    name = 'Rack "A" \\ {{ 1 }} <1>'
    with ServiceReceiver("webhook") as rx:
        rx.required_headers = {"Authorization": "Bearer hook-secret"}
        result = await deliver(
            "webhook",
            rx,
            transport,
            notice(name=name),
            method="PUT",
            headers={"Authorization": "Bearer hook-secret"},
            body=template,
        )
        assert result.ok, rx.requests
        [request] = rx.requests
    assert request.method == "PUT"
    assert request.body == {
        "text": "⚡ UPS On Battery",
        "ups": name,
        "charge": 90,
        "drill": False,
        "missing": None,
        "fixed": "literal",
    }


async def test_webhook_without_the_receivers_header_is_refused(transport: Transport) -> None:
    with ServiceReceiver("webhook") as rx:
        rx.required_headers = {"Authorization": "Bearer hook-secret"}
        result = await deliver("webhook", rx, transport)
    assert result.permanent and result.error == "HTTP 401: invalid token"


async def test_webhook_template_failing_for_one_notice_sends_the_default(
    transport: Transport,
) -> None:
    # Fine for the sample notice (it has a charge); fails for one without: None + 1.
    with ServiceReceiver("webhook") as rx:
        no_charge = Notice("comm_lost", "UPS", "Unknown", "Online", utcnow())
        result = await deliver(
            "webhook", rx, transport, no_charge, body='{"next": {{ charge_value + 1 }}}'
        )
        assert result.ok
        assert rx.delivered[0]["event"] == "powerpulse.comm_lost"


# --- delivery: failures ------------------------------------------------------------------------

UNAUTHORISED = {
    "ntfy": "HTTP 401: unauthorized",
    "telegram": "HTTP 401: Unauthorized",
    "gotify": "HTTP 401: Unauthorized: you need to provide a valid access token or user "
    "credentials to access this api",
    "pushover": "HTTP 400: application token is invalid",
    "teams": "HTTP 401: DirectApiAuthorizationRequired: The request must be authenticated "
    "only by Shared Access scheme.",
    "matrix": "HTTP 401: M_UNKNOWN_TOKEN: Invalid access token passed.",
    "webhook": "HTTP 401: invalid token",
}
# Each credential, wrong: the receiver refuses it like the service does.
WRONG_SECRET = {
    "ntfy": {"token": "tk_wrong"},
    "telegram": {"token": "123456789:AAwrongwrongwrongwrongwrongwrong"},
    "gotify": {"token": "wrong"},
    "pushover": {"token": "b" * 30},
    "teams": {"sig": "wrong"},
    "matrix": {"token": "syt_wrong"},
}


@pytest.mark.parametrize("kind", HTTP_KINDS)
async def test_rate_limit_is_retried_after_the_services_delay(
    kind: str, transport: Transport
) -> None:
    with ServiceReceiver(kind) as rx:
        rx.script("429:3")
        result = await deliver(kind, rx, transport)
        assert rx.bad == []
    assert (result.ok, result.permanent, result.status) == (False, False, 429)
    assert result.retry_after == 3.0


@pytest.mark.parametrize("kind", HTTP_KINDS)
async def test_refused_credentials_are_permanent_with_the_services_words(
    kind: str, transport: Transport
) -> None:
    with ServiceReceiver(kind) as rx:
        rx.script("401")
        result = await deliver(kind, rx, transport)
        assert rx.bad == []
    assert not result.ok and result.permanent
    assert result.error == UNAUTHORISED[kind]


@pytest.mark.parametrize("kind", list(WRONG_SECRET))
async def test_a_wrong_credential_is_refused_by_the_service(
    kind: str, transport: Transport
) -> None:
    with ServiceReceiver(kind, ntfy_token=NTFY_TOKEN) as rx:
        changes = dict(WRONG_SECRET[kind])
        if kind == "teams":
            changes = {"url": rx.teams_url.replace(TEAMS_SIG, changes["sig"])}
        result = await deliver(kind, rx, transport, **changes)
        assert [r.behaviour for r in rx.requests] == ["unauthorized"]
    assert result.permanent and result.error == UNAUTHORISED[kind]


@pytest.mark.parametrize("kind", HTTP_KINDS)
async def test_a_server_error_is_retried(kind: str, transport: Transport) -> None:
    with ServiceReceiver(kind) as rx:
        rx.script("500")
        failed = await deliver(kind, rx, transport)
        recovered = await deliver(kind, rx, transport)
        assert rx.bad == []
    assert (failed.ok, failed.permanent, failed.status) == (False, False, 500)
    assert failed.retry_after is None and "Internal Server Error" in (failed.error or "")
    assert recovered.ok


@pytest.mark.parametrize("kind", HTTP_KINDS)
async def test_connection_refused_is_retried_and_names_no_url(
    kind: str, transport: Transport
) -> None:
    rx = receiver_for(kind)  # never started: nothing listens on its port
    result = await deliver(kind, rx, transport)
    assert not result.ok and not result.permanent
    assert result.error and result.error.startswith("connection failed")
    config = config_for(kind, rx)
    # (asyncio's own words may name the address, "('127.0.0.1', port)", never the URL)
    for leak in ("://", rx.base_url, WEBHOOK_PATH, TEAMS_PATH, *secrets_of(kind, config)):
        assert leak not in result.error


async def test_a_hanging_service_times_out_as_retryable(settings: Settings) -> None:
    async with aiohttp.ClientSession() as session:
        quick = Transport(session, settings, timeout=0.5)
        with ServiceReceiver("gotify") as rx:
            rx.script("hang")
            result = await deliver("gotify", rx, quick)
    assert not result.permanent and result.error == "timed out after 0.5 s"


# --- Apprise -----------------------------------------------------------------------------------


async def test_apprise_delivers_a_json_document(transport: Transport) -> None:
    with ServiceReceiver("json") as rx:
        result = await deliver("apprise", rx, transport, BY_SEVERITY["critical"])
        assert result.ok, rx.requests
        [request] = rx.requests
    assert (request.method, request.path) == ("POST", WEBHOOK_PATH)
    body = request.body
    assert body["type"] == "failure" and body["title"] == "🔋 UPS Low Battery Warning"
    assert f"UPS: {NAME}" in body["message"]


@pytest.mark.parametrize(
    ("severity", "apprise_type"),
    [("critical", "failure"), ("warning", "warning"), ("ok", "success"), ("info", "info")],
)
async def test_apprise_notify_type_follows_severity(
    severity: str, apprise_type: str, transport: Transport
) -> None:
    with ServiceReceiver("json") as rx:
        assert (await deliver("apprise", rx, transport, BY_SEVERITY[severity])).ok
        assert rx.delivered[0]["type"] == apprise_type


async def test_apprise_delivers_to_an_http_ntfy_server(transport: Transport) -> None:
    # Apprise: `ntfy://host/topic` is plain http to a self-hosted server, `ntfys://` https.
    with ServiceReceiver("ntfy") as rx:
        url = f"ntfy://127.0.0.1:{rx.port}/{TOPIC}"
        result = await deliver("apprise", rx, transport, url=url)
        assert result.ok, rx.requests
        [request] = rx.requests
    assert (request.method, request.path) == ("POST", "/")
    assert request.body["topic"] == TOPIC
    assert request.body["title"] == "⚡ UPS On Battery"
    assert NAME in request.body["message"]


async def test_apprise_failure_is_retried_with_its_warning_and_no_url(
    transport: Transport,
) -> None:
    with ServiceReceiver("json") as rx:
        rx.script("500")
        result = await deliver("apprise", rx, transport)
    assert not result.ok and not result.permanent
    assert result.error and "error=500" in result.error
    assert "127.0.0.1" not in result.error and str(rx.port) not in result.error


async def test_apprise_connection_failure_names_no_host(transport: Transport) -> None:
    rx = ServiceReceiver("json")  # never started
    result = await deliver("apprise", rx, transport)
    assert not result.ok and not result.permanent
    assert result.error and "Connection error" in result.error
    assert "127.0.0.1" not in result.error


async def test_apprise_ntfy_failure_reason_hides_the_topic(transport: Transport) -> None:
    with ServiceReceiver("ntfy") as rx:
        rx.script("401")
        result = await deliver("apprise", rx, transport, url=f"ntfy://127.0.0.1:{rx.port}/{TOPIC}")
    assert not result.ok and result.error and "unauthorized" in result.error
    assert TOPIC not in result.error


async def test_apprise_url_it_no_longer_understands_is_permanent(transport: Transport) -> None:
    channel = KINDS["apprise"]
    result = await channel.send(channel.payload(notice()), {"url": "nonsense"}, transport)
    assert result.permanent and result.error == "URL is not an Apprise URL Apprise understands"
