"""Issue 13 items 6 and 7 on the `wrappers` sample (exact call sites written down from its smali)
and on corpus apps: library wrappers move their finding to the callers or are dead library code,
a vendor-namespace demo app's own classes are not the vendor's SDK, and intent-resolution calls
are weak evidence."""
from __future__ import annotations

import pytest

from privascope.rules import evaluate

WRAPPER = ("androidx.core.telephony.TelephonyManagerCompat.getImei("
           "Landroid/telephony/TelephonyManager;)Ljava/lang/String;")
IMEI = "android.telephony.TelephonyManager.getImei"

# (caller class, caller method, api, sdk, library, via_wrapper, reachable)
EXPECTED_SITES = {
    # compat wrapper: library code; its callers below carry the finding
    ("androidx.core.telephony.TelephonyManagerCompat$Api26Impl",
     "getImei(Landroid/telephony/TelephonyManager;)Ljava/lang/String;", IMEI, None, True, None,
     True),
    # called only by AndroidX's own AppCompatDelegateImpl: the library's business, no new site
    ("androidx.appcompat.app.TwilightManager", "isNight()Z",
     "android.location.LocationManager.getLastKnownLocation", None, True, None, True),
    # nothing calls it: dead library code
    ("androidx.core.content.PermissionChecker",
     "checkSelfPermission(Landroid/content/Context;Ljava/lang/String;)I",
     "android.content.pm.PackageManager.getPackagesForUid", None, True, None, False),
    # the demo's own code under the vendor namespace com.umeng.wrapdemo: not Umeng's
    ("com.umeng.wrapdemo.MainActivity", "onCreate(Landroid/os/Bundle;)V", IMEI, None, False,
     WRAPPER, True),
    ("com.umeng.wrapdemo.MainActivity", "share()V",
     "android.content.pm.PackageManager.queryIntentActivities", None, False, None, True),
    # stand-in SDK code calling the same wrapper: the SDK's site
    ("com.umeng.commonsdk.Probe", "imei()V", IMEI, "umeng-common", False, WRAPPER, True),
}


def test_exact_sites(sample_scan):
    b = sample_scan("wrappers")
    got = {(s.caller_class, s.caller_method, s.api, s.sdk, s.library, s.via_wrapper, s.reachable)
           for s in b.api_calls}
    assert got == EXPECTED_SITES
    assert len(b.api_calls) == len(EXPECTED_SITES)
    # the demo's own classes do not make Umeng present: only the stand-in SDK class counts
    assert [(p.id, p.class_count, p.pi_types) for p in b.sdks] == [
        ("umeng-common", 1, ("device.imei",))]
    assert [(e.class_name, e.sdk) for e in b.startup.entry_points] == [
        ("com.umeng.wrapdemo.DemoApp", None)]


def test_findings_follow_the_callers_and_the_strength(sample_scan, static_catalog):
    b = evaluate(sample_scan("wrappers"), catalog=static_catalog)
    got = sorted((f.rule, f.sdks, f.pi_types, f.severity.value, f.confidence.value)
                 for f in b.findings if f.rule in ("PS301", "PS302"))
    assert got == [
        ("PS301", (), ("device.imei",), "medium", "medium"),
        ("PS301", ("umeng-common",), ("device.imei",), "medium", "medium"),
        # the app's own queryIntentActivities only (getPackagesForUid is dead library code)
        ("PS302", (), ("app_list",), "low", "low"),
    ]
    (own_imei,) = [f for f in b.findings if f.rule == "PS301" and not f.sdks]
    assert "1 call site" in own_imei.message  # the wrapper's own site is not counted


# --------------------------------------------------------------------------------- corpus

@pytest.fixture(scope="module")
def corpus_scan(corpus_dir, static_catalog):
    from privascope.static.scan import scan_apk

    cache: dict = {}

    def scan(name: str):
        if name not in cache:
            cache[name] = scan_apk(corpus_dir / name, static_catalog)
        return cache[name]

    return scan


