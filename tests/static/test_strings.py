"""Hosts, URLs and privacy-policy references from strings."""
from __future__ import annotations

from privascope.static.strings import StringFindings, host_of


def _find(catalog, strings, in_text=False):
    f = StringFindings()
    f.add_strings(strings, "src", catalog, in_text=in_text)
    return {h.host: h for h in f.host_refs()}, {(p.kind, p.value) for p in f.policy_refs()}


def test_namespaces_are_not_destinations(static_catalog):
    hosts, _ = _find(static_catalog, [
        "http://schemas.android.com/apk/res/android", "http://www.w3.org/2000/svg",
        "http://www.apache.org/licenses/LICENSE-2.0", "https://api.example.org/v2/items"])
    assert set(hosts) == {"api.example.org"}


def test_bare_catalog_host_counts_bare_other_host_does_not(static_catalog):
    sdk = static_catalog.sdk_for_host("alog.umeng.com")
    hosts, _ = _find(static_catalog, ["alog.umeng.com", "cdn.example.com", "com.umeng.Foo"])
    assert set(hosts) == {"alog.umeng.com"}
    assert hosts["alog.umeng.com"].sdk == sdk.id and hosts["alog.umeng.com"].sample_urls == ()


def test_urls_in_text_end_at_quotes_dex_strings_stay_whole(static_catalog):
    line = '{"u":"https://api.example.com/a?b=1","n":2}'
    hosts, _ = _find(static_catalog, [line], in_text=True)
    assert hosts["api.example.com"].sample_urls == ("https://api.example.com/a?b=1",)
    hosts, _ = _find(static_catalog, ['http://e.example.net/?q="x"'])
    assert hosts["e.example.net"].sample_urls == ('http://e.example.net/?q="x"',)


def test_privacy_policy_urls_and_texts(static_catalog):
    _, policy = _find(static_catalog, [
        "https://www.example.com/legal/privacy.html", "https://www.example.com/home",
        "请先阅读并同意《隐私政策》", "Please read our privacy policy first", "privacyPolicyUrl",
        "getPrivacyPolicy"])
    assert ("url", "https://www.example.com/legal/privacy.html") in policy
    assert ("text", "请先阅读并同意《隐私政策》") in policy
    assert ("text", "Please read our privacy policy first") in policy
    assert not any("example.com/home" in v or "privacyPolicyUrl" in v or "getPrivacy" in v
                   for _k, v in policy)


def test_host_of():
    assert host_of("https://User@API.Example.COM:8443/x") == "api.example.com"
    assert host_of("http://10.0.2.2/") == "10.0.2.2"
    assert host_of("http://[::1/") is None
    assert host_of("https://%s/") is None
