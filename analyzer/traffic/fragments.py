"""Where personal data can hide in a request: the request is cut into text fragments, each
tagged with its location (path, query, header, cookie, body, websocket) and key (query/form/
JSON key, header or cookie name, multipart field). Matchers only ever see fragments."""
from __future__ import annotations

import base64
import binascii
import bisect
import itertools
import json
import re
from dataclasses import dataclass
from typing import Any, Iterator, NamedTuple, Optional
from urllib.parse import parse_qsl, unquote

from privascope.traffic.decoding import sniff_compressed

MAX_JSON_NODES = 50_000  # a hostile body cannot make the walk unbounded
MAX_NESTED_DEPTH = 2  # base64 inside base64 inside the body, no deeper
MIN_BASE64_RUN = 16
_BASE64_RUN = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{%d,}={0,2}" % MIN_BASE64_RUN)


# Media types SDKs put on bodies of any shape: the body itself is sniffed (JSON, form).
_UNTYPED = ("", "text/plain", "application/octet-stream")
_FORM_SHAPE = re.compile(rb"[\w.%\[\]-]+=[^&\s]*(?:&[\w.%\[\]-]+=[^&\s]*)*")


MIN_FRAGMENT = 6  # shorter texts hold no canary (MIN_VALUE_LENGTH) and no detectable PI
SEP = "\x00"  # joins fragments for one-pass scanning; no variant or detector pattern spans it


class Fragment(NamedTuple):  # a tuple, not a dataclass: a 1 MB JSON body makes ~100k of them
    location: str  # path | query | header | cookie | body | websocket
    key: Optional[str]
    text: str
    group: str = ""  # fragments of one object/form share a group (pairs such as lat + lon)
    via: str = ""  # "base64" when found by decoding a blob inside another fragment


class FragmentIndex:
    """All fragments of a request joined by SEP, so each matcher makes one pass over one
    string; an offset maps back to its fragment with a binary search."""

    def __init__(self, fragments: list[Fragment]):
        self.fragments = fragments
        texts = [f.text for f in fragments]
        self.starts = [0, *itertools.accumulate(len(t) + 1 for t in texts)][:len(texts)]
        self.text = SEP.join(texts)
        self.keys = {f.key for f in fragments if f.key}
        self._unkeyed: Optional[str] = None

    @property
    def unkeyed_text(self) -> str:
        """Fragments without a key (paths, whole query strings, text bodies): where a key
        such as "oaid=" can only appear inside the text."""
        if self._unkeyed is None:
            self._unkeyed = SEP.join(f.text for f in self.fragments if not f.key)
        return self._unkeyed

    def locate(self, offset: int) -> tuple[Fragment, int]:
        """The fragment holding `offset`, and the offset inside that fragment's text."""
        i = bisect.bisect_right(self.starts, offset) - 1
        return self.fragments[i], offset - self.starts[i]


@dataclass(frozen=True)
class RequestView:
    """What the matcher needs of a request; built from a mitmproxy flow by hooks/mitm_addon.py,
    or directly in tests and benchmarks."""

    method: str
    scheme: str
    host: str
    port: int
    path: str  # may include "?query"
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    time: float = 0.0
    body_unseen: bool = False  # the proxy streamed the body without buffering it

    def header(self, name: str) -> str:
        name = name.lower()
        return ", ".join(v for k, v in self.headers if k.lower() == name)


_CHARSET = re.compile(r"charset=\"?([\w.:-]+)", re.I)


def _text(data: bytes, content_type: str = "") -> str:
    """Bodies are UTF-8 unless the media type names another charset (GBK/GB18030 are common
    in Chinese SDKs); an unknown charset falls back to UTF-8."""
    m = _CHARSET.search(content_type)
    if m:
        try:
            return data.decode(m.group(1), "replace")
        except LookupError:
            pass
    return data.decode("utf-8", "replace")


def url_fragments(path: str) -> Iterator[Fragment]:
    raw_path, _, query = path.partition("?")
    yield Fragment("path", None, raw_path)
    decoded = unquote(raw_path)
    if decoded != raw_path:
        yield Fragment("path", None, decoded)
    if query:
        yield from form_fragments(query, "query", "query")


def form_fragments(text: str, location: str, group: str) -> Iterator[Fragment]:
    """`a=1&b=2` (query string or form body): the raw text once, then each decoded pair."""
    yield Fragment(location, None, text, group)
    for key, value in parse_qsl(text, keep_blank_values=True):
        if len(value) >= MIN_FRAGMENT:
            yield Fragment(location, key, value, group)
        # A value can be sent as a key ("?<imei>" or "?<imei>=1"): keys are searched too.
        if len(key) >= MIN_FRAGMENT and key != value:
            yield Fragment(location, key, key, group)


def header_fragments(headers: tuple[tuple[str, str], ...]) -> Iterator[Fragment]:
    for name, value in headers:
        lname = name.lower()
        if lname == "cookie":
            for part in value.split(";"):
                cname, _, cvalue = part.strip().partition("=")
                if len(cvalue) >= MIN_FRAGMENT:
                    yield Fragment("cookie", cname, cvalue, "cookie")
                    plain = unquote(cvalue)
                    if plain != cvalue:
                        yield Fragment("cookie", cname, plain, "cookie")
        elif len(value) >= MIN_FRAGMENT:
            yield Fragment("header", name, value, "header")


