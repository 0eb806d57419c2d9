"""The http action against a real local HTTP server (aiohttp in its own thread)."""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp import web

from powerpulse.secret_box import SecretBox
from powerpulse.shutdown.actions.base import ActionContext, ActionError
from powerpulse.shutdown.actions.http import TYPE
from powerpulse.shutdown.plan import PlanError, parse_plan, plan_json
from tests.support.nut_server import free_port
from tests.support.smtp import make_certificate

Ctx = Callable[..., ActionContext]
TOKEN = "PVEAPIToken=root@pam!pp=1f2e3d4c-secret-token"


@dataclass
class Seen:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: str


class Receiver:
    """Records every request; answers `status` with `reply`, or redirects on /redirect."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.tls = tls
        self.port = free_port()
        self.seen: list[Seen] = []
        self.status = 200
        self.reply = '{"data": "UPID:pve1:0001"}'
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._runner: web.AppRunner | None = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.text()
        self.seen.append(
            Seen(
                request.method,
                request.path,
                request.rel_url.raw_query_string,
                dict(request.headers),
                body,
            )
        )
        if request.path == "/redirect":
            raise web.HTTPFound(f"http://127.0.0.1:{self.port}/elsewhere")
        return web.Response(status=self.status, text=self.reply)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, ssl_context=self.tls)
        self._loop.run_until_complete(site.start())
        self._ready.set()
        self._loop.run_forever()

    def __enter__(self) -> Receiver:
        self._thread.start()
        assert self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._runner is not None
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as server:
        yield server


def sealed_headers(box: SecretBox, headers: dict[str, str]) -> str:
    return box.seal(orjson.dumps(headers).decode())  # as plan.py seals an object secret


async def test_a_request_carries_method_headers_and_the_filled_in_body(
    receiver: Receiver, secrets_box: SecretBox, action_ctx: Ctx
) -> None:
    params = TYPE.parse(
        {
            "method": "post",
            "url": f"http://127.0.0.1:{receiver.port}/api2/json/nodes/pve1/stopall?plan={{plan}}",
            "headers": sealed_headers(secrets_box, {"Authorization": TOKEN}),
            "body": '{"reason": "{reason}", "plan": "{plan}", "keep": "{unknown}"}',
        }
    )
    reason = 'ups1 "rack" on battery\\'  # quotes and a backslash stay inside the string
    ctx = action_ctx(variables={"plan": "Rack A", "reason": reason, "run": "7"})
    outcome = await TYPE.run(params, ctx)
    assert outcome.ok, outcome.error
    assert outcome.output == 'HTTP 200 OK\n{"data": "UPID:pve1:0001"}'
    (seen,) = receiver.seen
    assert seen.method == "POST" and seen.path == "/api2/json/nodes/pve1/stopall"
    assert seen.query == "plan=Rack%20A"  # a template value in the url is URL-quoted
    assert seen.headers["Authorization"] == TOKEN
    assert seen.headers["Content-Type"] == "application/json"
    assert orjson.loads(seen.body) == {
        "reason": reason,
        "plan": "Rack A",
        "keep": "{unknown}",
    }
    assert TYPE.describe(params) == (
        f"POST http://127.0.0.1:{receiver.port}/api2/json/nodes/pve1/stopall"
    )
    assert TOKEN not in outcome.output + TYPE.describe(params) + str(TYPE.destructive(params))


async def test_a_server_error_is_a_failure_with_the_status(
    receiver: Receiver, action_ctx: Ctx
) -> None:
    receiver.status, receiver.reply = 500, "pool is busy\n" + "x" * 10_000
    params = TYPE.parse({"method": "DELETE", "url": f"http://127.0.0.1:{receiver.port}/vm/101"})
    outcome = await TYPE.run(params, action_ctx())
    assert not outcome.ok
    assert outcome.error == "127.0.0.1 answered HTTP 500"
    assert outcome.output.startswith("HTTP 500 Internal Server Error\npool is busy")
    assert len(outcome.output) < 4200  # only the first few KB of the body
    assert receiver.seen[0].method == "DELETE" and receiver.seen[0].body == ""


async def test_redirects_are_not_followed(
    receiver: Receiver, secrets_box: SecretBox, action_ctx: Ctx
) -> None:
    params = TYPE.parse(
        {
            "url": f"http://127.0.0.1:{receiver.port}/redirect",
            "headers": sealed_headers(secrets_box, {"X-Token": "abc"}),
        }
    )
    outcome = await TYPE.run(params, action_ctx())
    assert not outcome.ok and outcome.error == "127.0.0.1 answered HTTP 302"
    assert [s.path for s in receiver.seen] == ["/redirect"]  # the token went nowhere else


async def test_nothing_listening_is_a_clear_error(action_ctx: Ctx) -> None:
    port = free_port()
    outcome = await TYPE.run(TYPE.parse({"url": f"http://127.0.0.1:{port}/x"}), action_ctx())
    assert not outcome.ok
    assert outcome.error == f"cannot connect to 127.0.0.1:{port}: Connection refused"


async def test_a_server_that_does_not_answer_times_out(action_ctx: Ctx) -> None:
    import socket

    with socket.socket() as listener:  # accepts (backlog) but never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)
        port = listener.getsockname()[1]
        params = TYPE.parse({"url": f"http://127.0.0.1:{port}/", "timeout_seconds": 1})
        outcome = await TYPE.run(params, action_ctx())
    assert not outcome.ok and outcome.error == "127.0.0.1 did not answer within 1 s"


async def test_a_self_signed_certificate_is_refused_unless_told(
    tmp_path: Path, action_ctx: Ctx
) -> None:
    cert, key = make_certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with Receiver(tls=context) as server:
        url = f"https://127.0.0.1:{server.port}/api/shutdown"
        checked = await TYPE.run(TYPE.parse({"url": url}), action_ctx())
        assert not checked.ok
        assert checked.error == (
            "the TLS certificate of 127.0.0.1 is not trusted (for a self-signed one, "
            "turn verify_tls off)"
        )
        assert server.seen == []  # nothing was sent to an unverified server
        trusting = await TYPE.run(TYPE.parse({"url": url, "verify_tls": False}), action_ctx())
        assert trusting.ok, trusting.error
        assert [s.path for s in server.seen] == ["/api/shutdown"]


def test_fields_are_checked() -> None:
    with pytest.raises(ActionError, match="http:// or https://"):
        TYPE.parse({"url": "ftp://nas/x"})
    with pytest.raises(ActionError, match="method must be one of"):
        TYPE.parse({"url": "http://nas/x", "method": "TRACE"})
    with pytest.raises(ActionError, match="verify_tls must be true or false"):
        TYPE.parse({"url": "http://nas/x", "verify_tls": "no"})
    with pytest.raises(ActionError) as err:
        TYPE.check_secret("headers", {"Authorization": "Bearer s3cr3t\r\nX-Evil: 1"})
    assert "s3cr3t" not in err.value.message and "Authorization" in err.value.message
    with pytest.raises(ActionError, match="object"):
        TYPE.check_secret("headers", ["Authorization", "x"])
    params = TYPE.parse({"url": "https://admin:pw@pve:8006/api2/json/x?token=abc#f"})
    assert TYPE.describe(params) == "POST https://pve:8006/api2/json/x"
    assert TYPE.destructive(params) == "sends POST to pve"


def test_the_plan_keeps_headers_sealed_and_masked(secrets_box: SecretBox) -> None:
    action = {
        "type": "http",
        "method": "POST",
        "url": "https://pve:8006/api2/json/nodes/pve1/stopall",
        "headers": {"Authorization": TOKEN},
        "body": "force=1",
    }
    raw = {
        "name": "p",
        "ups": [1],
        "triggers": {"low_battery": True},
        "phases": [{"actions": [action]}],
    }
    plan = parse_plan(raw, seal=secrets_box.seal)
    stored = plan_json(plan, masked=False)["phases"][0]["actions"][0]
    assert stored["headers"].startswith("enc:v1:") and TOKEN not in str(stored)
    assert orjson.loads(secrets_box.open(stored["headers"])) == {"Authorization": TOKEN}
    shown = plan_json(plan, masked=True)["phases"][0]["actions"][0]
    assert shown["headers"] == {"set": True}
    params = plan.phases[0].actions[0].params
    assert TYPE.parse(TYPE.to_json(params)) == params
    # An edit that sends {"set": true} keeps the stored headers.
    edited = dict(shown, body="force=0")
    again = parse_plan({**raw, "phases": [{"actions": [edited]}]}, plan, seal=secrets_box.seal)
    assert again.phases[0].actions[0].params.headers == params.headers
    bad: dict[str, Any] = {**action, "headers": {"Bad Name": "x"}}
    with pytest.raises(PlanError) as err:
        parse_plan({**raw, "phases": [{"actions": [bad]}]}, seal=secrets_box.seal)
    assert err.value.field == "phases[0].actions[0].headers"
