"""The matcher end to end on RequestViews: every encoding x location x content-encoding."""
import base64
import gzip
import hashlib
import json
import zlib
from urllib.parse import quote

import brotli
import pytest
import zstandard

from privascope.model import Destination, to_json
from privascope.traffic import CanaryStore, Limits, RequestView, TrafficAnalyzer
from tests.traffic.values import (
    ANDROID_ID, BANK_CARD_BAD, ID_CARD_BAD, IMEI, IMEI_BAD_LUHN, LAT, LON, MAC, PHONE,
)

SSID = "Home WiFi&5G/测试"  # a value that URL-encoding changes


def _h(name, v):
    return hashlib.new(name, v.encode()).hexdigest()


# encoding -> (pi_type, value, how the app sends it)
ENCODINGS = {
    "raw": ("device.imei", IMEI, lambda v: v),
    "upper": ("device.android_id", ANDROID_ID, str.upper),
    "url": ("network.wifi_ssid", SSID, lambda v: quote(v, safe="")),
    "base64": ("device.android_id", ANDROID_ID, lambda v: base64.b64encode(v.encode()).decode()),
    "base64url": ("network.wifi_ssid", SSID, lambda v: base64.urlsafe_b64encode(v.encode()).decode().rstrip("=")),
    "hex": ("device.imei", IMEI, lambda v: v.encode().hex()),
    "md5": ("device.imei", IMEI, lambda v: _h("md5", v)),
    "sha1": ("device.android_id", ANDROID_ID, lambda v: _h("sha1", v).upper()),
    "sha256": ("device.imei", IMEI, lambda v: _h("sha256", v)),
    "md5(no_separators)": ("device.mac", MAC, lambda v: _h("md5", v.replace(":", ""))),
}

CONTENT_ENCODINGS = {
    "identity": lambda b: b, "gzip": gzip.compress, "deflate": zlib.compress,
    "br": brotli.compress, "zstd": lambda b: zstandard.ZstdCompressor().compress(b),
}


def _store():
    store = CanaryStore({"device.mac": ("no_separators", "upper")})
    store.add("device.imei", IMEI, "rt-imei")
    store.add("device.android_id", ANDROID_ID, "rt-aid")
    store.add("device.mac", MAC)
    store.add("network.wifi_ssid", SSID)
    return store


def _request(place, text, content_encoding="identity"):
    headers, body, path = [], b"", "/api/v1/report"
    q = quote(text, safe="") if "%" not in text else text
    if place == "path":
        path = f"/api/{q}/report"
    elif place == "query":
        path = f"/api?ts=1732872000&d={q}"
    elif place == "header":
        headers.append(("X-Device", text))
    elif place == "cookie":
        headers.append(("Cookie", f"sid=abc; d={q}"))
    elif place == "form":
        body, ctype = f"a=1&d={q}".encode(), "application/x-www-form-urlencoded"
    elif place == "json":
        body, ctype = json.dumps({"ev": [{"d": text}]}, ensure_ascii=False).encode(), "application/json"
    elif place == "multipart":
        body = (f'--XyZ\r\nContent-Disposition: form-data; name="d"\r\n\r\n{text}\r\n'
                f'--XyZ\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\n'
                f"Content-Type: application/octet-stream\r\n\r\n\x01\x02\r\n--XyZ--\r\n").encode()
        ctype = "multipart/form-data; boundary=XyZ"
    elif place == "text":
        body, ctype = f"event=open device {text} end".encode(), "text/plain"
    if body:
        headers.append(("Content-Type", ctype))
        if content_encoding != "identity":
            headers.append(("Content-Encoding", content_encoding))
        body = CONTENT_ENCODINGS[content_encoding](body)
    return RequestView("POST", "https", "api.example.com", 443, path, tuple(headers), body, 1.0)


CASES = [(enc, place, "identity") for enc in ENCODINGS for place in ("path", "query", "header", "cookie")]
CASES += [(enc, place, ce) for enc in ENCODINGS for place in ("form", "json", "multipart", "text")
          for ce in CONTENT_ENCODINGS]
LOCATION = {"form": "body", "json": "body", "multipart": "body", "text": "body"}


@pytest.fixture(scope="module")
def analyzer():
    return TrafficAnalyzer(_store(), first_party=("example.com",))


@pytest.mark.parametrize("encoding,place,content_encoding", CASES)
def test_encoding_location_content_encoding(analyzer, encoding, place, content_encoding):
    pi_type, value, send = ENCODINGS[encoding]
    sent = send(value)
    event = analyzer.analyze_request(_request(place, sent, content_encoding))
    expected_location = LOCATION.get(place, place)
    got = {(m.pi_type, m.encoding, m.location) for m in event.matches if m.detector == "known"}
    assert (pi_type, encoding, expected_location) in got, got
    out = to_json(event)
    assert value not in out and sent not in out  # neither the value nor its sent spelling
    assert event.destination is Destination.FIRST_PARTY and not event.truncated


def test_websocket_message(analyzer):
    req = RequestView("GET", "http", "push.example.net", 80, "/ws", ())
    event = analyzer.analyze_websocket_message(req, json.dumps({"aid": _h("sha256", ANDROID_ID)}))
    assert event.scheme == "ws" and event.cleartext
    assert [(m.pi_type, m.encoding, m.location, m.key) for m in event.matches] == [
        ("device.android_id", "sha256", "websocket", "aid")]


