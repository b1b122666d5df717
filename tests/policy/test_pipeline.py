"""The policy through the commands: the sample APK whose bundled policy lists Umeng but not JPush
(started at process start) or Bugly; `scan --policy`, `batch --policy-dir`, bad policy files;
the report section in headless Chromium with hostile policy markup kept inert."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from privascope.cli import main
from privascope.model import Bundle, from_json
from tests.conftest import open_page
from tests.policy.conftest import FIXTURES


def _scan(apk: Path, out: Path, *extra: str) -> Bundle:
    assert main(["scan", str(apk), "-o", str(out), "--format", "json,html", *extra]) == 0
    return from_json(Bundle, (out / "bundle.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def policy_apk(samples_build) -> Path:
    apk = samples_build / "policy.apk"
    if not apk.exists():
        pytest.fail("samples/build/policy.apk missing: run `make samples`")
    return apk


@pytest.fixture(scope="module")
def sample_scan(policy_apk, tmp_path_factory):
    out = tmp_path_factory.mktemp("policy-sample")
    return _scan(policy_apk, out, "--lang", "en"), out


def test_sample_lists_the_undisclosed_sdks(sample_scan):
    b, _out = sample_scan
    p = b.policy
    assert [(s.kind, s.path, s.language) for s in p.sources] == [
        ("asset", "assets/privacy_policy.html", "zh")]
    assert [d.sdk for d in p.declared_sdks] == ["umeng-analytics"]
    assert {(u.sdk, u.evidence) for u in p.undisclosed_sdks} == {
        ("jpush", "started"), ("tencent-bugly", "present")}
    contacts = next(u for u in p.undeclared_pi if u.pi_type == "contacts")
    assert contacts.negated is not None and "通讯录" in p.declared_pi[contacts.negated].quote
    assert p.permissions_without_purpose == ("android.permission.READ_PHONE_STATE",)
    by_rule = {}
    for f in b.findings:
        by_rule.setdefault(f.rule, []).append(f)
    assert {f.sdks for f in by_rule["PS501"]} == {("jpush",), ("tencent-bugly",)}
    assert all(("cac191", "2.1") in {(c.framework, c.item) for c in f.clauses}
               for f in by_rule["PS501"])
    conf = {f.sdks[0]: f.confidence.value for f in by_rule["PS501"]}
    assert conf == {"jpush": "medium", "tencent-bugly": "low"}  # started > present
    assert [f.pi_types for f in by_rule["PS503"]] == [("contacts",)]
    assert "PS305" not in by_rule


def test_sample_report_section_is_inert(sample_scan, browser):
    _b, out = sample_scan
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(" not in html and "onerror=" not in html  # escaped, not markup
    page, seen = open_page(browser, out / "report.html")
    try:
        section = page.locator("#policy-behaviour")
        text = section.inner_text(timeout=10000)
        hrefs = section.locator("a[href^='#']").evaluate_all(
            "els => els.map(e => e.getAttribute('href'))")
        dangling = [h for h in hrefs if page.locator(f"[id='{h[1:]}']").count() != 1]
    finally:
        page.close()
    assert "JPush" in text and "not listed" in text
    # the quoted sentence with escaped markup shows as text, scripts never run
    assert '<script>alert("quoted-xss")</script>' in text
    assert seen["dialogs"] == [] and seen["page_errors"] == [] and seen["requests"] == []
    assert len(hrefs) > 5 and dangling == []  # every cell link resolves


def test_scan_with_user_policy_files(samples_build, tmp_path):
    """The sdk sample has no policy asset: the files given (policy + separate SDK page) are
    read, the Umeng modules count as disclosed, the policy URL found is listed."""
    b = _scan(samples_build / "sdk.apk", tmp_path, "--policy", str(FIXTURES / "zh_prose.txt"),
              "--policy", str(FIXTURES / "en_sdk_page.html"))
    p = b.policy
    assert [s.kind for s in p.sources] == ["file", "file"]
    assert {s.language for s in p.sources} == {"zh", "en"}
    assert not {u.sdk for u in p.undisclosed_sdks} & {"umeng-common", "umeng-analytics"}
    assert p.urls == ("https://www.sdkapp.example.com/privacy-policy.html",)
    assert any("not fetched" in lim for lim in p.limits)


def test_no_policy_gives_a_limit_and_no_comparison(samples_build, tmp_path):
    b = _scan(samples_build / "clean.apk", tmp_path)
    assert b.policy.sources == () and b.policy.undisclosed_sdks == ()
    assert any("no privacy policy text" in lim for lim in b.policy.limits)
    assert not [f for f in b.findings if f.rule.startswith("PS5")]


@pytest.mark.parametrize("make,message", [
    (lambda d: d / "missing.html", "cannot read policy"),
    (lambda d: (d / "x.pdf").write_bytes(b"%PDF-1.4 junk") and d / "x.pdf", "not a readable PDF"),
])
def test_bad_policy_file_is_exit_2(samples_build, tmp_path, capsys, make, message):
    path = make(tmp_path)
    code = main(["scan", str(samples_build / "clean.apk"), "-o", str(tmp_path / "o"),
                 "--policy", str(path)])
    assert code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "o" / "bundle.json").exists()


def test_batch_policy_dir_by_package_and_sha(samples_build, tmp_path):
    pdir = tmp_path / "policies"
    (pdir / "com.example.sdkapp").mkdir(parents=True)
    shutil.copy(FIXTURES / "zh_prose.txt", pdir / "com.example.sdkapp" / "policy.txt")
    import hashlib
    sha = hashlib.sha256((samples_build / "clean.apk").read_bytes()).hexdigest()
    (pdir / sha).mkdir()
    shutil.copy(FIXTURES / "en_policy.html", pdir / sha / "privacy.html")
    out = tmp_path / "out"
    code = main(["batch", str(samples_build / "sdk.apk"), str(samples_build / "clean.apk"),
                 "-o", str(out), "--format", "json", "--jobs", "1", "--policy-dir", str(pdir)])
    assert code == 0
    bundles = {b.app.package: b for b in (from_json(Bundle, p.read_text(encoding="utf-8"))
                                           for p in out.rglob("bundle.json"))}
    assert [s.path for s in bundles["com.example.sdkapp"].policy.sources] == [
        str(pdir / "com.example.sdkapp" / "policy.txt")]
    assert [s.path for s in bundles["com.example.clean"].policy.sources] == [
        str(pdir / sha / "privacy.html")]


def test_batch_rejects_a_missing_policy_dir(samples_build, tmp_path, capsys):
    code = main(["batch", str(samples_build / "clean.apk"), "-o", str(tmp_path / "o"),
                 "--policy-dir", str(tmp_path / "nope")])
    assert code == 2 and "--policy-dir" in capsys.readouterr().err


def test_bundle_policy_key_matches_the_contract(sample_scan):
    _b, out = sample_scan
    data = json.loads((out / "bundle.json").read_text(encoding="utf-8"))["policy"]
    assert set(data) >= {"sources", "declared_pi", "declared_sdks", "undisclosed_sdks",
                         "undeclared_pi", "limits"}
    assert set(data["sources"][0]) >= {"kind", "path", "language", "sha256"}
    assert set(data["declared_pi"][0]) >= {"pi_type", "negated", "quote", "source"}
    assert set(data["declared_sdks"][0]) >= {"name", "sdk", "pi_types", "quote", "source"}
    assert set(data["undisclosed_sdks"][0]) >= {"sdk", "evidence"}
    assert data["undisclosed_sdks"][0]["evidence"] in (
        "present", "calls_pi", "started", "observed_read", "observed_sent")
    assert set(data["undeclared_pi"][0]) >= {"pi_type", "evidence"}


def test_apk_policy_assets_found_by_title_or_name_and_sdk_pages_skipped(tmp_path, catalog):
    """Assets: a page titled as a policy, a WebView page named privacy*.html without a title
    phrase, and an SDK's own policy page (named after the SDK), which is not the app's."""
    import zipfile

    from privascope.policy import find_in_apk

    apk = tmp_path / "a.apk"
    with zipfile.ZipFile(apk, "w") as zf:
        zf.writestr("AndroidManifest.xml", b"\x03\x00")
        zf.writestr("assets/web/index.html", "<h1>隐私政策</h1><p>我们会收集您的手机号码。</p>")
        zf.writestr("assets/privacy_en.html", "<h1>Our rules</h1><p>We collect your email.</p>")
        zf.writestr("assets/umeng/policy.html", "<h1>友盟+隐私政策</h1><p>我们收集设备标识符。</p>")
        zf.writestr("assets/help.html", "<h1>帮助</h1><p>点击设置。</p>")
        zf.writestr("res/raw/terms.txt", "Privacy Policy\nWe collect your location to show maps.")
    docs, problems = find_in_apk(apk, catalog)
    assert sorted(d.path for d in docs) == ["assets/privacy_en.html", "assets/web/index.html",
                                            "res/raw/terms.txt"]
    assert any("assets/umeng/policy.html" in p and "SDK" in p for p in problems)
