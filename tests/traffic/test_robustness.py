"""Hostile or malformed requests never make the matcher raise."""
import gzip

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from privascope.traffic import CanaryStore, RequestView, TrafficAnalyzer

_STORE = CanaryStore()
_STORE.add("device.imei", "868912034567898")
_ANALYZER = TrafficAnalyzer(_STORE)

content_types = st.sampled_from([
    "", "application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=B",
    "multipart/form-data", "text/plain; charset=gbk", "application/octet-stream"])
encodings = st.sampled_from(["", "gzip", "deflate", "br", "zstd", "gzip, br", "identity", "x-unknown"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.binary(max_size=2048), ctype=content_types, cenc=encodings,
       path=st.text(max_size=200), header=st.text(max_size=100))
def test_any_request_gives_an_event(body, ctype, cenc, path, header):
    headers = (("Content-Type", ctype), ("Content-Encoding", cenc), ("Cookie", header), ("X-A", header))
    req = RequestView("POST", "https", "h.example.com", 443, "/" + path, headers, body)
    event = _ANALYZER.analyze_request(req)
    assert event.host == "h.example.com"


@settings(max_examples=100, deadline=None)
@given(doc=st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=30),
                        lambda c: st.lists(c, max_size=5) | st.dictionaries(st.text(max_size=10), c, max_size=5),
                        max_leaves=40))
def test_any_json_document(doc):
    import json

    body = gzip.compress(json.dumps(doc).encode())
    req = RequestView("POST", "https", "h.example.com", 443, "/j",
                      (("Content-Type", "application/json"), ("Content-Encoding", "gzip")), body)
    _ANALYZER.analyze_request(req)


def test_deeply_nested_json_is_not_a_crash():
    body = b"[" * 100_000 + b"]" * 100_000  # RecursionError in json: searched as text instead
    req = RequestView("POST", "https", "h.example.com", 443, "/d", (("Content-Type", "application/json"),), body)
    assert _ANALYZER.analyze_request(req).matches == ()
