"""What a running action reaches outside itself: a UPS's NUT server from the database, the
installation's secret box, and the run's template values, bundled as an `ActionContext`."""

from __future__ import annotations

from collections.abc import Mapping

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


def action_context(
    settings: Settings, timeout: float, variables: Mapping[str, str]
) -> ActionContext:
    return ActionContext(
        reveal=settings.secret_box().open,
        ups=ups_target,
        timeout=timeout,
        variables=dict(variables),
    )