def test_corpus_bugly_demo_own_classes_are_the_app(corpus_scan):
    """bugly_hotfix_demo.apk is Bugly's own demo (package com.tencent.bugly.hotfix): its
    MainActivity/SampleApplication are the app, Bugly's SDK classes stay Bugly's."""
    b = corpus_scan("bugly_hotfix_demo.apk")
    assert [(p.id, p.class_count) for p in b.sdks] == [
        ("tencent-tinker", 288), ("tencent-bugly", 141), ("tencent-bugly-upgrade", 49),
        ("tencent-bugly-hotfix", 22)]
    assert b.startup.entry_points[0].class_name == "com.tencent.bugly.hotfix.SampleApplication"
    assert b.startup.entry_points[0].sdk is None
    # support-library sites are library code; nothing of the app calls those wrappers
    lib = sorted((s.caller_class, s.api.rsplit(".", 1)[1]) for s in b.api_calls if s.library)
    assert lib == [
        ("android.support.v4.app.NotificationCompatSideChannelService", "getPackagesForUid"),
        ("android.support.v4.app.NotificationManagerCompat$SideChannelManager",
         "queryIntentServices"),
        ("android.support.v4.content.PermissionChecker", "getPackagesForUid"),
        ("android.support.v4.media.MediaBrowserServiceCompat", "getPackagesForUid"),
        ("android.support.v4.media.session.MediaButtonReceiver", "queryIntentServices"),
        ("android.support.v7.app.TwilightManager", "getLastKnownLocation"),
        ("android.support.v7.app.TwilightManager", "getLatitude"),
        ("android.support.v7.app.TwilightManager", "getLongitude"),
        ("android.support.v7.widget.ActivityChooserModel", "queryIntentActivities"),
    ]
    assert not [s for s in b.api_calls if s.via_wrapper]
    assert not [s for s in b.api_calls if s.sdk is None and not s.library]


def test_corpus_companion_packages_read_the_imei_as_their_sdk(corpus_scan):
    """amap_3d_demo.apk: AMap's old location package com.aps (com.aps.a reads IMEI/IMSI) is
    amap-location's next to com.amap.api.location; yichou_UmengDemo.apk: old U-App's u.aly."""
    amap = corpus_scan("amap_3d_demo.apk")
    aps = {(s.caller_class, s.sdk) for s in amap.api_calls
           if s.api == "android.telephony.TelephonyManager.getDeviceId"
           and s.caller_class.startswith("com.aps.")}
    assert aps == {("com.aps.a", "amap-location"), ("com.aps.ac", "amap-location")}
    assert not [s for s in amap.api_calls if s.sdk is None]
    umeng = corpus_scan("yichou_UmengDemo.apk")
    aly = {s.sdk for s in umeng.api_calls if s.caller_class.startswith("u.aly.")}
    assert aly == {"umeng-analytics"}


def test_corpus_androidx_compat_sites_are_library(corpus_scan):
    """flowdroid_MapClearTest_multidex.apk ships AndroidX's TelephonyManagerCompat (reads the
    IMEI) but its own MainActivity calls TelephonyManager.getDeviceId directly: the compat sites
    are library code that nothing in the app calls, the app's own read stays the app's."""
    b = corpus_scan("flowdroid_MapClearTest_multidex.apk")
    imei = {(s.caller_class, s.library) for s in b.api_calls if s.pi_type == "device.imei"}
    assert imei == {
        ("androidx.core.telephony.TelephonyManagerCompat", True),
        ("androidx.core.telephony.TelephonyManagerCompat$Api23Impl", True),
        ("androidx.core.telephony.TelephonyManagerCompat$Api26Impl", True),
        ("com.example.mapclearapp.MainActivity", False),
    }
    own = [s for s in b.api_calls if not s.library and s.sdk is None]
    assert {s.caller_class for s in own} == {"com.example.mapclearapp.MainActivity"}


def test_start_reachability_sees_the_callers_not_the_wrapper(sample_scan):
    """The sample has no start-up code: nothing reachable at start; the moved sites still get
    `reachable` from the activity (component reachability runs after the move)."""
    b = sample_scan("wrappers")
    assert b.startup.reachable_calls == ()
    moved = [s for s in b.api_calls if s.via_wrapper]
    assert len(moved) == 2 and all(s.reachable for s in moved)


def test_a_failing_caller_search_keeps_the_sites(samples_build, static_catalog, monkeypatch):
    """A bug in the caller search costs only the move: the wrapper sites are still library,
    the scan stands and its limits say what is missing."""
    from privascope.static import wrappers
    from privascope.static.scan import scan_apk

    def broken(*_a, **_k):
        raise RuntimeError("boom")

    monkeypatch.setattr(wrappers, "_Callers", broken)
    b = scan_apk(samples_build / "wrappers.apk", static_catalog)
    assert sum(s.library for s in b.api_calls) == 3
    assert not [s for s in b.api_calls if s.via_wrapper]
    assert any("library wrapper callers not found (RuntimeError: boom)" in x
               for x in b.startup.limits)
