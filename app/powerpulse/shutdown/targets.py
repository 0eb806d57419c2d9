"""What a running action reaches outside itself: a UPS's NUT server from the database, the
installation's secret box, and the run's template values, bundled as an `ActionContext`."""

from __future__ import annotations

from collections.abc import Mapping

import orjson

from powerpulse.config import Settings
from powerpulse.db.models import NutServer, UpsSystem
from powerpulse.shutdown.actions.base import ActionContext, UpsTarget


async def ups_target(ups_id: int) -> UpsTarget | None:
    """The UPS `ups_id` and how to reach its NUT server, or None when either is gone."""
    ups = await UpsSystem.get_or_none(id=ups_id)
    if ups is None:
        return None
    server = await NutServer.get_or_none(id=ups.nut_server_id)  # type: ignore[attr-defined]
    if server is None:
        return None
    return UpsTarget(
        ups_id=ups.id,
        ups_name=ups.ups_name,
        host=server.host,
        port=server.port,
        username=server.username,
        password=server.password,
        starttls=server.starttls,
    )


HIDDEN = "•••"


class Scrubber:
    """Remembers every secret an action opened, so that its output and error can be stored and
    shown without them (a server that echoes its request headers, a verbose error)."""

    def __init__(self) -> None:
        self.opened: list[str] = []

    def note(self, plain: str) -> None:
        self.opened.append(plain)
        try:  # an object secret (HTTP headers): each value on its own, as a server echoes it
            values = orjson.loads(plain)
        except orjson.JSONDecodeError:
            return
        if isinstance(values, dict):
            self.opened.extend(v for v in values.values() if isinstance(v, str))

    def __call__(self, text: str | None) -> str | None:
        if not text:
            return text
        for secret in sorted(self.opened, key=len, reverse=True):
            if len(secret) >= 4:
                text = text.replace(secret, HIDDEN)
        return text


def action_context(
    settings: Settings,
    timeout: float,
    variables: Mapping[str, str],
    scrubber: Scrubber | None = None,
) -> ActionContext:
    """What an action runs with; every secret it opens is noted in `scrubber` when given."""
    open_secret = settings.secret_box().open

    def reveal(sealed: str) -> str:
        plain = open_secret(sealed)
        if scrubber is not None:
            scrubber.note(plain)
        return plain

    return ActionContext(reveal=reveal, ups=ups_target, timeout=timeout, variables=dict(variables))
