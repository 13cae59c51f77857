"""Tracking numbers and query codes: the alphabet read out on the phone, and codes that do not repeat."""

from __future__ import annotations

from collections import Counter
from datetime import date

from shared.tracking import CODE_ALPHABET, code_matches, hash_code, new_query_code, new_tracking_no


def test_numbers_and_codes_use_only_the_unambiguous_alphabet_and_every_letter_of_it() -> None:
    codes = [new_query_code() for _ in range(2000)]
    assert all(len(c) == 10 and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert len(set(codes)) == len(codes)
    seen = Counter("".join(codes))
    assert set(seen) == set(CODE_ALPHABET)
    expected = 20000 / 32
    assert all(0.8 * expected < n < 1.2 * expected for n in seen.values()), seen  # no letter favoured
    number = new_tracking_no("YSQ", date(2026, 11, 30))
    assert number.startswith("YSQ2026-") and len(number) == 16 and set(number[8:]) <= set(CODE_ALPHABET)
    assert not {"0", "O", "1", "I"} & set(CODE_ALPHABET)


def test_a_code_matches_only_its_own_salted_hash_whatever_the_case() -> None:
    code = new_query_code()
    stored = hash_code(code)
    assert code_matches(code.lower(), stored) and code_matches(f" {code} ", stored)
    assert not code_matches(new_query_code(), stored)
    assert not code_matches(code, None)
    assert hash_code(code) != stored, "a new salt each time"
