"""What runs at process start (issue 13): exact chains on the `startup` sample built from smali,
a corpus app checked by hand, and the JSON contract of the bundle key `startup`."""
from __future__ import annotations

import pytest

from privascope.model import Bundle, from_json, to_data, to_json

APP = "com.example.startapp.StartApp"
ON_CREATE = f"{APP}.onCreate()V"


def _calls(bundle):
    return {r.api: r for r in bundle.startup.reachable_calls}


def _inits(bundle):
    return {(r.sdk, r.role): r for r in bundle.startup.sdk_inits}


def test_entry_points_with_processes(sample_scan):
    s = sample_scan("startup").startup
    assert [(e.kind, e.class_name, e.process, e.sdk) for e in s.entry_points] == [
        ("application", APP, None, None),
        ("provider", "com.google.firebase.provider.FirebaseInitProvider", None, "firebase-common"),
        ("provider", "androidx.startup.InitializationProvider", None, None),
        ("initializer", "com.example.startapp.AnalyticsInitializer", None, None),
        ("provider", "com.example.startapp.PushProvider", ":push", None),
    ]


# api -> (path, gated, confidence, via); each chain written out from the smali sources
EXPECTED = {
    # Application -> SDK init -> PI read
    "android.telephony.TelephonyManager.getDeviceId": (
        (ON_CREATE, "com.umeng.commonsdk.UMConfigure.init(Landroid/content/Context;)V",
         "com.umeng.commonsdk.internal.DeviceInfo.imei(Landroid/content/Context;)"
         "Ljava/lang/String;"), False, "high", ("invoke",)),
    # thread, handler and executor edges (lower confidence)
    "android.telephony.TelephonyManager.getSubscriberId": (
        (ON_CREATE, "com.example.startapp.StartTask.run()V"), False, "medium", ("async",)),
    "android.net.wifi.WifiInfo.getMacAddress": (
        (ON_CREATE, "com.example.startapp.PostTask.run()V"), False, "medium", ("async",)),
    "android.telephony.TelephonyManager.getLine1Number": (
        (ON_CREATE, "com.example.startapp.ExecTask.run()V"), False, "medium", ("async",)),
    # static initialiser on first use of a static field
    "android.os.Build.getSerial": (
        (ON_CREATE, "com.example.startapp.Config.<clinit>()V"), False, "high", ("clinit",)),
    # interface call: two implementations (CHA fan-out)
    "android.telephony.TelephonyManager.getCellLocation": (
        (ON_CREATE, "com.example.startapp.TrackerB.track()V"), False, "medium", ("cha",)),
    # provider auto-start of an SDK
    "android.os.Build.SERIAL": (
        ("com.google.firebase.provider.FirebaseInitProvider.onCreate()Z",
         "com.google.firebase.FirebaseApp.initializeApp(Landroid/content/Context;)V"),
        False, "high", ("invoke",)),
    # androidx.startup initializer
    "android.location.LocationManager.getLastKnownLocation": (
        ("com.example.startapp.AnalyticsInitializer.create(Landroid/content/Context;)"
         "Ljava/lang/Object;",), False, "high", ()),
    # provider of another process
    "android.telephony.TelephonyManager.getSimSerialNumber": (
        ("com.example.startapp.PushProvider.onCreate()Z",), False, "high", ()),
    # behind a saved consent flag
    "android.telephony.TelephonyManager.getImei": (
        (ON_CREATE, f"{APP}.initAfterConsent()V",
         "cn.jpush.android.api.JPushInterface.init(Landroid/content/Context;)V"),
        True, "high", ("invoke",)),
}


@pytest.mark.parametrize("api", sorted(EXPECTED))
def test_exact_chains(sample_scan, api):
    path, gated, confidence, via = EXPECTED[api]
    r = _calls(sample_scan("startup"))[api]
    assert r.path == path
    assert (r.gated, r.confidence.value, r.via) == (gated, confidence, via)
    assert r.caller_class + "." + r.caller_method == path[-1]


def test_reachable_set_is_exact_and_the_activity_decoy_is_not_in_it(sample_scan):
    b = sample_scan("startup")
    assert set(_calls(b)) == set(EXPECTED)
    # the decoy is a real call site, reached only from MainActivity.onCreate
    decoy = "android.telephony.TelephonyManager.getNetworkOperator"
    assert [c.caller_class for c in b.api_calls if c.api == decoy] == [
        "com.example.startapp.MainActivity"]
    assert decoy not in _calls(b)


