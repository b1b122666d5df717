"""Masking and digesting of personal values: the only way a value may appear outside the
process that observed it."""
from __future__ import annotations

import hashlib
import hmac
import os

from privascope.model import MaskedValue

# The salt keys digests within one run, so equal values correlate but the digest of a 15-digit
# IMEI cannot be looked up in a precomputed table. Set PRIVASCOPE_SALT to make digests
# comparable across runs (e.g. for suppressions keyed on a value).
_RUN_SALT = os.environ.get("PRIVASCOPE_SALT", "").encode() or os.urandom(16)


def digest(value: str, salt: bytes | None = None) -> str:
    mac = hmac.new(salt if salt is not None else _RUN_SALT, value.encode("utf-8"), hashlib.sha256)
    return "hmac-sha256:" + mac.hexdigest()[:32]


def mask(value: str) -> str:
    """Keep a short head and tail so a reviewer can recognise a value they already know,
    hide the rest: "860000000000123" -> "86*********0123". Short values are fully masked."""
    n = len(value)
    if n <= 4:
        return "*" * n
    if n <= 8:
        return value[:1] + "*" * (n - 2) + value[-1:]
    head, tail = (2, 4) if n >= 12 else (1, 2)
    return value[:head] + "*" * (n - head - tail) + value[-tail:]


def masked(value: str, salt: bytes | None = None) -> MaskedValue:
    return MaskedValue(digest=digest(value, salt), preview=mask(value), length=len(value))
