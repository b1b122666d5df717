"""PS305 ("no privacy policy found") no longer passes on an SDK's own policy: a policy URL on an
SDK's catalog host, or a policy text that only SDK classes load, is the SDK's (its ref names the
SDK); a text the app's code or a resource holds stays the app's."""
from __future__ import annotations

from privascope.rules import evaluate
from privascope.static.scan import scan_apk
from privascope.static.strings import StringFindings


def test_url_on_an_sdk_host_is_the_sdks(catalog):
    f = StringFindings()
    f.add_strings(["https://www.umeng.com/page/policy", "https://app.example.com/privacy.html"],
                  "classes.dex", catalog)
    refs = {p.value: p.sdk for p in f.policy_refs()}
    assert refs == {"https://www.umeng.com/page/policy": "umeng-common",
                    "https://app.example.com/privacy.html": None}


def test_text_only_sdk_code_loads_is_the_sdks_unless_the_app_holds_it_too(catalog):
    f = StringFindings()
    f.add_strings(["请阅读友盟+隐私政策", "请阅读我们的隐私政策"], "classes.dex", catalog)
    hits = dict((k[1], pos) for pos, k in f.policy_hits)
    assert set(hits) == {"请阅读友盟+隐私政策", "请阅读我们的隐私政策"}
    f.owned_by_sdks({("text", "请阅读友盟+隐私政策"): "umeng-common",
                     ("text", "请阅读我们的隐私政策"): None})
    assert {p.value: p.sdk for p in f.policy_refs()} == {
        "请阅读友盟+隐私政策": "umeng-common", "请阅读我们的隐私政策": None}
    # the same text in a resource: the app's own after all, whatever a later dex says
    f.add_strings(["请阅读友盟+隐私政策"], "resources.arsc", catalog)
    f.owned_by_sdks({("text", "请阅读友盟+隐私政策"): "umeng-common"})
    assert {p.value: p.sdk for p in f.policy_refs()}["请阅读友盟+隐私政策"] is None


def test_corpus_app_with_only_an_sdk_policy_url_gets_ps305(corpus_dir, catalog):
    """jpush_hbuilder_hello names QQ Connect's policy endpoint in the SDK's code and has no
    policy of its own: before, that URL made PS305 pass."""
    b = scan_apk(corpus_dir / "jpush_hbuilder_hello.apk", catalog)
    assert b.privacy_policy and all(p.sdk for p in b.privacy_policy)
    assert "PS305" in {f.rule for f in evaluate(b, catalog=catalog).findings}
    b = scan_apk(corpus_dir / "getactivity_AndroidProject_2019-09_bugly_umeng.apk", catalog)
    assert any(p.sdk is None for p in b.privacy_policy)
    assert "PS305" not in {f.rule for f in evaluate(b, catalog=catalog).findings}
