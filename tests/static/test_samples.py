"""Exact call sites, SDK attribution and manifest facts of the sample apps (samples/apps)."""
from __future__ import annotations

import json

from privascope.model import Bundle, Via, from_json, to_json

TM_GET_DEVICE_ID = "android.telephony.TelephonyManager.getDeviceId"
SECURE_GET_STRING = "android.provider.Settings$Secure.getString"
LAST_KNOWN_LOCATION = "android.location.LocationManager.getLastKnownLocation"
INSTALLED_PACKAGES = "android.content.pm.PackageManager.getInstalledPackages"
UMENG_INFO = "com.umeng.commonsdk.internal.DeviceInfo"


def sites(bundle):
    return {(c.api, c.pi_type, c.caller_class, c.caller_method, c.sdk, c.via.value)
            for c in bundle.api_calls}


def test_clean_app_has_no_call_sites(sample_scan):
    b = sample_scan("clean")
    # reads Settings.Secure "default_input_method" (not a catalog key) and logs the word
    # "getDeviceId" without reflection: neither is evidence
    assert b.api_calls == ()
    assert b.sdks == ()
    assert b.permissions == ()
    assert b.errors == () and not b.partial
    assert b.app.package == "com.example.clean"
    assert b.app.target_sdk == 33 and b.app.min_sdk == 21
    assert b.manifest.allow_backup is False
    assert b.manifest.cleartext_permitted_by_default is False  # targetSdk >= 28 default


def test_sdk_app_exact_call_sites(sample_scan, static_catalog):
    b = sample_scan("sdk")
    umeng = static_catalog.sdk_for_class(UMENG_INFO)
    assert umeng is not None and "umeng" in umeng.id
    assert sites(b) == {
        (TM_GET_DEVICE_ID, "device.imei", UMENG_INFO,
         "imei(Landroid/content/Context;)Ljava/lang/String;", umeng.id, "invoke"),
        (SECURE_GET_STRING, "device.android_id", UMENG_INFO,
         "androidId(Landroid/content/Context;)Ljava/lang/String;", umeng.id, "invoke"),
        (INSTALLED_PACKAGES, "app_list", UMENG_INFO,
         "installedApps(Landroid/content/Context;)Ljava/util/List;", umeng.id, "invoke"),
        (LAST_KNOWN_LOCATION, "location.precise", "com.example.sdkapp.MainActivity",
         "readLocation()Landroid/location/Location;", None, "invoke"),
        # the key is a parameter: kept, with the API's own PI type and low confidence
        (SECURE_GET_STRING, "device.android_id", "com.umeng.commonsdk.UMConfigure",
         "setting(Landroid/content/Context;Ljava/lang/String;)Ljava/lang/String;", umeng.id,
         "invoke"),
    }
    assert {c.dex for c in b.api_calls} == {"classes.dex"}
    for c in b.api_calls:
        expected = "low" if c.caller_class.endswith("UMConfigure") else "high"
        assert c.confidence.value == expected, c


def test_sdk_app_sdk_presence(sample_scan, static_catalog):
    b = sample_scan("sdk")
    umeng = static_catalog.sdk_for_class(UMENG_INFO)
    (presence,) = [s for s in b.sdks if s.id == umeng.id]
    # UMConfigure, DeviceInfo, BootReceiver, UploadService
    assert presence.class_count == 4
    assert presence.calls_pi_apis is True
    assert set(presence.pi_types) == {"device.imei", "device.android_id", "app_list"}
    assert all(p.startswith("com.umeng") for p in presence.matched_prefixes)


def test_sdk_app_manifest(sample_scan):
    b = sample_scan("sdk")
    assert b.app.package == "com.example.sdkapp"
    assert (b.app.version_name, b.app.version_code) == ("1.2.0", "3")
    assert b.app.dex_count == 1 and len(b.app.sha256) == 64
    assert len(b.app.certificates) == 1 and "privascope sample" in b.app.certificates[0].subject
    perms = {p.name: p for p in b.permissions}
    assert set(perms) == {
        "android.permission.INTERNET", "android.permission.READ_PHONE_STATE",
        "android.permission.ACCESS_FINE_LOCATION", "android.permission.QUERY_ALL_PACKAGES",
        "com.example.sdkapp.permission.PUSH"}
    assert perms["android.permission.READ_PHONE_STATE"].protection_level == "dangerous"
    assert "device.imei" in perms["android.permission.READ_PHONE_STATE"].pi_types
    assert perms["android.permission.READ_PHONE_STATE"].name_zh
    custom = perms["com.example.sdkapp.permission.PUSH"]
    assert custom.protection_level == "unknown" and custom.custom is True
    comps = {c.name: (c.kind, c.exported) for c in b.components}
    assert comps == {
        "com.example.sdkapp.MainActivity": ("activity", True),
        "com.umeng.commonsdk.internal.BootReceiver": ("receiver", True),  # implicit, API < 31
        "com.umeng.commonsdk.internal.UploadService": ("service", False),
        "com.example.sdkapp.DataProvider": ("provider", False),
    }
    m = b.manifest
    assert m.allow_backup is True and m.debuggable is False
    assert m.network_security_config == "res/xml/network_security_config.xml"
    assert m.cleartext_permitted_by_default is False  # base-config says so
    assert m.cleartext_permitted_domains == ("log.sdkapp.example.com",)


