"""Secrets at rest: what an admin types in (SSH keys and passwords, API tokens) is stored sealed.

The key is derived from `SECRETS_KEY` when set (several hosts sharing one PostgreSQL database
must set the same value), else from a secret generated once into the data directory
(`secrets_key`, mode 0600, like `jwt_secret`). A sealed value is a string `enc:v1:<Fernet
token>`, so a stored value says whether it is sealed. Fernet authenticates: a token changed on
disk or sealed with another key does not open (`SecretError`), it never yields garbage.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from powerpulse.config import ensure_secret_file

PREFIX = "enc:v1:"
KEY_FILE = "secrets_key"


class SecretError(Exception):
    """A sealed value that does not open with this installation's key."""


class SecretBox:
    def __init__(self, secret: str) -> None:
        digest = hashlib.sha256(b"powerpulse-secrets\0" + secret.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def seal(self, plain: str) -> str:
        return PREFIX + self._fernet.encrypt(plain.encode()).decode("ascii")

    def open(self, sealed: str) -> str:
        if not is_sealed(sealed):
            raise SecretError("not a sealed value")
        try:
            return self._fernet.decrypt(sealed[len(PREFIX) :].encode("ascii")).decode()
        except (InvalidToken, UnicodeError, ValueError):
            raise SecretError(
                "a stored secret does not open with this installation's key "
                "(was SECRETS_KEY or the data directory's secrets_key changed?)"
            ) from None


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


@lru_cache(maxsize=8)
def _box_for(secret: str) -> SecretBox:
    return SecretBox(secret)


def box(data_dir: Path, env_secret: str | None = None) -> SecretBox:
    """The installation's box: `env_secret` (SECRETS_KEY) or the data directory's key file."""
    secret = env_secret or ensure_secret_file(data_dir / KEY_FILE)
    return _box_for(secret)
