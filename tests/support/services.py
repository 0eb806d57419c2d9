"""A real HTTP server (aiohttp on 127.0.0.1) that behaves like one notification service.

`ServiceReceiver(service)` checks each request the way the service documents it (method, path,
credentials, required JSON keys and their types) and answers like the service: its success
body, and its own error shapes for scripted failures. A request that does not match the
documentation is answered 400 with the reason and recorded with behaviour "bad", so a test sees
exactly what was wrong. Like `receivers.WebhookReceiver`, it runs its own loop in a thread.

    with ServiceReceiver("telegram") as telegram:
        telegram.script("429:3", "500", "401")   # the next three well-formed requests
        ...
        telegram.wait_delivered(1)

Services: ntfy, telegram, gotify, pushover, teams, matrix, webhook (any JSON), json (Apprise's
`json://` document). Behaviours: "ok", "401" (the service's way of refusing credentials),
"500", "429:<seconds>" (the service's way of saying how long to wait), "hang".
"""

from __future__ import annotations

import asyncio
import html.parser
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote

from aiohttp import web

from tests.support.nut_server import free_port

SERVICES = ("ntfy", "telegram", "gotify", "pushover", "teams", "matrix", "webhook", "json")

NTFY_TOKEN = "tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2"
TELEGRAM_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
GOTIFY_TOKEN = "AMhyHRSSi0b.Gotify"
PUSHOVER_TOKEN = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"
PUSHOVER_USER = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"
MATRIX_TOKEN = "syt_cG93ZXJwdWxzZQ_sEcReTtOkEn_1a2B3c"
MATRIX_ROOM = "!aBcDeFgHiJ:example.org"
MATRIX_ALIAS = "#ups-alerts:example.org"
TEAMS_SIG = "fN8dX3k2LsQp0WvYz9TgHjKmNbVcXaS1"
TEAMS_PATH = "/workflows/6d2a1c/triggers/manual/paths/invoke"
WEBHOOK_PATH = "/hooks/ups"

NTFY_TOPIC = re.compile(r"^[-_A-Za-z0-9]{1,64}$")
NTFY_KEYS = {
    "topic", "message", "title", "tags", "priority", "actions", "click", "attach", "markdown",
    "icon", "filename", "delay", "email", "call",
}  # fmt: skip
PUSHOVER_KEY = re.compile(r"^[A-Za-z0-9]{30}$")
# Telegram's HTML parse mode: these tags and no others (an unknown one is a 400).
TELEGRAM_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "blockquote", "tg-spoiler", "tg-emoji", "span",
}  # fmt: skip
CARD_COLOURS = {"default", "dark", "light", "accent", "good", "warning", "attention"}
CARD_WEIGHTS = {"default", "lighter", "bolder"}
CARD_SIZES = {"default", "small", "medium", "large", "extraLarge"}
APPRISE_TYPES = {"info", "success", "warning", "failure"}
CONTENT_TYPES = ("application/json", "application/x-www-form-urlencoded")  # Pushover takes both


class Bad(Exception):
    """The request does not match the service's documentation."""


@dataclass
class Received:
    method: str
    path: str  # as sent, percent-encoding kept (Matrix puts ids in path segments)
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    behaviour: str
    reason: str = ""
    at: float = field(default_factory=time.time)


@dataclass
class Answer:
    status: int
    body: Any = None  # JSON unless a str
    headers: dict[str, str] = field(default_factory=dict)

    def response(self) -> web.StreamResponse:
        if self.body is None:
            return web.Response(status=self.status, headers=self.headers)
        if isinstance(self.body, str):
            return web.Response(status=self.status, text=self.body, headers=self.headers)
        return web.json_response(self.body, status=self.status, headers=self.headers)


def _need(condition: bool, reason: str) -> None:
    if not condition:
        raise Bad(reason)


def _typed(body: Mapping[str, Any], key: str, kind: Any, *, required: bool = True) -> Any:
    if key not in body:
        _need(not required, f"missing {key!r}")
        return None
    value = body[key]
    ok = isinstance(value, kind) and not (isinstance(value, bool) and kind is not bool)
    _need(ok, f"{key!r} must be {getattr(kind, '__name__', kind)}, not {type(value).__name__}")
    return value


