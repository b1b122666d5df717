"""Check-digit algorithms the pattern detectors validate with."""
from __future__ import annotations

import datetime

_GB11643_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_GB11643_CHECK = "10X98765432"


def luhn_ok(digits: str) -> bool:
    """ISO/IEC 7812 Luhn: IMEI (15 digits) and payment card numbers."""
    if not (digits.isascii() and digits.isdigit()):  # ord(ch) - 48 below is for ASCII digits
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def gb11643_check_char(first17: str) -> str:
    """GB 11643-1999 check character (ISO 7064 MOD 11-2) of a resident ID number."""
    s = sum(int(c) * w for c, w in zip(first17, _GB11643_WEIGHTS))
    return _GB11643_CHECK[s % 11]


def plausible_birth_date(yyyymmdd: str, today: datetime.date | None = None) -> bool:
    try:
        born = datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    today = today or datetime.date.today()
    return datetime.date(1900, 1, 1) <= born <= today