def test_nested_base64_json_inside_a_form_field(analyzer):
    blob = base64.b64encode(json.dumps({"imei": IMEI}).encode()).decode()
    event = analyzer.analyze_request(_request("form", blob))
    m = [m for m in event.matches if m.detector == "known"]
    assert [(x.encoding, x.key) for x in m] == [("base64", "d.imei")]
    assert event.related_events == ("rt-imei",)


def test_nested_gzip_inside_base64(analyzer):
    blob = base64.b64encode(gzip.compress(f"aid={ANDROID_ID}".encode())).decode()
    event = analyzer.analyze_request(_request("json", blob))
    assert any(m.pi_type == "device.android_id" and m.encoding == "base64" for m in event.matches)


def test_similar_but_wrong_values_stay_silent(analyzer):
    other_imei = IMEI[:-2] + ("00" if IMEI[-2:] != "00" else "11")
    body = json.dumps({
        "a": _h("md5", other_imei), "b": ANDROID_ID[:-1] + "0", "c": IMEI_BAD_LUHN,
        "d": ID_CARD_BAD, "e": BANK_CARD_BAD, "ts": "1732872000123", "v": "1.2.3.4",
        "lat": "39.9", "lng": "116.4", "uuid": "3f1c2b4a-9d8e-4f7a-b6c5-1e2d3f4a5b6c",
        "sha": _h("sha1", ANDROID_ID.upper()),  # a hash of a form the catalog does not list
    }).encode()
    req = RequestView("POST", "https", "api.example.com", 443, f"/x?n=9{IMEI}",
                      (("Content-Type", "application/json"),), body)
    assert analyzer.analyze_request(req).matches == ()


def test_pattern_detectors_in_a_request(analyzer):
    body = f"phone={PHONE}&lat={LAT}&lng={LON}".encode()
    req = RequestView("POST", "http", "t.other.cn", 80, "/c",
                      (("Content-Type", "application/x-www-form-urlencoded"),), body)
    event = analyzer.analyze_request(req)
    got = {(m.detector, m.pi_type, m.key) for m in event.matches}
    assert ("cn_mobile", "phone_number", "phone") in got
    assert ("gps_pair", "location.precise", "lat") in got
    assert event.destination is Destination.UNKNOWN and event.cleartext
    assert PHONE not in to_json(event) and LAT not in to_json(event)


def test_known_value_is_not_reported_twice_by_its_detector(analyzer):
    event = analyzer.analyze_request(_request("query", IMEI))
    assert [(m.detector, m.encoding) for m in event.matches] == [("known", "raw")]


def test_large_body_scanned_up_to_the_limit_and_marked_truncated():
    an = TrafficAnalyzer(_store(), limits=Limits(max_body=64 << 10))
    early = f"imei={IMEI}&pad=".encode() + b"x" * (100 << 10)
    late = b"pad=" + b"x" * (100 << 10) + f"&aid={ANDROID_ID}".encode()
    for body, expect in ((early, {"device.imei"}), (late, set())):
        req = RequestView("POST", "https", "h.example.com", 443, "/u", (("Content-Type", "text/plain"),), body)
        event = an.analyze_request(req)
        assert event.truncated and {m.pi_type for m in event.matches} == expect


def test_zip_bomb_body_is_bounded():
    an = TrafficAnalyzer(_store(), limits=Limits(max_decoded=1 << 20))
    bomb = gzip.compress(f"aid={ANDROID_ID}&".encode() + b"0" * (64 << 20))
    req = RequestView("POST", "https", "h.example.com", 443, "/u",
                      (("Content-Type", "text/plain"), ("Content-Encoding", "gzip")), bomb)
    event = an.analyze_request(req)
    assert event.truncated and [m.pi_type for m in event.matches] == ["device.android_id"]


def test_destination_classes(catalog):
    an = TrafficAnalyzer(_store(), catalog, first_party=("api.shop.cn",), package="com.example.app")
    sdk = next(s for s in catalog.sdks.values() if s.hosts)
    cases = {
        f"log.{sdk.hosts[0]}": (Destination.THIRD_PARTY, sdk.id),
        "api.shop.cn": (Destination.FIRST_PARTY, None),
        "cdn.example.com": (Destination.FIRST_PARTY, None),  # from the package name
        "example.com.evil.net": (Destination.UNKNOWN, None),
        "notexample.com": (Destination.UNKNOWN, None),
    }
    for host, expected in cases.items():
        event = an.analyze_request(RequestView("GET", "https", host, 443, "/"))
        assert (event.destination, event.sdk) == expected, host


def test_event_ids_and_context_stamps():
    from privascope.model import AppState, ConsentPhase

    an = TrafficAnalyzer(_store(), context=lambda: (ConsentPhase.BEFORE, AppState.FOREGROUND))
    a = an.analyze_request(RequestView("GET", "https", "x.example.org", 443, "/a?b=c"))
    b = an.analyze_request(RequestView("GET", "https", "x.example.org", 443, "/a"))
    assert a.id != b.id and a.path == "/a"
    assert (a.consent_phase, a.app_state) == (ConsentPhase.BEFORE, AppState.FOREGROUND)


def test_a_streamed_body_the_proxy_never_saw_is_recorded_as_truncated():
    an = TrafficAnalyzer(_store())
    event = an.analyze_request(RequestView("POST", "https", "h.example.com", 443, "/up", (), b"", body_unseen=True))
    assert event.truncated and event.matches == ()
