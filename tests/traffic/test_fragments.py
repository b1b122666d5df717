import base64
import json

from privascope.traffic.fragments import (
    MAX_JSON_NODES, header_fragments, json_fragments, nested_fragments, typed_fragments,
    url_fragments,
)


def _kv(frags):
    return [(f.location, f.key, f.text) for f in frags]


def test_url_path_and_query_raw_and_decoded():
    got = _kv(url_fragments("/a%20b/c?x=1&y=%E6%B5%8B%E8%AF%95%E6%B5%8B%E8%AF%95%E6%B5%8B%E8%AF%95&z"))
    assert ("path", None, "/a%20b/c") in got and ("path", None, "/a b/c") in got
    assert ("query", "y", "测试测试测试") in got
    # values too short to hold a canary (< 6 characters) are not fragments of their own
    assert not any(k == "x" for _, k, _ in got)


def test_query_keys_are_searched_too():
    assert ("query", "868912034567890", "868912034567890") in _kv(url_fragments("/p?868912034567890"))


def test_headers_and_cookies():
    got = _kv(header_fragments((("User-Agent", "okhttp/4.12"), ("Cookie", "a=1; b=me%40x.cn; c"))))
    assert ("header", "User-Agent", "okhttp/4.12") in got
    assert ("cookie", "b", "me%40x.cn") in got and ("cookie", "b", "me@x.cn") in got
    assert not any(loc == "header" and k == "Cookie" for loc, k, _ in got)


def test_json_walk_keys_values_and_exact_numbers():
    doc = json.loads('{"a": {"lat": 39.9042110, "k": [1, "value1"]}, "868912034567890": true}',
                     parse_float=str, parse_int=str)
    frags = list(json_fragments(doc, "body"))
    got = _kv(frags)
    assert ("body", "lat", "39.9042110") in got  # the float keeps its digits
    assert ("body", "k", "value1") in got and ("body", None, "868912034567890") in got
    frags = list(json_fragments({"o": {"lat": "39.904211", "lng": "116.407395"}}, "body"))
    assert len({f.group for f in frags}) == 1  # siblings share a group


def test_json_walk_is_bounded():
    doc = {"k": [f"value{i:06d}" for i in range(MAX_JSON_NODES * 2)]}
    assert len(list(json_fragments(doc, "body"))) <= MAX_JSON_NODES + 1


def test_typed_dispatch_and_fallbacks():
    form = _kv(typed_fragments(b"a=value1&b=value2", "application/x-www-form-urlencoded", "body"))
    assert form[0] == ("body", None, "a=value1&b=value2")
    assert {("body", "a", "value1"), ("body", "b", "value2")} <= set(form)
    # JSON and forms sniffed without their media type; broken JSON falls back to text
    assert ("body", "a", "value1") in _kv(typed_fragments(b'{"a":"value1"}', "text/plain", "body"))
    assert ("body", "a", "value1") in _kv(typed_fragments(b"a=value1&b=2", "", "body"))
    assert _kv(typed_fragments(b'{"a":', "application/json", "body")) == [("body", None, '{"a":')]
    mp = (b'--B\r\nContent-Disposition: form-data; name="meta"\r\nContent-Type: application/json'
          b'\r\n\r\n{"imei":"value1"}\r\n--B\r\nContent-Disposition: form-data; name="t"\r\n\r\nhello world\r\n--B--\r\n')
    got = _kv(typed_fragments(mp, "multipart/form-data; boundary=B", "body"))
    assert ("body", "imei", "value1") in got and ("body", "t", "hello world") in got
    assert _kv(typed_fragments(b"\xff\xfebin", "application/octet-stream", "body"))[0][2].endswith("bin")


def test_nested_base64_text_is_decoded_binary_is_skipped():
    from privascope.traffic.fragments import Fragment

    blob = base64.b64encode(b"hello nested world").decode()
    f = Fragment("header", "X-Token", f"v1.{blob}.sig")
    assert [(n.text, n.via, n.key) for n in nested_fragments(f, 1 << 20)] == [
        ("hello nested world", "base64", "X-Token")]
    binary = base64.b64encode(bytes(range(200))).decode()
    assert list(nested_fragments(Fragment("body", None, binary), 1 << 20)) == []
    md5_hex = "0123456789abcdef0123456789abcdef"  # valid base64 alphabet, binary when decoded
    assert list(nested_fragments(Fragment("body", None, md5_hex), 1 << 20)) == []


def test_body_charset_from_the_media_type():
    body = "ssid=办公室无线网络&x=1".encode("gbk")
    got = _kv(typed_fragments(body, "application/x-www-form-urlencoded; charset=GBK", "body"))
    assert ("body", "ssid", "办公室无线网络") in got
    text = _kv(typed_fragments("名字：张伟伟".encode("gb18030"), "text/plain; charset=gb18030", "body"))
    assert text == [("body", None, "名字：张伟伟")]
    assert _kv(typed_fragments(b"hello world", "text/plain; charset=nonsense", "body")) == [
        ("body", None, "hello world")]
