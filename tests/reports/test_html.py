"""The HTML report opened in headless Chromium: sections, language, escaping, offline, print."""
from __future__ import annotations

import dataclasses
import re

import pytest

from privascope.reports import write_reports
from tests.reports.conftest import open_page

pytestmark = pytest.mark.timeout(180)

SECTIONS = ("summary", "checklist", "findings", "timeline", "sdks", "permissions", "dataflow",
            "hosts", "method")


@pytest.fixture(scope="module")
def zh_report(hostile_bundle, report_catalog, tmp_path_factory):
    out = tmp_path_factory.mktemp("zh")
    return write_reports(hostile_bundle, out, ("html",), lang="zh", catalog=report_catalog)["html"]


def test_sections_and_no_console_errors(browser, zh_report, hostile_bundle):
    page, seen = open_page(browser, zh_report)
    try:
        for section in SECTIONS:
            assert page.locator(f"section#{section}").count() == 1, section
        assert seen["console_errors"] == [] and seen["page_errors"] == []
        assert seen["requests"] == []  # self-contained: nothing fetched from anywhere
        # every finding has its anchor, and checklist links resolve to findings
        for f in hostile_bundle.findings:
            assert page.locator(f"#f-{f.fingerprint}").count() == 1
        hrefs = page.eval_on_selector_all("#checklist a", "els => els.map(e => e.getAttribute('href'))")
        assert hrefs and all(page.locator(h).count() == 1 for h in set(hrefs))
        # the consent timeline shows grouped reads with counts and the consent events
        tl = page.inner_text("#timeline")
        assert "×5" in tl and "用户同意" in tl and "隐私弹窗显示" in tl and "后台" in tl
        # verdict and severity counts
        assert page.get_attribute("[data-verdict]", "data-verdict") == "fail"
        highs = sum(1 for f in hostile_bundle.findings if f.severity.value == "high")
        assert page.inner_text("[data-count=high]") == str(highs)
        # 3.1 fails on this run and links to the findings behind it
        row = page.locator('tr[data-clause="cac191/3.1"]')
        assert row.get_attribute("data-status") == "fail"
        page.screenshot(path=str(zh_report.with_suffix(".png")), full_page=True)
        assert zh_report.with_suffix(".png").stat().st_size > 10_000
        # sorting works and raises no error
        page.click("#permissions th >> nth=0")
        assert seen["page_errors"] == []
    finally:
        page.close()


def test_hostile_strings_are_inert(browser, zh_report, hostile_bundle):
    html = zh_report.read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert 'href="javascript' not in html.lower()
    assert html.count("<script>") == 1  # only our sort script
    page, seen = open_page(browser, zh_report)
    try:
        page.wait_for_timeout(300)
        assert seen["dialogs"] == []
        assert page.locator("img").count() == 0 and page.locator("svg").count() == 0
        assert page.locator("script").count() == 1
        # no attribute handler anywhere in the document
        handlers = page.evaluate("""() => Array.from(document.querySelectorAll('*')).flatMap(
            el => Array.from(el.attributes).filter(a => a.name.startsWith('on')).map(a => a.name))""")
        assert handlers == []
        # the payload is shown as text, where a reviewer can read it
        body = page.inner_text("body")
        assert '<script>alert("x1")</script>' in body
        # no live link leads outside the report
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        assert all(h.startswith("#") for h in hrefs)
    finally:
        page.close()


def test_raw_values_never_rendered(zh_report, hostile_bundle):
    html = zh_report.read_text(encoding="utf-8")
    assert "9a*********12" in html  # the masked preview is shown
    assert "hmac-sha256:" not in html  # digests are for correlation, not for readers


def test_english_report_and_suppressed_finding(browser, hostile_bundle, report_catalog, tmp_path):
    target = next(f for f in hostile_bundle.findings if f.rule == "PS202")
    from privascope.rules import evaluate

    b = evaluate(hostile_bundle, catalog=report_catalog, suppressions=[
        {"rule": "PS202", "fingerprint": target.fingerprint, "reason": "disclosed <b>in</b> policy §4"}])
    path = write_reports(b, tmp_path, ("html",), lang="en", catalog=report_catalog)["html"]
    page, seen = open_page(browser, path)
    try:
        assert page.get_attribute("html", "lang") == "en"
        text = page.inner_text(f"#f-{target.fingerprint}")
        assert "disclosed <b>in</b> policy §4" in text and "Suppressed" in text
        assert "Consent timeline" in page.inner_text("#timeline")
        # SDK names in both languages
        sdk_row = page.inner_text('tr[data-sdk="umeng-common"]')
        assert "Umeng common SDK" in sdk_row and "友盟基础组件" in sdk_row
        assert seen["console_errors"] == [] and seen["dialogs"] == []
        pdf = page.pdf()  # prints without error (Chromium's print path)
        assert pdf[:4] == b"%PDF"
    finally:
        page.close()


def test_static_only_report_has_no_timeline(hostile_bundle, report_catalog, tmp_path):
    static = dataclasses.replace(hostile_bundle, runtime=None, traffic=(),
                                 method=dataclasses.replace(hostile_bundle.method, kinds=("static",)))
    from privascope.rules import evaluate

    static = evaluate(static, catalog=report_catalog)
    html = write_reports(static, tmp_path, ("html",), catalog=report_catalog)["html"].read_text()
    assert "本次未进行运行时检测" in html and "本次未进行流量检测" in html
    row = re.search(r'<tr data-clause="cac191/3.1" data-status="(\w+)"', html)
    assert row and row.group(1) == "not_tested"


