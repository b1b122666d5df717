"""Bounded decoding of request bodies (Content-Encoding). A zip bomb must not blow memory:
every decoder stops at `limit` output bytes and reports the truncation."""
from __future__ import annotations

import io
import zlib
from dataclasses import dataclass
from typing import Optional

import brotli
import zstandard

# brotli 1.1 (pinned by mitmproxy) has no output limit; feeding the input in small slices
# bounds what one call can produce (a meta-block is at most 16 MiB).
_BROTLI_SLICE = 16


@dataclass(frozen=True)
class Decoded:
    data: bytes
    truncated: bool = False
    error: Optional[str] = None  # decoding failed: `data` is what could be decoded (or the input)


def _zlib(data: bytes, wbits: int, limit: int) -> tuple[bytes, bool]:
    d = zlib.decompressobj(wbits)
    out = d.decompress(data, limit)
    return out, bool(d.unconsumed_tail) or len(out) >= limit and not d.eof


def _brotli(data: bytes, limit: int) -> tuple[bytes, bool]:
    d = brotli.Decompressor()
    parts, size = [], 0
    for i in range(0, len(data), _BROTLI_SLICE):
        chunk = d.process(data[i:i + _BROTLI_SLICE])
        parts.append(chunk)
        size += len(chunk)
        if size >= limit:
            return b"".join(parts)[:limit], True
    return b"".join(parts), False


def _zstd(data: bytes, limit: int) -> tuple[bytes, bool]:
    reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data), read_across_frames=True)
    out = reader.read(limit + 1)
    return out[:limit], len(out) > limit


def _one(data: bytes, encoding: str, limit: int) -> tuple[bytes, bool]:
    if encoding in ("gzip", "x-gzip"):
        return _zlib(data, 16 + zlib.MAX_WBITS, limit)
    if encoding == "deflate":
        try:
            return _zlib(data, zlib.MAX_WBITS, limit)  # RFC 9110 deflate = zlib stream
        except zlib.error:
            return _zlib(data, -zlib.MAX_WBITS, limit)  # what many clients actually send
    if encoding == "br":
        return _brotli(data, limit)
    if encoding == "zstd":
        return _zstd(data, limit)
    raise ValueError(f"unsupported content-encoding {encoding!r}")


def decode_body(data: bytes, content_encoding: str, limit: int) -> Decoded:
    """Undo `Content-Encoding` (possibly a list, applied in order, so undone in reverse)."""
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    truncated = False
    for coding in reversed(codings):
        try:
            data, cut = _one(data, coding, limit)
        except (zlib.error, brotli.error, zstandard.ZstdError, ValueError, EOFError) as exc:
            return Decoded(data[:limit], truncated or len(data) > limit,
                           f"{coding}: {str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__}")
        truncated = truncated or cut
    if len(data) > limit:
        return Decoded(data[:limit], True)
    return Decoded(data, truncated)


def sniff_compressed(data: bytes, limit: int) -> Optional[bytes]:
    """Bodies compressed without a Content-Encoding header (common in SDK uploads): gzip and
    zlib magic numbers only, decoded within `limit`."""
    try:
        if data[:2] == b"\x1f\x8b":
            return _zlib(data, 16 + zlib.MAX_WBITS, limit)[0]
        if len(data) > 2 and data[0] == 0x78 and data[1] in (0x01, 0x5E, 0x9C, 0xDA) \
                and (data[0] * 256 + data[1]) % 31 == 0:
            return _zlib(data, zlib.MAX_WBITS, limit)[0]
    except zlib.error:
        return None
    return None
