"""Stored secrets are sealed with the installation's key and open only with it."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from powerpulse.secret_box import KEY_FILE, SecretBox, SecretError, box, is_sealed


def test_a_sealed_value_opens_with_the_same_key_only(tmp_path: Path) -> None:
    sealed = box(tmp_path).seal("hunter2-password")
    assert is_sealed(sealed) and "hunter2" not in sealed
    assert box(tmp_path).open(sealed) == "hunter2-password"  # the key file is reused
    other = tmp_path / "other"
    with pytest.raises(SecretError, match="does not open"):
        box(other).open(sealed)


def test_the_key_file_is_private(tmp_path: Path) -> None:
    box(tmp_path).seal("x")
    mode = (tmp_path / KEY_FILE).stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_the_environment_key_wins_over_the_file(tmp_path: Path) -> None:
    env_key = "k" * 40
    sealed = box(tmp_path, env_key).seal("token")
    assert SecretBox(env_key).open(sealed) == "token"
    assert not (tmp_path / KEY_FILE).exists()


def test_a_tampered_value_does_not_open(tmp_path: Path) -> None:
    sealed = box(tmp_path).seal("token")
    tampered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    with pytest.raises(SecretError):
        box(tmp_path).open(tampered)
    with pytest.raises(SecretError):
        box(tmp_path).open("plain text")
