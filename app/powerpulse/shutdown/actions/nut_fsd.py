"""`nut_fsd`: set forced shutdown (FSD) on a UPS through its upsd, so that every upsmon client
of it shuts its host down, the way a primary upsmon does when the battery runs out.

upsd takes `FSD <ups>` from a user with `actions = FSD` after USERNAME/PASSWORD (no LOGIN) and
answers `OK FSD-SET`. The NUT connection helpers here serve `nut_command` too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from powerpulse.nut.client import NutClient
from powerpulse.nut.errors import (
    NutAccessDenied,
    NutAuthError,
    NutCmdNotSupported,
    NutConnectionError,
    NutError,
    NutTimeoutError,
    NutUnknownUps,
)
from powerpulse.shutdown.actions import fields as f
from powerpulse.shutdown.actions.base import ActionContext, Outcome, UpsTarget

T = TypeVar("T")
NUT_TIMEOUT = 10.0  # seconds per NUT exchange at most (a phase may allow less)


@dataclass(frozen=True)
class Params:
    ups_id: int


async def with_ups(
    ups_id: int,
    ctx: ActionContext,
    rights: str,
    action: Callable[[NutClient, UpsTarget], Awaitable[str]],
) -> Outcome:
    """Run `action` on a fresh connection to the UPS's upsd; NUT failures become Outcomes
    (`rights` names what upsd.users must grant, for the refusal message)."""
    target: UpsTarget | None = await ctx.ups(ups_id)
    if target is None:
        return Outcome(False, error=f"UPS #{ups_id} no longer exists in PowerPulse")
    where = f"{target.ups_name}@{target.host}:{target.port}"
    client = NutClient(
        target.host,
        target.port,
        target.username,
        target.password,
        starttls=target.starttls,
        timeout=max(min(NUT_TIMEOUT, ctx.timeout), 0.1),
    )
    try:
        return Outcome(True, await action(client, target))
    except NutAccessDenied:
        who = f"user {target.username}" if target.username else "no user"
        return Outcome(
            False,
            error=f"upsd refused on {where}: the NUT server's {who} needs {rights} in "
            "upsd.users (or its password is wrong: upsd only checks it now)",
        )
    except NutAuthError as err:
        if not target.username:
            return Outcome(
                False,
                error=f"upsd on {target.host}:{target.port} needs a user: give the NUT server "
                f"a user with {rights} (Settings → NUT servers)",
            )
        return Outcome(False, error=f"upsd on {target.host}:{target.port} refused the login: {err}")
    except NutUnknownUps:
        return Outcome(
            False, error=f"upsd on {target.host}:{target.port} has no UPS {target.ups_name}"
        )
    except NutCmdNotSupported as err:
        return Outcome(False, error=str(err))
    except NutTimeoutError:
        return Outcome(
            False, error=f"the NUT server {target.host}:{target.port} did not answer in time"
        )
    except NutConnectionError as err:
        return Outcome(False, error=f"cannot reach the NUT server: {err}")
    except NutError as err:
        return Outcome(False, error=f"upsd on {target.host}:{target.port} answered: {err}")
    except Exception as err:  # a run never raises: the plan goes on and the log says why
        return Outcome(False, error=f"talking to upsd on {where} failed ({type(err).__name__})")
    finally:
        await client.close()


class NutFsdType:
    name: ClassVar[str] = "nut_fsd"
    secret_fields: ClassVar[tuple[str, ...]] = ()

    def parse(self, raw: Mapping[str, Any]) -> Params:
        f.only(raw, ("ups_id",))
        return Params(f.ups_id(raw))

    def to_json(self, params: Params) -> dict[str, Any]:
        return {"ups_id": params.ups_id}

    def describe(self, params: Params) -> str:
        return f"set forced shutdown (FSD) on UPS #{params.ups_id}"

    def destructive(self, params: Params) -> str | None:
        return (
            f"sets forced shutdown on UPS #{params.ups_id}: every upsmon client of it shuts its "
            "host down"
        )

    def timeout(self, params: Params) -> float | None:
        return None

    def ups_ids(self, params: Params) -> tuple[int, ...]:
        return (params.ups_id,)

    async def run(self, params: Params, ctx: ActionContext) -> Outcome:
        async def fsd(client: NutClient, target: UpsTarget) -> str:
            await client.fsd(target.ups_name)
            return f"FSD set on {target.ups_name}@{target.host}:{target.port}"

        return await with_ups(params.ups_id, ctx, "actions = FSD", fsd)


TYPE = NutFsdType()
