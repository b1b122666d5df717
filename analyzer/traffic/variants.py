"""Expansion of one known personal value into the encodings an app or SDK may send it in.

Identifiers are rarely sent as-is: SDKs hash them (MD5 of the IMEI, SHA-1 of the MAC without
colons), base64 them inside a JSON blob, or upper-case them. Each known value is expanded here
ONCE into every such spelling, so the matcher only does substring search.
"""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Callable
from urllib.parse import quote, quote_plus

# Normal forms a catalog PI type may list under `normalize` (pi_types.yaml).
NORMALIZERS: dict[str, Callable[[str], str]] = {
    "no_separators": lambda v: "".join(ch for ch in v if ch not in ":-. _"),
    "upper": str.upper,
    "lower": str.lower,
    "digits_only": lambda v: "".join(ch for ch in v if ch.isdigit()),
    "strip": str.strip,
}

HASHES = ("md5", "sha1", "sha256")


@dataclass(frozen=True)
class Variant:
    text: str
    encoding: str  # "raw", "md5", "base64url", "sha1(no_separators)", ...


def _label(encoding: str, form: str) -> str:
    return encoding if not form else f"{encoding}({form})"


def _spellings(value: str) -> list[tuple[str, str]]:
    data = value.encode("utf-8")
    b64 = base64.b64encode(data).decode("ascii")
    b64u = base64.urlsafe_b64encode(data).decode("ascii")
    out = [
        ("raw", value), ("upper", value.upper()), ("lower", value.lower()),
        ("url", quote(value, safe="")), ("url", quote_plus(value, safe="")),
        ("base64", b64), ("base64", b64.rstrip("=")),
        ("base64url", b64u), ("base64url", b64u.rstrip("=")),
        ("hex", data.hex()), ("hex", data.hex().upper()),
    ]
    for name in HASHES:
        h = hashlib.new(name, data).hexdigest()
        out += [(name, h), (name, h.upper())]
    return out


def expand(value: str, normalize: tuple[str, ...] = (), min_length: int = 6) -> list[Variant]:
    """All distinct spellings of `value` and of its normal forms; the first label wins for a
    spelling shared by several encodings (e.g. digits are their own upper case)."""
    forms: list[tuple[str, str]] = [("", value)]
    for name in normalize:
        fn = NORMALIZERS.get(name)
        if fn is None:
            continue  # unknown normal form: the catalog lint is the place to reject it
        form = fn(value)
        if len(form) >= min_length and all(form != f for _, f in forms):
            forms.append((name, form))
    seen: dict[str, Variant] = {}
    for form_name, form in forms:
        for encoding, text in _spellings(form):
            if len(text) >= min_length and text not in seen:
                seen[text] = Variant(text=text, encoding=_label(encoding, form_name))
    return list(seen.values())