def test_every_reachable_call_points_at_its_call_site(sample_scan):
    b = sample_scan("startup")
    sites = {c.id: c for c in b.api_calls}
    for r in b.startup.reachable_calls:
        site = sites[r.call_site]
        assert (site.api, site.caller_class, site.caller_method) == (
            r.api, r.caller_class, r.caller_method)


def test_process_and_gate_evidence(sample_scan):
    calls = _calls(sample_scan("startup"))
    assert calls["android.telephony.TelephonyManager.getSimSerialNumber"].process == ":push"
    gate = calls["android.telephony.TelephonyManager.getImei"].gate
    assert "'privacy_agreed'" in gate and f"{APP}.initAfterConsent()V" in gate
    assert calls["android.telephony.TelephonyManager.getDeviceId"].gate is None


def test_sdk_inits(sample_scan):
    inits = _inits(sample_scan("startup"))
    assert set(inits) == {("umeng-common", "init"), ("jpush", "init"),
                          ("firebase-common", "init"), ("firebase-common", "provider")}
    um = inits[("umeng-common", "init")]
    assert (um.path, um.gated, um.confidence.value) == (
        (ON_CREATE, "com.umeng.commonsdk.UMConfigure.init"), False, "high")
    assert um.source.startswith("https://developer.umeng.com/")
    jp = inits[("jpush", "init")]
    assert jp.gated and jp.path == (ON_CREATE, f"{APP}.initAfterConsent()V",
                                    "cn.jpush.android.api.JPushInterface.init")
    fb = inits[("firebase-common", "provider")]
    assert (fb.target, fb.path, fb.gated) == (
        "com.google.firebase.provider.FirebaseInitProvider",
        ("com.google.firebase.provider.FirebaseInitProvider.onCreate()Z",), False)


def test_rules_on_the_sample(sample_scan, static_catalog):
    from privascope.rules import evaluate

    out = evaluate(sample_scan("startup"), catalog=static_catalog)
    by = {}
    for f in out.findings:
        by.setdefault(f.rule, []).append(f)
    assert sorted(f.sdks for f in by["PS307"]) == [("firebase-common",), ("umeng-common",)]
    assert [f.sdks for f in by["PS309"]] == [("jpush",)]
    assert "privacy_agreed" in by["PS309"][0].message
    pis = {f.pi_types[0] for f in by["PS308"]}
    assert "device.imei" in pis and "network.cell_location" in pis
    # the gated IMEI read (JPush) gives no PS308 finding of its own
    assert not [f for f in by["PS308"] if f.sdks == ("jpush",)]
    assert all(f.source == "static" and "reachable" in f.title for f in by["PS308"])
    status = {(c.framework, c.item): c.status.value for c in out.assessment.checklist}
    assert status[("cac191", "3.1")] == "review"  # static reachability asks for a look


def test_no_chain_is_no_pass(sample_scan, static_catalog):
    """A static run with no SDK start and no PI read at start does not pass 3.1: a chain not
    found proves nothing about what runs before consent."""
    from privascope.rules import evaluate

    out = evaluate(sample_scan("clean"), catalog=static_catalog)
    status = {(c.framework, c.item): c.status.value for c in out.assessment.checklist}
    assert status[("cac191", "3.1")] == "not_tested"


def test_json_contract(sample_scan):
    data = to_data(sample_scan("startup"))["startup"]
    assert {"entry_points", "reachable_calls", "sdk_inits", "limits"} <= set(data)
    assert set(data["entry_points"][0]) >= {"kind", "class", "process"}
    assert set(data["reachable_calls"][0]) >= {"api", "pi_type", "caller_class",
                                               "caller_method", "sdk", "path", "gated",
                                               "confidence"}
    assert set(data["sdk_inits"][0]) >= {"sdk", "target", "caller_class", "path", "gated",
                                         "confidence"}
    assert all(isinstance(x, str) for x in data["limits"]) and data["limits"]
    again = from_json(Bundle, to_json(sample_scan("startup")))
    assert again.startup == sample_scan("startup").startup


def test_apps_without_start_code(sample_scan):
    s = sample_scan("clean").startup
    assert s is not None and not s.reachable_calls and not s.sdk_inits


