"""The policy next to the evidence: undisclosed SDKs by their strongest evidence level, vendor
and base-component disclosure, undeclared PI and PI declared as not collected, SDK rows that
omit observed PI, permissions without a purpose, and a re-comparison after new evidence."""
from __future__ import annotations

import dataclasses

from privascope.model import (ApiCallSite, AppInfo, AppState, Bundle, ConsentPhase,
                              DeclaredPermission, DeclaredPI, DeclaredSdk, Destination,
                              MaskedValue, Permission, PIMatch, Policy, PolicySource,
                              RuntimeEvent, RuntimeEvidence, SdkPresence, Tool, TrafficEvent, Via)
from privascope.policy import compare, recompare


def _sdk(sid, calls=False, pis=()):
    return SdkPresence(id=sid, name=sid, name_zh=sid, vendor="v", category="push",
                       matched_prefixes=(), class_count=3, calls_pi_apis=calls, pi_types=pis)


def _call(cid, pi, sdk=None):
    return ApiCallSite(id=cid, api="android.telephony.TelephonyManager.getDeviceId", pi_type=pi,
                       caller_class="a.B", caller_method="m()V", dex="classes.dex", sdk=sdk,
                       via=Via.INVOKE)


def _read(eid, pi, sdk):
    return RuntimeEvent(id=eid, time=1.0, api="x.Y.z", pi_type=pi,
                        value=MaskedValue("hmac-sha256:0", "1*****", 6), obtained=True,
                        exception=None, thread="main", stack=(), sdk=sdk, caller=None,
                        app_state=AppState.FOREGROUND, consent_phase=ConsentPhase.BEFORE)


def _sent(tid, pi, sdk):
    return TrafficEvent(id=tid, time=2.0, method="POST", scheme="https", host="h.example",
                        port=443, path="/", destination=Destination.THIRD_PARTY, sdk=sdk,
                        matches=(PIMatch(pi, "md5", "body", "k", "ab**", "known"),))


def _bundle(**kw):
    return Bundle(tool=Tool("privascope", "0"), app=AppInfo("com.example.a"), **kw)


def test_levels_take_the_strongest_evidence(catalog):
    b = _bundle(sdks=(_sdk("jpush"), _sdk("getui-push", calls=True), _sdk("umeng-push"),
                      _sdk("tencent-bugly")),
                api_calls=(_call("c1", "device.imei", "getui-push"),),
                runtime=RuntimeEvidence("jvm:x", 0.0, 3.0,
                                        api_calls=(_read("r1", "device.imei", "umeng-push"),)),
                traffic=(_sent("t1", "device.imei", "jpush"),))
    got = {u.sdk: u for u in compare.undisclosed_sdks(b, catalog, ())}
    assert {k: u.evidence for k, u in got.items()} == {
        "jpush": "observed_sent", "umeng-push": "observed_read", "getui-push": "calls_pi",
        "tencent-bugly": "present"}
    assert [u.sdk for u in compare.undisclosed_sdks(b, catalog, ())][0] == "jpush"
    assert ("traffic_event", "t1") in {(r.kind, r.id) for r in got["jpush"].refs}
    assert ("api_call", "c1") in {(r.kind, r.id) for r in got["getui-push"].refs}


def test_disclosure_by_module_vendor_and_base_component(catalog):
    b = _bundle(sdks=(_sdk("umeng-common"), _sdk("umeng-analytics"), _sdk("jpush"),
                      _sdk("jiguang-core")))
    by_module = (DeclaredSdk("友盟统计", "umeng-analytics", (), "q", 0),)
    assert {u.sdk for u in compare.undisclosed_sdks(b, catalog, by_module)} == {
        "jpush", "jiguang-core"}  # umeng-common comes with any Umeng module
    by_vendor = (DeclaredSdk("极光", None, (), "q", 0, vendor="Jiguang (Aurora Mobile)"),)
    assert {u.sdk for u in compare.undisclosed_sdks(b, catalog, by_vendor)} == {
        "umeng-common", "umeng-analytics"}


