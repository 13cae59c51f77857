"""Tracking numbers and one-time query codes: what lets a person follow an item without logging in.

The code is shown once and stored salted and hashed; a lookup computes the hash even for an unknown
number, so a wrong code and an unknown number answer alike and take alike.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out on the phone
_DUMMY_SALT = secrets.token_hex(16)


def _random_symbols(n: int) -> str:
    """n symbols of the 32-letter alphabet from one read of the system's random source (a byte
    modulo 32 is uniform, as 256 is a multiple of 32)."""
    return "".join(CODE_ALPHABET[b % 32] for b in secrets.token_bytes(n))


def new_tracking_no(prefix: str, today: date) -> str:
    return f"{prefix}{today.year}-" + _random_symbols(8)


def new_query_code() -> str:
    return _random_symbols(10)


def hash_code(code: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(16)
    digest = hashlib.sha256(f"{salt}:{code.strip().upper()}".encode()).hexdigest()
    return f"{salt}${digest}"


def code_matches(code: str, stored: str | None) -> bool:
    """`stored` None (no such number) still costs one hash and answers False."""
    salt, _, _digest = (stored or hash_code("", _DUMMY_SALT)).partition("$")
    expected = hash_code(code, salt)
    return stored is not None and hmac.compare_digest(expected.encode(), stored.encode())
