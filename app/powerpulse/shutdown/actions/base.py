"""What every action type provides: parse and check its fields, say what it does, run it.

An action type is one module in this package with a module-level `TYPE` (an `ActionType`) and one
line in the registry (`actions/__init__.py`). A parsed action is a frozen dataclass (the type's
`Params`); its secret fields (`ActionType.secret_fields`) hold sealed values at rest and are
opened only in `run`, through `ActionContext.reveal`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

OUTPUT_LIMIT = 16_000  # characters of output kept per step (the end, where errors are)


class ActionError(ValueError):
    """A field of an action that cannot be used: `field` names it (e.g. "port")."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class Outcome:
    """How one run of an action ended. `ok` False with `error` says why, in words for the log."""

    ok: bool
    output: str = ""
    exit_code: int | None = None
    error: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def clipped(self) -> Outcome:
        if len(self.output) <= OUTPUT_LIMIT:
            return self
        return Outcome(
            self.ok, "…" + self.output[-OUTPUT_LIMIT:], self.exit_code, self.error, self.details
        )


@dataclass(frozen=True)
class UpsTarget:
    """A UPS an action addresses (nut_fsd, nut_command), as the engine resolved it."""

    ups_id: int
    ups_name: str  # the name on its NUT server
    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool


@dataclass
class ActionContext:
    """What a running action may use. `reveal` opens a sealed secret; `ups` resolves a UPS id
    to its NUT server (None when it no longer exists). `variables` fill `{plan}`-style
    placeholders in an ssh command or an http url/body (plan, ups, reason, run)."""

    reveal: Callable[[str], str]
    ups: Callable[[int], Any]  # async: (ups_id) -> UpsTarget | None
    timeout: (
        float  # seconds this run may take at most (the action's own, or what the phase has left)
    )
    variables: Mapping[str, str] = field(default_factory=dict)


class ActionType(Protocol):
    name: ClassVar[str]
    secret_fields: ClassVar[tuple[str, ...]]

    def parse(self, raw: Mapping[str, Any]) -> Any:
        """The type's Params from the API's JSON (without `type` and `id`); raises ActionError."""
        ...

    # Optional: `check_secret(field, sent)` checks a secret as sent (before it is sealed: parse
    # only ever sees it sealed), raising ActionError — e.g. that a private key parses.

    def to_json(self, params: Any) -> dict[str, Any]:
        """Params as stored (secret fields as they are: sealed)."""
        ...

    def describe(self, params: Any) -> str:
        """One line for the plan view and the log, never a secret: `ssh root@db1: poweroff`."""
        ...

    def destructive(self, params: Any) -> str | None:
        """Why testing it needs a confirmation (it may switch something off), or None."""
        ...

    def timeout(self, params: Any) -> float | None:
        """The action's own time limit in seconds, when it has one."""
        ...

    def ups_ids(self, params: Any) -> tuple[int, ...]:
        """The UPS it addresses (checked to exist when a plan is saved)."""
        ...

    async def run(self, params: Any, ctx: ActionContext) -> Outcome:
        """Do it. Never raises for an expected failure (refused, timeout, exit 1): an Outcome
        with ok False says what happened."""
        ...