def test_a_library_that_touches_no_pi_needs_no_disclosure(catalog):
    lib = next(s for s in catalog.sdks.values() if s.category == "utility")
    b = _bundle(sdks=(dataclasses.replace(_sdk(lib.id), category="utility"),))
    assert compare.undisclosed_sdks(b, catalog, ()) == ()
    b = _bundle(sdks=(_sdk(lib.id, calls=True),))
    assert [u.evidence for u in compare.undisclosed_sdks(b, catalog, ())] == ["calls_pi"]


def test_undeclared_and_negated_pi():
    b = _bundle(api_calls=(_call("c1", "contacts"), _call("c2", "device.imei", "jpush")),
                traffic=(_sent("t1", "device.oaid", "jpush"),))
    declared = (DeclaredPI("device.imei", False, "我们收集IMEI。", 0),
                DeclaredPI("contacts", True, "我们不会收集通讯录。", 0))
    got = {u.pi_type: u for u in compare.undeclared_pi(b, declared)}
    assert set(got) == {"contacts", "device.oaid"}
    assert got["contacts"].negated == 1 and got["contacts"].evidence == "reachable"
    assert got["device.oaid"].negated is None and got["device.oaid"].evidence == "observed_sent"
    assert got["device.oaid"].sdks == ("jpush",)


def test_library_wrapper_sites_are_no_undeclared_pi():
    # a dead AndroidX TwilightManager read (library: true) is no location the app collects
    lib = dataclasses.replace(_call("c1", "location.precise"), library=True,
                              caller_class="androidx.appcompat.app.TwilightManager")
    assert compare.undeclared_pi(_bundle(api_calls=(lib,)), ()) == ()
    got = compare.undeclared_pi(_bundle(api_calls=(lib, _call("c2", "location.precise"))), ())
    assert [(u.pi_type, u.evidence) for u in got] == [("location.precise", "reachable")]


def test_sdk_row_that_omits_observed_pi():
    b = _bundle(runtime=RuntimeEvidence("jvm:x", 0.0, 3.0, api_calls=(
        _read("r1", "device.imei", "jpush"), _read("r2", "app_list", "jpush"))),
        traffic=(_sent("t1", "device.oaid", "jpush"),))
    rows = (DeclaredSdk("极光推送", "jpush", ("device.imei",), "q", 0),
            DeclaredSdk("某SDK", None, (), "q", 0))
    gaps = compare.sdk_row_gaps(b, None, rows)
    assert len(gaps) == 1 and gaps[0].row == 0
    assert gaps[0].pi_types == ("app_list", "device.oaid")
    assert gaps[0].evidence == "observed_sent"


def test_dangerous_permissions_without_purpose(catalog):
    b = _bundle(permissions=(Permission("android.permission.CAMERA", "dangerous"),
                             Permission("android.permission.READ_PHONE_STATE", "dangerous"),
                             Permission("android.permission.INTERNET", "normal")))
    stated = (DeclaredPermission("android.permission.CAMERA", True, "q", 0),
              DeclaredPermission("android.permission.READ_PHONE_STATE", False, "q", 0))
    assert compare.permissions_without_purpose(b, catalog, stated) == (
        "android.permission.READ_PHONE_STATE",)


def test_recompare_after_runtime_evidence(catalog):
    policy = Policy(sources=(PolicySource("file", "p.html", "zh", "0"),),
                    declared_sdks=(DeclaredSdk("极光推送", "jpush", (), "q", 0),))
    b = _bundle(sdks=(_sdk("jpush"),), policy=policy)
    assert recompare(b, catalog).policy.undisclosed_sdks == ()
    b = dataclasses.replace(b, runtime=RuntimeEvidence("jvm:x", 0.0, 1.0, api_calls=(
        _read("r1", "device.android_id", "umeng-analytics"),)))
    out = recompare(b, catalog).policy
    assert [(u.sdk, u.evidence) for u in out.undisclosed_sdks] == [("umeng-analytics",
                                                                    "observed_read")]
    assert [u.pi_type for u in out.undeclared_pi] == ["device.android_id"]
    assert recompare(_bundle(), catalog).policy is None  # no policy read: nothing to compare
