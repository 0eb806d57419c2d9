"""Time-based one-time passwords (RFC 6238, through pyotp) and recovery codes: pure functions.

A code is accepted in the 30-second step it belongs to or the one either side (clock drift);
the step it matched is returned so that the caller stores it and refuses the same code, or any
older one, again (replay). Recovery codes are ten random `xxxx-xxxx-xxxx` strings, shown once
and stored as SHA-256 only (60 random bits each, single use, tried under the login rate limit:
a slow hash would add nothing).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence

import pyotp
import segno

ISSUER = "PowerPulse"
STEP_SECONDS = 30
DRIFT_STEPS = 1
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def new_secret() -> str:
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str) -> str:
    """The `otpauth://` URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The QR code of `uri` as an SVG `data:` URI (an `<img src>`: no markup is injected)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def _digits(code: str) -> str | None:
    cleaned = code.replace(" ", "").replace("-", "")
    return cleaned if len(cleaned) == 6 and cleaned.isascii() and cleaned.isdigit() else None


def matching_step(secret: str, code: str, now: float, last_step: int) -> int | None:
    """The time step `code` is valid for (within the drift), if newer than `last_step`."""
    digits = _digits(code)
    if digits is None:
        return None
    totp = pyotp.TOTP(secret)
    current = int(now // STEP_SECONDS)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step > last_step and secrets.compare_digest(totp.at(step * STEP_SECONDS), digits):
            return step
    return None


def looks_like_recovery_code(code: str) -> bool:
    return len(code.strip()) > 6 and _digits(code) is None


def new_recovery_codes(count: int = RECOVERY_CODES) -> list[str]:
    def group() -> str:
        return "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(4))

    return [f"{group()}-{group()}-{group()}" for _ in range(count)]


def recovery_hash(code: str) -> str:
    normal = code.strip().lower().replace(" ", "").replace("-", "")
    return hashlib.sha256(normal.encode()).hexdigest()


def recovery_index(code: str, hashes: Sequence[str]) -> int | None:
    """Which stored recovery code `code` is (None: none)."""
    digest = recovery_hash(code)
    for index, stored in enumerate(hashes):
        if secrets.compare_digest(stored, digest):
            return index
    return None
