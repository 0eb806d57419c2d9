"""`nut_command`: an instant command of a UPS through its upsd (e.g. `shutdown.return`, so the
UPS cuts its load after its delay and powers back on when mains return).

As in the UPS controls API, the command is sent only when the UPS lists it; upsd.users must give
the NUT server's user `instcmds` rights.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from powerpulse.nut import controls
from powerpulse.nut.client import NutClient
from powerpulse.nut.errors import NutCmdNotSupported
from powerpulse.shutdown.actions import fields as f
from powerpulse.shutdown.actions.base import ActionContext, ActionError, Outcome, UpsTarget
from powerpulse.shutdown.actions.nut_fsd import with_ups

_COMMAND = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class Params:
    ups_id: int
    command: str
    param: str | None


class NutCommandType:
    name: ClassVar[str] = "nut_command"
    secret_fields: ClassVar[tuple[str, ...]] = ()

    def parse(self, raw: Mapping[str, Any]) -> Params:
        f.only(raw, ("ups_id", "command", "param"))
        command = f.one_line(raw, "command", limit=128)
        if not _COMMAND.fullmatch(command):
            raise ActionError("command", "command must be a NUT command name like load.off")
        param = f.text(raw, "param", limit=128, required=False)
        if param is not None:
            param = param.strip()
            if any(c in param for c in "\r\n"):
                raise ActionError("param", "param must be one line")
        return Params(f.ups_id(raw), command, param or None)

    def to_json(self, params: Params) -> dict[str, Any]:
        return {"ups_id": params.ups_id, "command": params.command, "param": params.param}

    def describe(self, params: Params) -> str:
        extra = f" {params.param}" if params.param else ""
        return f"instant command {params.command}{extra} on UPS #{params.ups_id}"

    def destructive(self, params: Params) -> str | None:
        return controls.warning(params.command)

    def timeout(self, params: Params) -> float | None:
        return None

    def ups_ids(self, params: Params) -> tuple[int, ...]:
        return (params.ups_id,)

    async def run(self, params: Params, ctx: ActionContext) -> Outcome:
        async def send(client: NutClient, target: UpsTarget) -> str:
            offered = await client.list_cmd(target.ups_name)
            if params.command not in offered:
                listed = ", ".join(sorted(offered)) or "none"
                message = f"{target.ups_name} has no instant command {params.command} "
                raise NutCmdNotSupported(
                    "CMD-NOT-SUPPORTED", "", message + f"(it offers: {listed})"
                )
            await client.instcmd(target.ups_name, params.command, params.param)
            return f"{params.command} sent to {target.ups_name}@{target.host}:{target.port}"

        return await with_ups(params.ups_id, ctx, "instcmds rights", send)


TYPE = NutCommandType()
