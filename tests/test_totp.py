"""The TOTP and recovery-code functions against RFC 6238's own test vector (SHA-1)."""

from __future__ import annotations

import base64

from powerpulse import totp

# RFC 6238 appendix B: the ASCII secret "12345678901234567890"; at T=59 s the 8-digit SHA-1
# code is 94287082, so the 6-digit one (the same truncation, mod 10^6) is 287082.
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


def test_the_rfc_vector_matches_in_its_step_and_the_ones_beside_it() -> None:
    assert totp.matching_step(RFC_SECRET, "287082", 59, last_step=0) == 1
    assert totp.matching_step(RFC_SECRET, "287 082", 59 + 30, last_step=0) == 1  # one step late
    assert totp.matching_step(RFC_SECRET, "287082", 59 + 90, last_step=0) is None  # too late
    assert totp.matching_step(RFC_SECRET, "287083", 59, last_step=0) is None


def test_a_used_step_is_refused_again() -> None:
    assert totp.matching_step(RFC_SECRET, "287082", 59, last_step=1) is None


def test_malformed_codes_are_refused() -> None:
    full_width = "\uff12\uff18\uff17\uff10\uff18\uff12"
    for code in ("", "12345", "1234567", "abcdef", full_width):
        assert totp.matching_step(RFC_SECRET, code, 59, last_step=0) is None, code


def test_recovery_codes_are_random_single_strings_matched_by_hash() -> None:
    codes = totp.new_recovery_codes()
    assert len(codes) == len(set(codes)) == 10
    assert all(len(c) == 14 and c.count("-") == 2 for c in codes)
    hashes = [totp.recovery_hash(c) for c in codes]
    assert totp.recovery_index(codes[3].upper(), hashes) == 3
    assert totp.recovery_index(codes[3].replace("-", " "), hashes) == 3
    assert totp.recovery_index("aaaa-bbbb-cccc", hashes) is None
    assert totp.looks_like_recovery_code(codes[0]) and not totp.looks_like_recovery_code("123456")


def test_the_qr_code_is_an_svg_data_uri_of_the_provisioning_uri() -> None:
    uri = totp.provisioning_uri(RFC_SECRET, "olga")
    assert uri.startswith("otpauth://totp/PowerPulse:olga?") and "issuer=PowerPulse" in uri
    assert totp.qr_data_uri(uri).startswith("data:image/svg+xml")