# --------------------------------------------------------------------------- corpus, by hand


def test_corpus_getactivity_umeng_and_bugly_started_in_application(corpus_dir, static_catalog):
    """AndroidProject (getActivity, 2019-09): MyApplication.onCreate calls initSDK, which calls
    UmengClient.init -> UMConfigure.init(Context, String, String, int, String) and
    CrashReport.initCrashReport(Context, String, boolean) directly, with no consent check
    (read in the dex: initSDK's invokes at pc 10 and 33). Both SDKs start at process start."""
    from privascope.static.scan import scan_apk

    b = scan_apk(corpus_dir / "getactivity_AndroidProject_2019-09_bugly_umeng.apk",
                 static_catalog)
    inits = _inits(b)
    app = "com.hjq.demo.common.MyApplication"
    assert inits[("umeng-common", "init")].path == (
        f"{app}.onCreate()V", f"{app}.initSDK(Landroid/app/Application;)V",
        "com.hjq.umeng.UmengClient.init(Landroid/app/Application;)V",
        "com.umeng.commonsdk.UMConfigure.init")
    assert inits[("tencent-bugly", "init")].path == (
        f"{app}.onCreate()V", f"{app}.initSDK(Landroid/app/Application;)V",
        "com.tencent.bugly.crashreport.CrashReport.initCrashReport")
    assert not inits[("umeng-common", "init")].gated
    # Umeng's own IMEI read is reachable from there (through its crash/envelope code)
    imei = [r for r in b.startup.reachable_calls
            if r.api == "android.telephony.TelephonyManager.getDeviceId" and r.via == ("async", "invoke")]
    assert imei and imei[0].sdk == "umeng-common"
    assert imei[0].path[:4] == (
        f"{app}.onCreate()V", f"{app}.initSDK(Landroid/app/Application;)V",
        "com.hjq.umeng.UmengClient.init(Landroid/app/Application;)V",
        "com.umeng.commonsdk.UMConfigure.init(Landroid/content/Context;Ljava/lang/String;"
        "Ljava/lang/String;ILjava/lang/String;)V")
    assert imei[0].path[-1] == ("com.umeng.commonsdk.statistics.common.DeviceConfig.getIMEI"
                                "(Landroid/content/Context;)Ljava/lang/String;")


def test_corpus_apps_without_start_code_or_with_loaded_code(corpus_dir, static_catalog):
    """jpush_hbuilder_hello declares no Application and no provider (JPush starts from its
    activity): nothing is reachable at start, and the limits say so. yichou_UmengDemo's
    MyApplication.onCreate loads its real code with a DexClassLoader from a file: only
    onCreate and the constructor are reached, no SDK start is claimed."""
    from privascope.static.scan import scan_apk

    b = scan_apk(corpus_dir / "jpush_hbuilder_hello.apk", static_catalog)
    assert b.startup.entry_points == () and not b.startup.reachable_calls
    assert any("no entry point" in x for x in b.startup.limits)
    b = scan_apk(corpus_dir / "yichou_UmengDemo.apk", static_catalog)
    assert [e.class_name for e in b.startup.entry_points] == [
        "com.example.umengdemo.MyApplication"]
    assert not b.startup.sdk_inits and not b.startup.reachable_calls
    assert b.startup.stats["reachable_methods"] == 2


def test_corpus_sdk_file_provider_is_not_an_sdk_start(corpus_dir, static_catalog):
    """bugly_hotfix_demo declares com.tencent.bugly.beta.utils.BuglyFileProvider, a subclass of
    android.support.v4.content.FileProvider that does not override onCreate: sharing files,
    not starting Bugly. (Its SampleApplication is a Tinker shell that names the real
    application class in a constructor argument and loads it by reflection elsewhere, which
    the graph does not follow: a known limit.)"""
    from privascope.static.scan import scan_apk

    b = scan_apk(corpus_dir / "bugly_hotfix_demo.apk", static_catalog)
    assert "com.tencent.bugly.beta.utils.BuglyFileProvider" in [
        e.class_name for e in b.startup.entry_points]
    assert not [i for i in b.startup.sdk_inits if i.role == "provider"]


