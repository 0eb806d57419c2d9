"""The action types a shutdown plan can run: one module each, one line here."""

from __future__ import annotations

from powerpulse.shutdown.actions import http, nut_command, nut_fsd, ssh, wait_down, wol
from powerpulse.shutdown.actions.base import ActionType

ACTION_TYPES: dict[str, ActionType] = {
    t.name: t
    for t in (ssh.TYPE, http.TYPE, nut_fsd.TYPE, nut_command.TYPE, wait_down.TYPE, wol.TYPE)
}
