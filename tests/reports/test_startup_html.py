"""The "At process start" section: the startup sample's chains in headless Chromium, hostile
class names inert, and static "reachable at start" next to runtime "observed before consent"."""
from __future__ import annotations

import dataclasses

import pytest

from privascope.model import AppState, ConsentPhase, RuntimeEvent, RuntimeEvidence
from privascope.reports import write_reports
from tests.reports.conftest import open_page

PAYLOAD = '<img src=x onerror=alert("start")>'


@pytest.fixture(scope="module")
def startup_bundle(samples_build, catalog):
    from privascope.rules import evaluate
    from privascope.static.scan import scan_apk

    apk = samples_build / "startup.apk"
    if not apk.exists():
        pytest.fail("samples/build/startup.apk is missing: run `make samples`")
    return evaluate(scan_apk(apk, catalog), catalog=catalog)


def test_section_shows_entry_points_chains_and_gates(browser, startup_bundle, catalog, tmp_path):
    path = write_reports(startup_bundle, tmp_path, ("html",), lang="en", catalog=catalog)["html"]
    page, seen = open_page(browser, path)
    try:
        section = page.locator("#process-start")
        text = section.inner_text()
        assert "At process start" in text
        assert "com.example.startapp.PushProvider" in text and ":push" in text
        # the Umeng start, ungated; the JPush start behind the consent flag
        assert "StartApp.onCreate → UMConfigure.init" in text
        assert "StartApp.onCreate → StartApp.initAfterConsent → JPushInterface.init" in text
        assert section.locator("tr.start-gated").count() >= 2  # JPush init and its IMEI read
        # full method names in the tooltips
        titles = section.locator(".chain span").evaluate_all("els => els.map(e => e.title)")
        assert "com.example.startapp.StartApp.onCreate()V" in titles
        assert seen["page_errors"] == [] and seen["console_errors"] == []
        assert seen["requests"] == []
    finally:
        page.close()


def test_hostile_names_are_inert_and_runtime_is_compared(browser, startup_bundle, catalog,
                                                         tmp_path):
    s = startup_bundle.startup
    entry = dataclasses.replace(s.entry_points[0], class_name="a." + PAYLOAD)
    calls = tuple(dataclasses.replace(c, entry=entry.class_name, path=(PAYLOAD + "()V",) + c.path)
                  if c.entry == s.entry_points[0].class_name else c for c in s.reachable_calls)
    imei = next(c for c in s.reachable_calls if c.pi_type == "device.imei" and not c.gated)
    rt = RuntimeEvidence(target="jvm:test", started_at=1.0, ended_at=9.0, api_calls=(
        RuntimeEvent(id="e1", time=2.0, api=imei.api, pi_type="device.imei", value=None,
                     obtained=True, exception=None, thread="main", stack=(), sdk=imei.sdk,
                     caller=None, app_state=AppState.FOREGROUND,
                     consent_phase=ConsentPhase.BEFORE),
        RuntimeEvent(id="e2", time=3.0, api="android.provider.Settings$Secure.getString",
                     pi_type="device.android_id", value=None, obtained=True, exception=None,
                     thread="main", stack=(), sdk="umeng-common", caller=None,
                     app_state=AppState.FOREGROUND, consent_phase=ConsentPhase.BEFORE)))
    bundle = dataclasses.replace(
        startup_bundle, runtime=rt, method=dataclasses.replace(
            startup_bundle.method, kinds=("static", "runtime")),
        startup=dataclasses.replace(s, entry_points=(entry,) + s.entry_points[1:],
                                    reachable_calls=calls))
    path = write_reports(bundle, tmp_path, ("html",), lang="en", catalog=catalog)["html"]
    page, seen = open_page(browser, path)
    try:
        page.wait_for_timeout(200)
        assert seen["dialogs"] == [] and seen["page_errors"] == []
        assert page.locator("#process-start img").count() == 0
        assert PAYLOAD in page.locator("#process-start").inner_text()  # shown as text
        rows = page.locator("table.start-compare tr").evaluate_all(
            "els => els.map(e => [e.className, e.innerText])")
        agree = [t for c, t in rows if c == "start-agree"]
        assert len(agree) == 1 and "IMEI" in agree[0]  # static and runtime both
        assert any(c == "start-differ" and "Android ID" in t and "runtime only" in t
                   for c, t in rows)
        assert any(c == "start-differ" and "static only" in t for c, t in rows)
    finally:
        page.close()


def test_bundle_without_startup_has_no_section(hostile_bundle, catalog):
    from privascope.reports.html import render_html

    assert hostile_bundle.startup is None
    assert 'id="process-start"' not in render_html(hostile_bundle, catalog, "zh")