def json_fragments(doc, location: str, key: Optional[str] = None,
                   group: str = "$") -> list[Fragment]:
    """Walk keys and values (numbers keep their exact text: parse_float/int=str). Iterative,
    with a node budget, so a deep or huge document cannot make it unbounded."""
    out: list[Fragment] = []
    append = out.append
    # Any: parsed JSON, told apart below by exact type() (faster than isinstance in this loop)
    stack: list[tuple[Any, Optional[str], str]] = [(doc, key, group)]
    budget = MAX_JSON_NODES
    while stack and budget > 0:
        node, key, group = stack.pop()
        kind = type(node)
        if kind is dict:
            for i, (k, v) in enumerate(node.items()):
                budget -= 1
                if budget < 0:
                    break
                if len(k) >= MIN_FRAGMENT:
                    append(Fragment(location, key, k, group))  # keys can carry values too
                t = type(v)
                if t is str:
                    if len(v) >= MIN_FRAGMENT:
                        append(Fragment(location, k, v, group))
                elif t is dict or t is list:
                    stack.append((v, k, f"{group}.{i}"))
        elif kind is list:
            scalars = group + "[]"  # scalars of one list share a group: [lon, lat] pairs
            for i, v in enumerate(node):
                budget -= 1
                if budget < 0:
                    break
                t = type(v)
                if t is str:
                    if len(v) >= MIN_FRAGMENT:
                        append(Fragment(location, key, v, scalars))
                elif t is dict or t is list:
                    stack.append((v, key, f"{group}[{i}]"))
        elif kind is str and len(node) >= MIN_FRAGMENT:
            append(Fragment(location, key, node, group))
    return out


def multipart_fragments(body: bytes, content_type: str, location: str) -> Iterator[Fragment]:
    m = re.search(r'boundary="?([^";,]+)"?', content_type, re.I)
    if not m:
        yield Fragment(location, None, _text(body))
        return
    delimiter = b"--" + m.group(1).encode("latin-1", "replace")
    for i, part in enumerate(body.split(delimiter)[1:]):
        if part.startswith(b"--"):
            break
        head, _, content = part.partition(b"\r\n\r\n")
        name_m = re.search(rb'name="([^"]*)"', head)
        name = name_m.group(1).decode("utf-8", "replace") if name_m else None
        ctype_m = re.search(rb"content-type:\s*([^\r\n]+)", head, re.I)
        ctype = ctype_m.group(1).decode("latin-1") if ctype_m else "text/plain"
        content = content[:-2] if content.endswith(b"\r\n") else content
        yield from typed_fragments(content, ctype, location, key=name, group=f"part{i}")


def typed_fragments(body: bytes, content_type: str, location: str,
                    key: Optional[str] = None, group: str = "body") -> Iterator[Fragment]:
    """Dispatch on the media type; anything unparseable is searched as one text fragment."""
    ctype = content_type.split(";")[0].strip().lower()
    stripped = body.lstrip()[:1]
    if "json" in ctype or (ctype in _UNTYPED
                           and stripped in (b"{", b"[")):
        try:
            doc = json.loads(body, parse_float=str, parse_int=str)
        except (ValueError, RecursionError):
            pass
        else:
            yield from json_fragments(doc, location, key, group)
            return
    if ctype == "application/x-www-form-urlencoded" or (
            ctype in _UNTYPED and len(body) < 1 << 20 and _FORM_SHAPE.fullmatch(body)):
        yield from form_fragments(_text(body, content_type), location, group)
        return
    if ctype.startswith("multipart/"):
        yield from multipart_fragments(body, content_type, location)
        return
    yield Fragment(location, key, _text(body, content_type), group)


def nested_fragments(fragment: Fragment, limit: int) -> Iterator[Fragment]:
    """Base64 blobs inside one fragment, decoded (see `decode_blob`)."""
    for m in _BASE64_RUN.finditer(fragment.text):
        yield from decode_blob(m.group(0), fragment, limit)


def base64_runs(text: str) -> Iterator[re.Match]:
    return _BASE64_RUN.finditer(text)


def decode_blob(blob: str, fragment: Fragment, limit: int) -> Iterator[Fragment]:
    """A base64 blob found in `fragment`, decoded: its text (or gzip/zlib inside it) is
    searched again under the same location and key. Binary that is not text is skipped."""
    if blob.islower() or blob.isupper():
        return  # hex digests and lower-case ids: base64 of text has both cases
    blob = blob.rstrip("=").replace("-", "+").replace("_", "/")
    try:
        data = base64.b64decode(blob + "=" * (-len(blob) % 4), validate=True)
    except (binascii.Error, ValueError):
        return
    unpacked = sniff_compressed(data, limit)
    if unpacked is not None:
        data = unpacked
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    head = text[:256]
    if len(text) < MIN_FRAGMENT or sum(ch.isprintable() or ch in "\r\n\t" for ch in head) < 0.9 * len(head):
        return
    via = "base64" if not fragment.via else f"{fragment.via}+base64"
    if text.lstrip()[:1] in ("{", "["):
        produced = False
        for sub in typed_fragments(data, "application/json", fragment.location, group=fragment.group):
            produced = True
            key = f"{fragment.key}.{sub.key}" if fragment.key and sub.key else (sub.key or fragment.key)
            yield Fragment(sub.location, key, sub.text, f"{fragment.group}>{sub.group}", via)
        if produced:
            return
    yield Fragment(fragment.location, fragment.key, text, fragment.group, via)