class _TelegramHtml(html.parser.HTMLParser):
    """Telegram's HTML parse mode, as strict as the real one on tags and nesting."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        _need(tag in TELEGRAM_TAGS, f'can\'t parse entities: Unsupported start tag "{tag}"')
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        _need(bool(self.open) and self.open[-1] == tag, f"can't parse entities: bad </{tag}>")
        self.open.pop()

    def check(self, text: str) -> None:
        _need(
            "&" not in re.sub(r"&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);", "", text),
            "can't parse entities: unescaped &",
        )
        self.feed(text)
        self.close()
        _need(
            not self.open, f"can't parse entities: unclosed <{self.open[-1] if self.open else ''}>"
        )


class ServiceReceiver:
    def __init__(self, service: str, *, ntfy_token: str | None = None) -> None:
        assert service in SERVICES, service
        self.service = service
        self.port = free_port()
        # ntfy topics are open unless protected: only then is a token required.
        self.ntfy_token = ntfy_token
        # A webhook receiver may want headers (an Authorization); checked like credentials.
        self.required_headers: dict[str, str] = {}
        self.matrix_rooms = {MATRIX_ROOM}
        self.matrix_aliases = {MATRIX_ALIAS: MATRIX_ROOM}
        self.matrix_events: dict[str, str] = {}  # txn id → event id (de-duplication)
        self.requests: list[Received] = []
        self._script: deque[str] = deque()
        self._cond = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._release: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None

    # --- control (any thread) ---------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def teams_url(self) -> str:
        return (
            f"{self.base_url}{TEAMS_PATH}?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun"
            f"&sv=1.0&sig={TEAMS_SIG}"
        )

    def script(self, *behaviours: str) -> None:
        """Queue answers for the next well-formed requests ("bad" ones do not use one)."""
        with self._cond:
            self._script.extend(behaviours)

    @property
    def delivered(self) -> list[Any]:
        """Bodies of the requests answered with success, in arrival order."""
        with self._cond:
            return [r.body for r in self.requests if r.behaviour == "ok"]

    @property
    def bad(self) -> list[Received]:
        with self._cond:
            return [r for r in self.requests if r.behaviour == "bad"]

    def wait_requests(self, count: int, timeout: float = 10.0) -> list[Received]:
        return self._wait(lambda: len(self.requests) >= count, timeout, f"{count} requests")

    def wait_delivered(self, count: int, timeout: float = 10.0) -> list[Any]:
        self._wait(lambda: len(self.delivered) >= count, timeout, f"{count} deliveries")
        return self.delivered

    async def await_requests(self, count: int, timeout: float = 10.0) -> list[Received]:
        return await asyncio.to_thread(self.wait_requests, count, timeout)

    async def await_delivered(self, count: int, timeout: float = 10.0) -> list[Any]:
        return await asyncio.to_thread(self.wait_delivered, count, timeout)

    def _wait(self, ready: Callable[[], bool], timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not ready():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"{self.service} receiver: timed out waiting for {what}; got "
                        f"{[(r.behaviour, r.method, r.path, r.reason) for r in self.requests]}"
                    )
                self._cond.wait(left)
            return list(self.requests)

    # --- each service's documented request --------------------------------------------------

    def _check(self, method: str, path: str, query: Mapping[str, str], body: Any) -> None:
        """Raise Bad unless the request is what the service documents."""
        if self.service == "matrix" and method == "GET":
            _need(
                bool(re.fullmatch(r"/_matrix/client/v3/directory/room/[^/]+", path)),
                f"no such endpoint: GET {path}",
            )
            return
        expected = {"webhook": ("POST", "PUT", "PATCH"), "matrix": ("PUT",)}
        _need(method in expected.get(self.service, ("POST",)), f"method {method} not allowed")
        _need(isinstance(body, dict), "the body must be a JSON object")
        getattr(self, f"_check_{self.service}")(path, query, body)

    def _check_ntfy(self, path: str, query: Mapping[str, str], body: dict[str, Any]) -> None:
        _need(path == "/", f"JSON is published to the root URL, not {path}")
        _need(not set(body) - NTFY_KEYS, f"unknown keys {sorted(set(body) - NTFY_KEYS)}")
        _need(bool(NTFY_TOPIC.match(_typed(body, "topic", str))), "invalid topic")
        _typed(body, "message", str)
        _typed(body, "title", str, required=False)
        priority = _typed(body, "priority", int, required=False)
        _need(priority is None or 1 <= priority <= 5, "priority must be 1 to 5")
        tags = _typed(body, "tags", list, required=False) or []
        _need(all(isinstance(t, str) for t in tags), "tags must be strings")
        _typed(body, "markdown", bool, required=False)

    def _check_telegram(self, path: str, query: Mapping[str, str], body: dict[str, Any]) -> None:
        _need(bool(re.fullmatch(r"/bot[^/]+/sendMessage", path)), f"Not Found: {path}")
        _typed(body, "chat_id", (int, str))
        text = _typed(body, "text", str)
        _need(0 < len(text) <= 4096, "message is too long" if text else "message text is empty")
        mode = _typed(body, "parse_mode", str, required=False)
        _need(mode in (None, "HTML", "MarkdownV2", "Markdown"), "unsupported parse_mode")
        _typed(body, "disable_web_page_preview", bool, required=False)
        if mode == "HTML":
            _TelegramHtml().check(text)

    def _check_gotify(self, path: str, query: Mapping[str, str], body: dict[str, Any]) -> None:
        _need(path == "/message", f"no such endpoint: {path}")
        _need(bool(_typed(body, "message", str)), "Field 'message' is required")
        _typed(body, "title", str, required=False)
        _typed(body, "priority", int, required=False)
        extras = _typed(body, "extras", dict, required=False) or {}
        _need(all(re.fullmatch(r"[^:]+::[^:]+", k) for k in extras), "extras keys are a::b")

    def _check_pushover(self, path: str, query: Mapping[str, str], body: dict[str, Any]) -> None:
        _need(path == "/1/messages.json", f"no such endpoint: {path}")
        for key in ("token", "user"):
            _need(bool(PUSHOVER_KEY.match(str(_typed(body, key, str)))), f"{key} is invalid")
        message = _typed(body, "message", str)
        _need(0 < len(message) <= 1024, "message cannot be blank or over 1024 characters")
        _need(len(_typed(body, "title", str, required=False) or "") <= 250, "title is too long")
        _need(body.get("html", 0) in (0, 1, "0", "1"), "html must be 0 or 1")
        priority = int(body.get("priority", 0))
        _need(-2 <= priority <= 2, "priority must be -2 to 2")
        if priority == 2:
            retry, expire = body.get("retry"), body.get("expire")
            _need(isinstance(retry, int) and retry >= 30, "retry must be supplied with priority=2")
            _need(
                isinstance(expire, int) and 0 < expire <= 10800,
                "expire must be supplied with priority=2",
            )
        _typed(body, "timestamp", int, required=False)

    def _check_teams(self, path: str, query: Mapping[str, str], body: dict[str, Any]) -> None:
        _need(
            bool(re.fullmatch(r"/workflows/[^/]+/triggers/manual/paths/invoke", path)),
            f"no such workflow trigger: {path}",
        )
        _need(body.get("type") == "message", "type must be 'message'")
        attachments = _typed(body, "attachments", list)
        _need(bool(attachments), "attachments must not be empty")
        for attachment in attachments:
            _need(
                attachment.get("contentType") == "application/vnd.microsoft.card.adaptive",
                "each attachment must be an Adaptive Card",
            )
            content = _typed(attachment, "content", dict)
            _need(content.get("type") == "AdaptiveCard", "content.type must be AdaptiveCard")
            _typed(content, "version", str)
            for element in _typed(content, "body", list):
                self._check_card_element(element)

    @staticmethod
    def _check_card_element(element: Any) -> None:
        _need(isinstance(element, dict), "card elements are objects")
        kind = element.get("type")
        if kind == "TextBlock":
            _typed(element, "text", str)
            _need(element.get("color", "default") in CARD_COLOURS, "unknown TextBlock color")
            _need(element.get("weight", "default") in CARD_WEIGHTS, "unknown TextBlock weight")
            _need(element.get("size", "default") in CARD_SIZES, "unknown TextBlock size")
        elif kind == "FactSet":
            for fact in _typed(element, "facts", list):
                _need(isinstance(fact, dict), "facts are objects")
                _typed(fact, "title", str)
                _typed(fact, "value", str)
        else:
            raise Bad(f"unexpected card element {kind!r}")

    def _check_matrix(self, path: str, query: Mapping[str, str], body: dict[str, Any]) -> None:
        match = re.fullmatch(r"/_matrix/client/v3/rooms/([^/]+)/send/([^/]+)/([^/]+)", path)
        _need(match is not None, f"no such endpoint: PUT {path}")
        assert match is not None
        _need(unquote(match[1]).startswith("!"), "M_INVALID_PARAM: a room id, not an alias")
        _need(unquote(match[2]) == "m.room.message", "expected an m.room.message event")
        _typed(body, "msgtype", str)
        _typed(body, "body", str)
        if "format" in body:
            _need(body["format"] == "org.matrix.custom.html", "unknown format")
            _typed(body, "formatted_body", str)

    def _check_webhook(self, path: str, query: Mapping[str, str], body: dict[str, Any]) -> None:
        _need(path == WEBHOOK_PATH, f"no such hook: {path}")

    def _check_json(self, path: str, query: Mapping[str, str], body: dict[str, Any]) -> None:
        for key in ("version", "title", "message"):
            _typed(body, key, str)
        _need(body.get("type") in APPRISE_TYPES, f"unknown type {body.get('type')!r}")

    # --- each service's answers -------------------------------------------------------------

    def _credentials_ok(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        body: dict[str, Any],
    ) -> bool:
        s = self.service
        if s == "ntfy":
            return self.ntfy_token is None or headers.get("authorization") == (
                f"Bearer {self.ntfy_token}"
            )
        if s == "telegram":
            return path == f"/bot{TELEGRAM_TOKEN}/sendMessage"
        if s == "gotify":
            return GOTIFY_TOKEN in (headers.get("x-gotify-key"), query.get("token"))
        if s == "pushover":
            return body.get("token") == PUSHOVER_TOKEN and body.get("user") == PUSHOVER_USER
        if s == "teams":
            return query.get("sig") == TEAMS_SIG
        if s == "matrix":
            return headers.get("authorization") == f"Bearer {MATRIX_TOKEN}"
        return all(headers.get(k.lower()) == v for k, v in self.required_headers.items())

    def _error(self, status: int, message: str, *, code: str = "") -> Answer:
        """An error in the service's own shape."""
        s = self.service
        if s == "ntfy":
            return Answer(
                status,
                {
                    "code": status * 100 + 1,
                    "http": status,
                    "error": message,
                    "link": "https://ntfy.sh/docs/publish/",
                },
            )
        if s == "telegram":
            return Answer(status, {"ok": False, "error_code": status, "description": message})
        if s == "gotify":
            phrase = HTTPStatus(status).phrase
            return Answer(
                status, {"error": phrase, "errorCode": status, "errorDescription": message}
            )
        if s == "pushover":
            return Answer(status, {"errors": [message], "status": 0, "request": str(uuid.uuid4())})
        if s == "teams":
            return Answer(status, {"error": {"code": code or "InternalError", "message": message}})
        if s == "matrix":
            return Answer(status, {"errcode": code or "M_UNKNOWN", "error": message})
        return Answer(status, message)

    def _unauthorised(self) -> Answer:
        s = self.service
        if s == "ntfy":
            return self._error(401, "unauthorized")
        if s == "telegram":
            return self._error(401, "Unauthorized")
        if s == "gotify":
            return self._error(
                401,
                "you need to provide a valid access token or user credentials to access this api",
            )
        if s == "pushover":  # Pushover refuses a bad token with 400, not 401
            return self._error(400, "application token is invalid")
        if s == "teams":
            return self._error(
                401,
                "The request must be authenticated only by Shared Access scheme.",
                code="DirectApiAuthorizationRequired",
            )
        if s == "matrix":
            return self._error(401, "Invalid access token passed.", code="M_UNKNOWN_TOKEN")
        return self._error(401, "invalid token")

    def _rate_limited(self, seconds: float) -> Answer:
        s = self.service
        if s == "telegram":
            answer = self._error(429, f"Too Many Requests: retry after {seconds:g}")
            answer.body["parameters"] = {"retry_after": seconds}
            return answer
        if s == "matrix":
            answer = self._error(429, "Too Many Requests", code="M_LIMIT_EXCEEDED")
            answer.body["retry_after_ms"] = int(seconds * 1000)
            return answer
        message = {
            "ntfy": "limit reached: too many requests",
            "pushover": "application is over its monthly message quota",
        }
        answer = self._error(429, message.get(s, "Too Many Requests"), code="WorkflowThrottled")
        answer.headers["Retry-After"] = f"{seconds:g}"
        return answer

    def _success(self, method: str, path: str, body: dict[str, Any]) -> Answer:
        s = self.service
        now = int(time.time())
        if s == "ntfy":
            return Answer(
                200, {"id": uuid.uuid4().hex[:12], "time": now, "event": "message", **body}
            )
        if s == "telegram":
            message = {
                "message_id": len(self.delivered) + 1,
                "date": now,
                "chat": {"id": body["chat_id"]},
                "text": body["text"],
            }
            return Answer(200, {"ok": True, "result": message})
        if s == "gotify":
            return Answer(200, {"id": len(self.delivered) + 1, "appid": 1, **body})
        if s == "pushover":
            answer: dict[str, Any] = {"status": 1, "request": str(uuid.uuid4())}
            if int(body.get("priority", 0)) == 2:
                answer["receipt"] = uuid.uuid4().hex[:30]
            return Answer(200, answer)
        if s == "teams":
            return Answer(202)
        if s == "matrix":
            return Answer(200, {"event_id": self.matrix_events[path.rsplit("/", 1)[1]]})
        return Answer(200, "ok")

    def _matrix_answer(self, method: str, path: str) -> tuple[str, Answer] | None:
        """Matrix's own logic: alias lookups, rooms the bot is not in, repeated txn ids."""
        if method == "GET":
            alias = unquote(path.rsplit("/", 1)[1])
            if alias in self.matrix_aliases:
                return "lookup", Answer(
                    200, {"room_id": self.matrix_aliases[alias], "servers": ["example.org"]}
                )
            return "lookup", self._error(404, f"Room alias {alias} not found", code="M_NOT_FOUND")
        segments = path.split("/")
        room, txn = unquote(segments[5]), unquote(segments[-1])
        if room not in self.matrix_rooms:
            message = f"User @bot:example.org not in room {room}"
            return "forbidden", self._error(403, message, code="M_FORBIDDEN")
        if txn in self.matrix_events:
            return "duplicate", Answer(200, {"event_id": self.matrix_events[txn]})
        self.matrix_events[txn] = f"${uuid.uuid4().hex}"
        return None

    # --- server (its own loop) --------------------------------------------------------------

    async def _read(self, request: web.Request) -> Any:
        raw = await request.read()
        if request.content_type == "application/x-www-form-urlencoded":
            return dict(parse_qsl(raw.decode("utf-8", "replace")))
        try:
            return await request.json() if raw else None
        except ValueError:
            return raw.decode("utf-8", "replace")

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await self._read(request)
        path = request.raw_path.split("?", 1)[0]
        query = dict(request.query)
        headers = {k.lower(): v for k, v in request.headers.items()}
        record = Received(request.method, path, query, headers, body, "ok")
        try:
            if request.method != "GET" and request.content_type not in CONTENT_TYPES:
                raise Bad(f"unexpected Content-Type {request.content_type!r}")
            self._check(request.method, path, query, body)
        except Bad as err:
            record.behaviour, record.reason = "bad", str(err)
            code = "M_BAD_JSON" if self.service == "matrix" else "InvalidRequestContent"
            answer = self._error(400, f"Bad Request: {err}", code=code)
        else:
            answer = self._answer(record)
        with self._cond:
            self.requests.append(record)
            self._cond.notify_all()
        if record.behaviour == "hang":
            assert self._release is not None
            await self._release.wait()
            return web.Response(status=503)
        return answer.response()

    def _answer(self, record: Received) -> Answer:
        with self._cond:
            behaviour = self._script.popleft() if self._script else "ok"
        record.behaviour = behaviour
        if behaviour == "hang":
            return Answer(503)
        if behaviour.startswith("429"):
            return self._rate_limited(float(behaviour.partition(":")[2] or "1"))
        if behaviour == "500":
            return self._error(500, "Internal Server Error")
        body = record.body if isinstance(record.body, dict) else {}
        creds = self._credentials_ok(record.method, record.path, record.query, record.headers, body)
        if behaviour == "401" or not creds:
            record.behaviour = "unauthorized"
            return self._unauthorised()
        if self.service == "matrix" and (
            special := self._matrix_answer(record.method, record.path)
        ):
            record.behaviour, answer = special
            return answer
        return self._success(record.method, record.path, body)

    async def _serve(self) -> None:
        self._release = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    def start(self) -> ServiceReceiver:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(10)
        return self

    def stop(self) -> None:
        if self._loop is None:
            return

        async def shutdown() -> None:
            assert self._release is not None and self._runner is not None
            self._release.set()
            await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        assert self._thread is not None
        self._thread.join(5)
        self._loop.close()
        self._loop = None

    def __enter__(self) -> ServiceReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
