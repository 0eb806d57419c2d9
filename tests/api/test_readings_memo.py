"""The readings memo keeps one mapping per UPS and view, the newest: a UPS whose live row
changes every second must not make the api worker's memory grow."""

from __future__ import annotations

from types import SimpleNamespace

from powerpulse.api import serializers


def _live(ups_id: int, version: int) -> SimpleNamespace:
    return SimpleNamespace(ups_id=ups_id, version=version)


def test_each_new_version_replaces_the_last_and_shows_its_own_values() -> None:
    serializers.reset_memo()
    for version in range(1, 501):
        for ups_id in (1, 2):
            variables = {"ups.load": str(version % 100), "battery.charge": "90"}
            for public in (False, True):
                got = serializers._readings(_live(ups_id, version), variables, public, True)
                assert got["load"] == version % 100  # never a memo of an older version
    assert len(serializers._readings_memo) == 4  # 2 UPS x 2 views, not 2,000 entries


def test_what_it_hands_out_is_a_copy() -> None:
    serializers.reset_memo()
    first = serializers._readings(_live(7, 3), {"ups.load": "10"}, False, False)
    first["load"] = 99
    again = serializers._readings(_live(7, 3), {"ups.load": "10"}, False, False)
    assert again["load"] == 10