def test_a_failing_start_analysis_keeps_the_scan(samples_build, static_catalog, monkeypatch):
    """A bug in the process-start step costs only that step: call sites stay, limits say why."""
    from privascope.static import startup
    from privascope.static.scan import scan_apk

    def broken(*_a, **_k):
        raise RuntimeError("boom")

    monkeypatch.setattr(startup, "analyze_startup", broken)
    b = scan_apk(samples_build / "startup.apk", static_catalog)
    assert len(b.api_calls) == len(EXPECTED) + 2 and not b.startup.reachable_calls  # + 2 decoys
    assert any("process-start analysis failed (RuntimeError: boom)" in x
               for x in b.startup.limits)


def test_corpus_long_cha_chains_reach_only_library_wrappers(corpus_dir, static_catalog):
    """flowdroid_MapClearTest_multidex starts only androidx.startup initializers (EmojiCompat,
    ProcessLifecycle). CHA over listener interfaces reaches TwilightManager.getLastKnownLocation
    from EmojiCompatInitializer.create in about sixty hops (TextWatcher.onTextChanged ->
    TextInputLayout -> Transition listeners -> RecyclerView.onTouchEvent -> ... ->
    AppCompatDelegateImpl night mode): not what start-up runs. Every such read sits in an AndroidX
    library wrapper (attribution.yaml library_wrappers), which is no PI read of its own, so
    nothing is reachable at start any more (it was a list of low-confidence leads)."""
    from privascope.static.scan import scan_apk

    b = scan_apk(corpus_dir / "flowdroid_MapClearTest_multidex.apk", static_catalog)
    s = b.startup
    assert [(e.kind, e.class_name) for e in s.entry_points] == [
        ("provider", "androidx.startup.InitializationProvider"),
        ("initializer", "androidx.emoji2.text.EmojiCompatInitializer"),
        ("initializer", "androidx.lifecycle.ProcessLifecycleInitializer")]
    assert not s.sdk_inits
    assert s.reachable_calls == ()
    twilight = [c for c in b.api_calls if c.caller_class == "androidx.appcompat.app.TwilightManager"
                and c.api == "android.location.LocationManager.getLastKnownLocation"]
    assert twilight and all(c.library for c in twilight)


# --------------------------------------------------------------------------- every call site


def test_call_site_reachability_from_components(sample_scan):
    """Every component's methods are roots: the activity's read is reachable (just not at
    start); DeadCode.readOperator is called, created and named by nothing: unreachable."""
    b = sample_scan("startup")
    by_api = {c.api: c for c in b.api_calls}
    assert by_api["android.telephony.TelephonyManager.getNetworkOperator"].reachable is True
    dead = by_api["android.telephony.TelephonyManager.getSimOperator"]
    assert (dead.caller_class, dead.reachable) == ("com.example.startapp.DeadCode", False)
    assert all(c.reachable for c in b.api_calls if c is not dead)
    assert b.startup.stats["component_reachable_methods"] > b.startup.stats["reachable_methods"]


def test_unreachable_sites_do_not_raise_medium_findings(sample_scan, static_catalog):
    import dataclasses

    from privascope.rules import evaluate

    b = sample_scan("startup")
    imei = next(c for c in b.api_calls if c.api.endswith("getDeviceId"))
    for reachable, want in ((False, "low"), (True, "medium")):
        one = dataclasses.replace(b, api_calls=(dataclasses.replace(imei, reachable=reachable),),
                                  startup=None)
        f = [f for f in evaluate(one, catalog=static_catalog).findings if f.rule == "PS301"]
        assert [x.confidence.value for x in f] == [want]


def test_corpus_dead_compat_wrapper_is_unreachable(corpus_dir, static_catalog):
    """flowdroid_MapClearTest_multidex: androidx TelephonyManagerCompat.getImei forwards to
    getDeviceId, and nothing in the APK calls it (dead library code); the support
    ActivityChooserModel's queryIntentActivities is reachable from the app's activities through
    the toolbar's share action provider."""
    from privascope.static.scan import scan_apk

    b = scan_apk(corpus_dir / "flowdroid_MapClearTest_multidex.apk", static_catalog)
    site = {(c.caller_class, c.api): c for c in b.api_calls}
    assert site[("androidx.core.telephony.TelephonyManagerCompat",
                 "android.telephony.TelephonyManager.getDeviceId")].reachable is False
    assert site[("androidx.appcompat.widget.ActivityChooserModel",
                 "android.content.pm.PackageManager.queryIntentActivities")].reachable is True
