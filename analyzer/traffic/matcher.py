"""Request -> TrafficEvent: cut the request into fragments, find known values (one Aho-Corasick
pass over all fragments) and pattern-detected PI, classify the destination. Pure Python: the
mitmproxy addon (hooks/mitm_addon.py) only converts flows into `RequestView`s."""
from __future__ import annotations

import itertools
import logging
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Optional, Sequence
from urllib.parse import quote

from privascope import privacy
from privascope.model import AppState, ConsentPhase, PIMatch, TrafficEvent
from privascope.traffic.canaries import CanaryStore
from privascope.traffic.decoding import decode_body, sniff_compressed
from privascope.traffic.destination import DestinationClassifier
from privascope.traffic.detectors import Detector, default_detectors, detect, detectors_for
from privascope.traffic.fragments import (
    MAX_NESTED_DEPTH, Fragment, FragmentIndex, RequestView, base64_runs, decode_blob,
    header_fragments, typed_fragments, url_fragments,
)

log = logging.getLogger(__name__)

# Event ids are unique in the process, even when an analyzer is rebuilt (new options).
_EVENT_NUMBERS = itertools.count(1)

Context = Callable[[], tuple[Optional[ConsentPhase], Optional[AppState]]]


@dataclass(frozen=True)
class Limits:
    max_body: int = 4 << 20  # bytes of (encoded) body scanned; the rest is recorded as truncated
    max_decoded: int = 16 << 20  # bytes a compressed body may expand to (zip-bomb bound)
    max_fragments: int = 100_000


