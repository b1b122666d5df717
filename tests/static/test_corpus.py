"""The scanner on the third-party corpus (../shared/corpus, read-only): every APK scans, the
documented behaviour and SDKs are found, the permissions are the manifest's."""
from __future__ import annotations

import json

import pytest

from tests.conftest import CORPUS

CORPUS_APKS = sorted(p.name for p in CORPUS.glob("*.apk")) if CORPUS.is_dir() else []

# SOURCES.tsv "DOCUMENTED" SDKs of the real apps, as families: each inner tuple lists words of
# which one must occur in the id of a detected SDK (catalog ids are vendor-product slugs).
DOCUMENTED_SDKS = {
    "getactivity_AndroidProject_2019-09_bugly_umeng.apk": [("umeng",), ("bugly",)],
    "yichou_UmengDemo.apk": [("umeng",)],
    "bugly_hotfix_demo.apk": [("bugly",)],
    "jpush_hbuilder_hello.apk": [("jpush",)],
    "amap_3d_demo.apk": [("amap",)],
    "umeng_CNZZ.apk": [("cnzz",)],
    "exodus_instapaper.apk": [("crashlytics", "fabric"), ("facebook",), ("firebase",)],
    "InsecureBankv2.apk": [("google-analytics", "googleanalytics"), ("admob", "google-ads")],
}

_SCANS: dict = {}


def _scan(corpus_dir, catalog, name):
    from privascope.static.scan import scan_apk

    if name not in _SCANS:
        _SCANS[name] = scan_apk(corpus_dir / name, catalog)
    return _SCANS[name]


@pytest.fixture(scope="module")
def ground_truth(corpus_dir):
    return {e["file"]: e for e in json.loads((corpus_dir / "ground_truth.json").read_text())}


@pytest.mark.parametrize("name", CORPUS_APKS or ["(corpus missing)"])
def test_every_corpus_apk_scans(corpus_dir, static_catalog, ground_truth, name):
    b = _scan(corpus_dir, static_catalog, name)
    truth = ground_truth[name]["observed_static"]
    assert b.app.package == truth["package"]
    assert b.app.dex_count == truth["ndex"]
    assert not any("corrupt dex" in e for e in b.errors), b.errors
    assert b.app.sha256 == ground_truth[name]["sha256"]
    assert b.method.timings["code"] >= 0


def test_permissions_equal_androguards(corpus_dir, static_catalog):
    from loguru import logger

    logger.remove()
    from androguard.core.apk import APK

    for name in CORPUS_APKS:
        b = _scan(corpus_dir, static_catalog, name)
        expected = set(APK(str(corpus_dir / name)).get_permissions())
        assert {p.name for p in b.permissions} == expected, name
        for p in b.permissions:
            info = static_catalog.permissions.get(p.name)
            assert p.protection_level == (info.protection_level if info else "unknown")


def _device_id_apps(ground_truth):
    """DroidBench apps whose documented source is the device id (IMEI)."""
    out = []
    for name, e in ground_truth.items():
        if e["repo"] != "secure-software-engineering/DroidBench":
            continue
        text = " ".join([e.get("readme") or ""] + [j.get("description", "") + " " +
                                                   j.get("dataflow", "")
                                                   for j in e.get("javadoc") or []]).lower()
        if "TelephonyManager.getDeviceId" in e["observed_static"]["apis"] and \
                ("imei" in text or "device id" in text):
            out.append(name)
    return sorted(out)


def test_droidbench_device_id_sources(corpus_dir, static_catalog, ground_truth):
    apps = _device_id_apps(ground_truth)
    assert len(apps) >= 6, apps
    for name in apps:
        b = _scan(corpus_dir, static_catalog, name)
        package = ground_truth[name]["observed_static"]["package"]
        imei = [c for c in b.api_calls
                if c.pi_type == "device.imei" and c.api.endswith("TelephonyManager.getDeviceId")]
        assert imei, f"{name}: no getDeviceId call site"
        own = [c for c in imei if c.sdk is None and c.via.value == "invoke"]
        assert own, f"{name}: getDeviceId not attributed to the app's own code"
        assert any(c.caller_class.startswith(package.split(".")[0]) for c in own), \
            (name, [c.caller_class for c in own])


def test_droidbench_reflection_app(corpus_dir, static_catalog):
    """Reflection1 instantiates a class by reflection but reads the IMEI directly: a direct
    invoke, from de.ecspride code."""
    b = _scan(corpus_dir, static_catalog, "droidbench_Reflection_Reflection1.apk")
    assert any(c.api.endswith("getDeviceId") and c.via.value == "invoke" and
               c.caller_class.startswith("de.ecspride") for c in b.api_calls)


@pytest.mark.parametrize("name", sorted(DOCUMENTED_SDKS))
def test_documented_sdks_detected(corpus_dir, static_catalog, name):
    b = _scan(corpus_dir, static_catalog, name)
    ids = [s.id for s in b.sdks]
    for family in DOCUMENTED_SDKS[name]:
        assert any(word in sdk_id for sdk_id in ids for word in family), (family, ids)


def test_sdk_call_sites_attributed(corpus_dir, static_catalog):
    """Umeng's own classes read device identifiers in the Umeng demo: the sites carry the SDK."""
    b = _scan(corpus_dir, static_catalog, "yichou_UmengDemo.apk")
    umeng_sites = [c for c in b.api_calls if c.sdk and "umeng" in c.sdk]
    assert umeng_sites
    present = frozenset(s.id for s in b.sdks if s.class_count)
    for c in umeng_sites:
        assert static_catalog.sdk_for_class(c.caller_class, (b.app.package,), present).id == c.sdk
    # old U-App's obfuscated engine u.aly (a companion package) reads the IMEI as Umeng's
    assert any(c.caller_class.startswith("u.aly.") and c.sdk == "umeng-analytics"
               and c.pi_type == "device.imei" for c in umeng_sites)
    umeng = [s for s in b.sdks if "umeng" in s.id and s.class_count]
    assert umeng and any(s.calls_pi_apis for s in umeng)


def test_multidex_corpus_app(corpus_dir, static_catalog):
    b = _scan(corpus_dir, static_catalog, "flowdroid_MapClearTest_multidex.apk")
    assert b.app.dex_count == 3
    own = [c for c in b.api_calls if c.caller_class == "com.example.mapclearapp.MainActivity"]
    assert any(c.api.endswith("getDeviceId") for c in own)


def test_sdk_known_only_by_host(corpus_dir, static_catalog):
    """CNZZ ships obfuscated (com.a.a): present by its collector host, named by code that
    belongs to no other SDK. A host named only inside another SDK's code (Umeng's share
    adapter knows api.weixin.qq.com) does not make that SDK present."""
    cnzz = _scan(corpus_dir, static_catalog, "umeng_CNZZ.apk")
    (presence,) = [s for s in cnzz.sdks if "cnzz" in s.id]
    assert presence.class_count == 0 and presence.matched_prefixes == ()
    assert presence.matched_hosts and all("cnzz" in h for h in presence.matched_hosts)
    demo = _scan(corpus_dir, static_catalog, "getactivity_AndroidProject_2019-09_bugly_umeng.apk")
    weixin = static_catalog.sdk_for_host("api.weixin.qq.com")
    assert weixin is not None
    assert any(h.host == "api.weixin.qq.com" for h in demo.hosts)
    assert weixin.id not in {s.id for s in demo.sdks}
