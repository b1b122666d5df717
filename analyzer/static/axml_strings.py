"""The string pool of a compiled (binary) Android XML file, read directly: layouts and res/xml
files carry URLs and texts (network security config domains, autoLink texts) that are not in
resources.arsc. Only the pool is read, never the element tree, so this is cheap and bounded.

Layout of the file: an XML chunk header (type 0x0003), then a string-pool chunk (type 0x0001):
stringCount, styleCount, flags (0x100 = UTF-8), stringsStart, then stringCount u32 offsets.
Anything malformed yields the strings read so far, never an exception.
"""
from __future__ import annotations

import struct

RES_XML_TYPE = 0x0003
RES_TABLE_TYPE = 0x0002  # resources.arsc
RES_STRING_POOL_TYPE = 0x0001
UTF8_FLAG = 0x100
MAX_STRINGS = 20000


def axml_strings(data: bytes, container: int = RES_XML_TYPE,
                 max_strings: int = MAX_STRINGS) -> list[str]:
    """`container` RES_TABLE_TYPE reads resources.arsc's global pool (the same layout)."""
    if len(data) < 8 + 28:
        return []
    xml_type, xml_header = struct.unpack_from("<HH", data, 0)
    if xml_type != container or xml_header < 8:
        return []
    pool = xml_header
    if pool + 28 > len(data):
        return []
    ptype, pheader, psize, count, _styles, flags, strings_start, _ = struct.unpack_from(
        "<HHIIIIII", data, pool)
    if ptype != RES_STRING_POOL_TYPE or psize > len(data) - pool:
        return []
    count = min(count, max_strings, max(0, (psize - pheader) // 4))
    base = pool + strings_start
    end = pool + psize
    offsets = struct.unpack_from(f"<{count}I", data, pool + pheader) if count else ()
    utf8 = bool(flags & UTF8_FLAG)
    out = []
    for off in offsets:
        at = base + off
        try:
            out.append(_utf8_at(data, at, end) if utf8 else _utf16_at(data, at, end))
        except (IndexError, struct.error, UnicodeDecodeError, ValueError):
            continue
    return [s for s in out if s]


def _len8(data: bytes, at: int) -> tuple[int, int]:
    n = data[at]
    if n & 0x80:
        return ((n & 0x7F) << 8) | data[at + 1], at + 2
    return n, at + 1


def _utf8_at(data: bytes, at: int, end: int) -> str:
    _chars, at = _len8(data, at)
    nbytes, at = _len8(data, at)
    if at + nbytes > end:
        raise ValueError("string past the pool")
    return data[at:at + nbytes].decode("utf-8", "replace")


def _utf16_at(data: bytes, at: int, end: int) -> str:
    (n,) = struct.unpack_from("<H", data, at)
    at += 2
    if n & 0x8000:
        (low,) = struct.unpack_from("<H", data, at)
        n = ((n & 0x7FFF) << 16) | low
        at += 2
    if at + 2 * n > end:
        raise ValueError("string past the pool")
    return data[at:at + 2 * n].decode("utf-16-le", "replace")