def test_sdk_app_hosts_and_privacy_policy(sample_scan, static_catalog):
    b = sample_scan("sdk")
    hosts = {h.host: h for h in b.hosts}
    assert set(hosts) == {"alog.umeng.com", "api.sdkapp.example.com", "log.sdkapp.example.com",
                          "www.sdkapp.example.com"}
    umeng_host_sdk = static_catalog.sdk_for_host("alog.umeng.com")
    assert umeng_host_sdk is not None and hosts["alog.umeng.com"].sdk == umeng_host_sdk.id
    assert hosts["api.sdkapp.example.com"].sdk is None
    assert hosts["alog.umeng.com"].sample_urls == ("https://alog.umeng.com/app_logs",)
    assert hosts["alog.umeng.com"].sources == ("classes.dex",)
    policy = {(p.kind, p.value) for p in b.privacy_policy}
    assert ("url", "https://www.sdkapp.example.com/privacy-policy.html") in policy
    assert ("text", "请阅读《隐私政策》和《用户协议》后继续") in policy
    # a method name such as "privacyPolicyUrl" is not a policy text
    assert not any("privacyPolicyUrl" in v for _k, v in policy)


def test_reflection_app_only_reflection_evidence(sample_scan):
    b = sample_scan("reflection")
    assert sites(b) == {
        (TM_GET_DEVICE_ID, "device.imei", "com.example.reflect.MainActivity",
         "readId()Ljava/lang/Object;", None, "reflection"),
        # hidden SystemProperties.get("ro.serialno"): the key names the PI type
        ("android.os.SystemProperties.get", "device.serial", "com.example.reflect.MainActivity",
         "readSerial()Ljava/lang/Object;", None, "reflection"),
        # Class.forName("android.os.Build").getField("SERIAL")
        ("android.os.Build.SERIAL", "device.serial", "com.example.reflect.MainActivity",
         "readBuildSerial()Ljava/lang/Object;", None, "reflection"),
    }
    for site in b.api_calls:
        assert site.via is Via.REFLECTION
        # the class name is a const-string in the same method: medium, not high
        assert site.confidence.value == "medium"
    # describe() returns "getDeviceId" without any reflection call: not evidence
    assert not any(c.caller_method.startswith("describe") for c in b.api_calls)


def test_hostile_app_strings_kept_verbatim(sample_scan):
    b = sample_scan("hostile")
    assert b.app.label == 'Hostile <script>alert(1)</script> "onerror=alert(1)'
    (host,) = [h for h in b.hosts if h.host == "evil.example.net"]
    assert host.sample_urls == ('http://evil.example.net/p?q=<script>alert(1)</script>'
                                '"onerror=alert(1)',)
    assert b.manifest.uses_cleartext_traffic is True
    assert b.manifest.cleartext_permitted_by_default is True
    assert b.manifest.debuggable is True
    # exported through its launcher intent filter (no android:exported, targetSdk 30)
    assert [(c.name, c.exported) for c in b.components] == [
        ("com.example.hostile.MainActivity", True)]


def test_bundle_round_trips_through_json(sample_scan):
    b = sample_scan("sdk")
    again = from_json(Bundle, to_json(b))
    assert again == b
    data = json.loads(to_json(b))
    for key in ("schema_version", "tool", "app", "permissions", "sdks", "api_calls", "hosts",
                "packers", "findings"):
        assert key in data
    assert data["method"]["kinds"] == ["static"]
    assert set(data["method"]["catalog_versions"]) >= {"apis", "sdks"}
    assert data["method"]["timings"]["code"] >= 0
