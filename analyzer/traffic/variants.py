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


def _hex_digest(name: str) -> Callable[[str], str]:
    return lambda v: hashlib.new(name, v.encode("utf-8")).hexdigest()


_TEXT_STEPS: dict[str, Callable[[str], str]] = {
    **NORMALIZERS,
    **{name: _hex_digest(name) for name in HASHES},
    "url": lambda v: quote(v, safe=""),
}
_ENCODE_STEPS: dict[str, Callable[[bytes], str]] = {
    "base64": lambda b: base64.b64encode(b).decode("ascii"),
    "base64url": lambda b: base64.urlsafe_b64encode(b).decode("ascii"),
    "hex": bytes.hex,
}


def apply_chain(value: str, chain: str) -> str:
    """One catalog encoding chain (analyzer/catalog: `combinations`), e.g. "md5_bytes>base64" =
    base64 of the binary MD5 digest, "no_separators>upper>sha1". The loader has validated it."""
    state: str | bytes = value
    for step in chain.split(">"):
        if step.endswith("_bytes"):
            state = hashlib.new(step[:-6], _as_bytes(state)).digest()
        elif step in _ENCODE_STEPS:
            state = _ENCODE_STEPS[step](_as_bytes(state))
        else:
            state = _TEXT_STEPS[step](state if isinstance(state, str) else state.hex())
    return state if isinstance(state, str) else state.hex()


def _as_bytes(state: str | bytes) -> bytes:
    return state if isinstance(state, bytes) else state.encode("utf-8")


def expand(value: str, normalize: tuple[str, ...] = (), min_length: int = 6,
           combinations: tuple[str, ...] = ()) -> list[Variant]:
    """All distinct spellings of `value`, of its normal forms and of the catalog's encoding
    chains; the first label wins for a spelling shared by several encodings (e.g. digits are
    their own upper case)."""
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
    for chain in combinations:
        text = apply_chain(value, chain)
        for spelling in (text, text.rstrip("=")):
            if len(spelling) >= min_length and spelling not in seen:
                seen[spelling] = Variant(text=spelling, encoding=chain)
    return list(seen.values())
