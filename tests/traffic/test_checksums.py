"""Check-digit algorithms against independent definitions: Luhn (check digit computed the
textbook way), GB 11643 (ISO 7064 MOD 11-2 by its recursive definition), birth dates."""
from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings, strategies as st

from privascope.traffic.checksums import gb11643_check_char, luhn_ok, plausible_birth_date

_ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"


def _luhn_check_digit(payload: str) -> str:
    """The digit that makes payload+digit valid, as ISO/IEC 7812 Annex B computes it."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d // 10 + d % 10
    return str((10 - total % 10) % 10)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789", min_size=1, max_size=24))
def test_luhn_accepts_exactly_the_right_check_digit(payload):
    good = _luhn_check_digit(payload)
    assert luhn_ok(payload + good)
    for wrong in "0123456789":
        if wrong != good:
            assert not luhn_ok(payload + wrong)


def test_luhn_known_numbers_and_non_digits():
    assert luhn_ok("490154203237518")  # the IMEI example of 3GPP TS 23.003 Annex B
    assert luhn_ok("4111111111111111")  # a well-known test card number
    assert not luhn_ok("4111111111111112")
    assert not luhn_ok("") and not luhn_ok("4111 1111 1111 1111") and not luhn_ok("-4111")


def test_luhn_rejects_non_ascii_digits():
    twin = "4532015112830365"  # not valid
    assert not luhn_ok(twin)
    assert not luhn_ok("".join(_ARABIC_INDIC[int(c)] for c in twin))


def _mod11_2(first17: str) -> str:
    """ISO 7064 MOD 11-2 by its recursive definition (no weight table)."""
    p = 0
    for ch in first17:
        p = ((p + int(ch)) * 2) % 11
    return "0123456789X"[(12 - p) % 11]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_gb11643_equals_iso7064_definition(first17):
    assert gb11643_check_char(first17) == _mod11_2(first17)


def test_gb11643_worked_examples():
    assert gb11643_check_char("11010519491231002") == "X"  # GB 11643-1999 example
    assert gb11643_check_char("44052418800101001") == "4"


@pytest.mark.parametrize("date,ok", [
    ("19000101", True), ("18991231", False), ("20000229", True), ("19000229", False),
    ("20240431", False), ("20241301", False), ("abcd0101", False), ("", False),
])
def test_birth_dates(date, ok):
    assert plausible_birth_date(date, today=datetime.date(2026, 1, 1)) is ok


def test_birth_date_not_in_the_future():
    today = datetime.date(2026, 6, 15)
    assert plausible_birth_date("20260615", today) and not plausible_birth_date("20260616", today)
    assert plausible_birth_date("19900307")  # default: the real today
