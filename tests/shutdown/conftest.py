"""Fixtures shared by the shutdown-plan tests: real upsmon secondaries and a real sshd."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from powerpulse.secret_box import SecretBox, box
from powerpulse.shutdown.actions.base import ActionContext
from tests.support.nut_server import NutServer
from tests.support.sshd import Sshd, sshd_available
from tests.support.upsmon import Upsmon, upsmon_available


@pytest.fixture
def upsmon_factory() -> Iterator[Callable[..., Upsmon]]:
    """Start real `upsmon` secondaries: `mon = upsmon_factory(nut, "ups1")` (attached to upsd
    when it returns: `LIST CLIENT ups1` shows 127.0.0.1). All are stopped after the test."""
    if not upsmon_available():
        pytest.fail("upsmon is not installed: run `make test-deps` (apt-get install nut-client)")
    started: list[Upsmon] = []

    def start(server: NutServer, ups: str, **kwargs: object) -> Upsmon:
        mon = Upsmon(server, ups, **kwargs)  # type: ignore[arg-type]
        started.append(mon)
        mon.start()
        mon.wait_attached()
        return mon

    yield start
    for mon in started:
        mon.stop()


@pytest.fixture
def sshd() -> Iterator[Sshd]:
    """A real OpenSSH server on 127.0.0.1 with its own host key and a client key."""
    if not sshd_available():
        pytest.fail("sshd is not installed: run `make test-deps` (apt-get install openssh-server)")
    with Sshd() as server:
        yield server


@pytest.fixture
def secrets_box(tmp_path: Path) -> SecretBox:
    """A real secret box with its own key (what seals the actions' secret fields)."""
    return box(tmp_path / "secret-key")


@pytest.fixture
def action_ctx(secrets_box: SecretBox) -> Callable[..., ActionContext]:
    """An ActionContext opening secrets with `secrets_box`: `action_ctx(timeout=10,
    variables={"plan": "p"}, ups={1: UpsTarget(...)})` (a UPS id not given resolves to None)."""

    def make(
        timeout: float = 30.0,
        variables: Mapping[str, str] | None = None,
        ups: Mapping[int, Any] | None = None,
    ) -> ActionContext:
        targets = dict(ups or {})

        async def resolve(ups_id: int) -> Any:
            return targets.get(ups_id)

        return ActionContext(secrets_box.open, resolve, timeout, dict(variables or {}))

    return make