class TrafficAnalyzer:
    def __init__(self, store: CanaryStore, catalog=None, first_party: Iterable[str] = (),
                 package: Optional[str] = None, detectors: Optional[Sequence[Detector]] = None,
                 limits: Limits = Limits(), context: Optional[Context] = None,
                 id_prefix: str = "traffic"):
        self.store = store
        self.destinations = DestinationClassifier(catalog, first_party, package)
        # the detectors' tables come from the analyzer's catalog (the default one without)
        self.detectors = tuple(detectors) if detectors is not None else (
            detectors_for(catalog) if catalog is not None else default_detectors())
        self.limits = limits
        self._context = context
        self._ids = _EVENT_NUMBERS
        self._id_prefix = id_prefix

    # ------------------------------------------------------------------ fragments

    def body_fragments(self, body: bytes, content_type: str, content_encoding: str,
                       location: str = "body") -> tuple[list[Fragment], bool]:
        truncated = len(body) > self.limits.max_body
        body = body[:self.limits.max_body]
        if content_encoding.strip():
            decoded = decode_body(body, content_encoding, self.limits.max_decoded)
            if decoded.error:
                log.info("body not decodable (%s); searched as sent", decoded.error)
            body, truncated = decoded.data, truncated or decoded.truncated
        else:
            sniffed = sniff_compressed(body, self.limits.max_decoded)
            if sniffed is not None:
                body = sniffed
                truncated = truncated or len(sniffed) >= self.limits.max_decoded
        return list(typed_fragments(body, content_type, location)), truncated

    def request_fragments(self, req: RequestView) -> tuple[list[Fragment], bool]:
        fragments = list(url_fragments(req.path))
        fragments += header_fragments(req.headers)
        truncated = req.body_unseen
        if req.body:
            body, truncated = self.body_fragments(
                req.body, req.header("content-type"), req.header("content-encoding"))
            fragments += body
        return fragments, truncated

    def _with_nested(self, fragments: list[Fragment]) -> FragmentIndex:
        """Index of the fragments plus those decoded from base64 blobs, layer by layer
        (bounded depth); one regex pass per layer finds the blobs."""
        first = FragmentIndex(fragments[:self.limits.max_fragments])
        out = list(first.fragments)
        layer = out
        for depth in range(MAX_NESTED_DEPTH):
            index = first if depth == 0 else FragmentIndex(layer)
            nxt: list[Fragment] = []
            for m in base64_runs(index.text):
                fragment, _ = index.locate(m.start())
                nxt.extend(decode_blob(m.group(0), fragment, self.limits.max_decoded))
                if len(out) + len(nxt) >= self.limits.max_fragments:
                    break
            if not nxt:
                break
            out += nxt
            layer = nxt
        return first if len(out) == len(first.fragments) else FragmentIndex(out[:self.limits.max_fragments])

    def match(self, fragments: list[Fragment]) -> list[PIMatch]:
        return self._match(fragments)[0]

    def _match(self, fragments: list[Fragment]) -> tuple[list[PIMatch], dict[str, str]]:
        """Matches, and the matched texts found in the URL path (sent text -> PI type), which
        the event's path must not carry."""
        index = self._with_nested(fragments)
        in_path: dict[str, str] = {}
        found: list[PIMatch] = []
        known_digests: set[str] = set()
        for hit in self.store.scan(index.text):  # one pass, every variant of every value
            f, _ = index.locate(hit.start)
            encoding = hit.encoding if not f.via else (
                f.via if hit.encoding == "raw" else f"{f.via}+{hit.encoding}")
            c = hit.canary
            known_digests.add(c.digest)
            if f.location == "path" and not f.via:
                in_path[index.text[hit.start:hit.end]] = c.pi_type
            found.append(PIMatch(pi_type=c.pi_type, encoding=encoding, location=f.location,
                                 key=f.key, preview=c.preview, detector="known",
                                 digest=c.digest, canary_source=c.source))
        for shape in detect(index, self.detectors):  # values found by their shape
            d = privacy.digest(shape.value)
            if d in known_digests:
                continue  # the same value was already reported as a known value
            if shape.fragment.location == "path" and not shape.fragment.via:
                in_path[shape.value] = shape.pi_type
            found.append(PIMatch(pi_type=shape.pi_type, encoding=shape.fragment.via or "raw",
                                 location=shape.fragment.location, key=shape.fragment.key,
                                 preview=privacy.mask(shape.value), detector=shape.detector, digest=d))
        return _dedupe(found), in_path

    # ------------------------------------------------------------------ events

    def stamp(self) -> tuple[Optional[ConsentPhase], Optional[AppState]]:
        """Consent phase and app state now (from the dynamic run's clock, when there is one)."""
        return self._context() if self._context else (None, None)

    def _event(self, req: RequestView, scheme: str, matches: list[PIMatch], truncated: bool,
               in_path: Optional[dict[str, str]] = None, stamp=None) -> TrafficEvent:
        destination, sdk = self.destinations.classify(req.host)
        phase, state = stamp if stamp is not None else self.stamp()
        related = tuple(dict.fromkeys(m.canary_source for m in matches if m.canary_source))
        return TrafficEvent(
            id=f"{self._id_prefix}-{next(self._ids)}", time=req.time or time.time(),
            method=req.method, scheme=scheme, host=req.host, port=req.port,
            path=redact_path(req.path.partition("?")[0], in_path or {}), destination=destination, sdk=sdk,
            matches=tuple(matches), truncated=truncated, consent_phase=phase, app_state=state,
            related_events=related,
        )

    def analyze_request(self, req: RequestView, stamp=None) -> TrafficEvent:
        """`stamp`: (consent phase, app state) taken when the request was seen, if the
        analysis runs later (the addon's worker); default: now."""
        fragments, truncated = self.request_fragments(req)
        matches, in_path = self._match(fragments)
        return self._event(req, req.scheme, matches, truncated, in_path, stamp)

    def analyze_websocket_message(self, req: RequestView, content: bytes | str,
                                  stamp=None) -> TrafficEvent:
        """One client-to-server WebSocket message; `req` is the handshake request."""
        data = content.encode("utf-8") if isinstance(content, str) else content
        fragments, truncated = self.body_fragments(data, "", "", location="websocket")
        scheme = "wss" if req.scheme in ("https", "wss") else "ws"
        return self._event(req, scheme, self.match(fragments), truncated, stamp=stamp)


def redact_path(path: str, secrets: dict[str, str]) -> str:
    """Replace personal data found in the path by its PI type: `/u/<imei>/x` -> `/u/{device.imei}/x`."""
    for secret in sorted(secrets, key=len, reverse=True):
        placeholder = "{" + secrets[secret] + "}"
        path = path.replace(secret, placeholder).replace(quote(secret, safe=""), placeholder)
    return path


def _dedupe(matches: list[PIMatch]) -> list[PIMatch]:
    """One match per (value, encoding, place). The same hit seen through the whole query/form
    text and through its field is kept once, with the most specific key ("d.imei" over "imei"
    over none)."""
    groups: dict[tuple, dict[Optional[str], PIMatch]] = {}
    for m in matches:
        groups.setdefault((m.pi_type, m.encoding, m.location, m.digest, m.detector), {}) \
            .setdefault(m.key, m)
    out = []
    for by_key in groups.values():
        keys = [k for k in by_key if k is not None]
        for key, m in by_key.items():
            if key is None and keys:
                continue
            if key is not None and any(k != key and k.endswith("." + key) for k in keys):
                continue
            out.append(m)
    return out