def test_real_hostile_sample_apk_renders_inert(browser, samples_build, catalog, tmp_path):
    """samples/build/hostile.apk (built by `make samples`): its label and a URL string carry
    <script> and "onerror= payloads."""
    from privascope.rules import evaluate
    from privascope.static.scan import scan_apk

    apk = samples_build / "hostile.apk"
    if not apk.exists():
        pytest.fail("samples/build/hostile.apk is missing: run `make samples`")
    bundle = evaluate(scan_apk(apk, catalog), catalog=catalog)
    assert "<script>" in (bundle.app.label or "")
    urls = [u for h in bundle.hosts for u in h.sample_urls]
    assert any("<script>" in u for u in urls)
    for lang in ("zh", "en"):
        path = write_reports(bundle, tmp_path / lang, ("html",), lang=lang, catalog=catalog)["html"]
        page, seen = open_page(browser, path)
        try:
            page.wait_for_timeout(200)
            assert seen["dialogs"] == [] and seen["page_errors"] == []
            assert page.locator("script").count() == 1 and page.locator("img").count() == 0
            body = page.inner_text("body")
            assert bundle.app.label in body  # shown, as text
            assert any(u in body for u in urls if "<script>" in u)
            hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
            assert all(h.startswith("#") for h in hrefs)
        finally:
            page.close()


def test_runtime_only_report_lists_sdks_and_permissions_seen_at_run_time(hostile_bundle,
                                                                          report_catalog, tmp_path):
    from privascope.rules import evaluate

    rt_only = dataclasses.replace(
        hostile_bundle, sdks=(), permissions=(), api_calls=(), hosts=(), privacy_policy=(),
        method=dataclasses.replace(hostile_bundle.method, kinds=("runtime", "traffic")))
    rt_only = evaluate(rt_only, catalog=report_catalog)
    assert not any(f.source == "static" for f in rt_only.findings)
    html = write_reports(rt_only, tmp_path, ("html",), lang="en",
                         catalog=report_catalog)["html"].read_text(encoding="utf-8")
    assert 'data-sdk="umeng-common"' in html
    assert "android.permission.ACCESS_FINE_LOCATION" in html.split('id="permissions"')[1]
    row = re.search(r'<tr data-clause="cac191/1.1" data-status="(\w+)"', html)
    assert row and row.group(1) == "not_tested"


def test_every_sdk_category_has_labels():
    from privascope.catalog import SDK_CATEGORIES
    from privascope.reports.i18n import CATEGORIES, LABELS

    for lang in ("zh", "en"):
        assert set(CATEGORIES[lang]) == set(SDK_CATEGORIES)
    assert set(LABELS["zh"]) == set(LABELS["en"])


def test_method_shows_what_was_set_on_the_device_and_the_clock_offset(hostile_bundle,
                                                                       report_catalog, tmp_path):
    # issue 11 items 12 and 13: the runtime permissions each scenario set, the corrected offset
    bundle = dataclasses.replace(
        hostile_bundle,
        method=dataclasses.replace(hostile_bundle.method, device_setup=(
            "reject: revoke <b>android.permission.CAMERA</b> (dialog on request)",)),
        runtime=dataclasses.replace(hostile_bundle.runtime, clock_offset_ms=-2345.6))
    html = write_reports(bundle, tmp_path, ("html",), catalog=report_catalog)["html"].read_text()
    assert "设备设置" in html and "reject: revoke &lt;b&gt;android.permission.CAMERA" in html
    assert "-2345.6 ms" in html


def test_device_traffic_is_shown_apart_escaped_and_is_no_evidence(hostile_bundle, report_catalog,
                                                                 tmp_path):
    """Issue 11 item 3: flows the app's process did not make are listed under their own
    heading with the reason, escaped; JSON keeps them in device_traffic; SARIF and the findings
    never cite them (judging moves them out of the evidence)."""
    import json

    from privascope.model import Origin
    from privascope.pipeline import judge

    app_flow = hostile_bundle.traffic[0]
    gms = dataclasses.replace(app_flow, id="dev-1", host="android.clients.google.com",
                              origin=Origin.DEVICE,
                              origin_reason="no process of the app asked for <b>android.clients.google.com</b>")
    odd = dataclasses.replace(app_flow, id="dev-2", host='<img src=x onerror=alert("h")>.example',
                              origin=Origin.UNKNOWN, origin_reason="connections not recorded")
    bundle = judge(dataclasses.replace(hostile_bundle, traffic=hostile_bundle.traffic + (gms, odd)),
                   catalog=report_catalog)
    assert {t.id for t in bundle.device_traffic} == {"dev-1", "dev-2"}
    paths = write_reports(bundle, tmp_path, ("html", "json", "sarif"), catalog=report_catalog)
    html = paths["html"].read_text(encoding="utf-8")
    section = html[html.index('<section id="device-traffic">'):]
    section = section[:section.index("</section>")]
    assert "设备上的其他流量 (2)" in section and "其他进程" in section and "无法归属" in section
    assert "no process of the app asked for &lt;b&gt;android.clients.google.com&lt;/b&gt;" in section
    assert "<img src=x" not in html and "&lt;img src=x" in section
    assert "dev-1" not in html.replace(section, "")  # not in findings, data flows or timeline
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert [t["origin"] for t in data["device_traffic"]] == ["device", "unknown"]
    assert "dev-1" not in paths["sarif"].read_text(encoding="utf-8")
    assert "android.clients.google.com" not in paths["sarif"].read_text(encoding="utf-8")
