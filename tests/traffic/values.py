"""Synthetic personal values for tests: valid by construction (check digits computed here),
none of them belongs to anyone."""
from __future__ import annotations

from privascope.traffic.checksums import gb11643_check_char


def luhn_complete(prefix: str) -> str:
    """Append the Luhn check digit."""
    for d in "0123456789":
        candidate = prefix + d
        total = 0
        for i, ch in enumerate(reversed(candidate)):
            n = int(ch) * (2 if i % 2 else 1)
            total += n - 9 if n > 9 else n
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def luhn_broken(valid: str) -> str:
    """Same number with a wrong last digit."""
    return valid[:-1] + str((int(valid[-1]) + 1) % 10)


IMEI = luhn_complete("86891203456789")  # 15 digits, TAC reporting body 86
IMEI_BAD_LUHN = luhn_broken(IMEI)
ANDROID_ID = "5f3c9a7e21b04d68"
MAC = "a4:5e:60:c2:19:7b"
OAID = "3f1c2b4a-9d8e-4f7a-b6c5-1e2d3f4a5b6c"
PHONE = "13912345678"
ID_BODY = "11010519900307123"
ID_CARD = ID_BODY + gb11643_check_char(ID_BODY)
ID_CARD_BAD = ID_BODY + ("0" if ID_CARD[-1] != "0" else "1")
BANK_CARD = luhn_complete("622202100112345678")  # UnionPay, 19 digits
BANK_CARD_BAD = luhn_broken(BANK_CARD)
IMSI = "460011234567890"
EMAIL = "zhang.wei@example.com"
LAT, LON = "39.904211", "116.407395"
