"""Lint of the real catalog (pi_types, permissions, apis, clauses, packers).

The loader already rejects malformed entries; these tests check what it cannot know by itself:
coverage against the Android permission list and the issue's API list, cross-references in both
directions, and the regulation item lists. sdks.yaml has its own tests (test_sdks.py).
"""
from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from privascope.catalog import CAPTURES_BY_KIND, DATA_SAFETY_CATEGORIES, NORMALIZE_FORMS

P = "android.permission."

# Every runtime ("dangerous") permission of Android 14/15, from the platform permission reference
# (developer.android.com/reference/android/Manifest.permission, protection level "dangerous").
EXPECTED_DANGEROUS = {
    P + "READ_CALENDAR", P + "WRITE_CALENDAR",
    P + "READ_CALL_LOG", P + "WRITE_CALL_LOG", P + "PROCESS_OUTGOING_CALLS",
    P + "CAMERA",
    P + "READ_CONTACTS", P + "WRITE_CONTACTS", P + "GET_ACCOUNTS",
    P + "ACCESS_FINE_LOCATION", P + "ACCESS_COARSE_LOCATION", P + "ACCESS_BACKGROUND_LOCATION",
    P + "ACCESS_MEDIA_LOCATION",
    P + "RECORD_AUDIO",
    P + "BLUETOOTH_SCAN", P + "BLUETOOTH_CONNECT", P + "BLUETOOTH_ADVERTISE",
    P + "NEARBY_WIFI_DEVICES", P + "UWB_RANGING",
    P + "POST_NOTIFICATIONS",
    P + "READ_PHONE_STATE", P + "READ_PHONE_NUMBERS", P + "CALL_PHONE", P + "ANSWER_PHONE_CALLS",
    "com.android.voicemail.permission.ADD_VOICEMAIL", P + "USE_SIP", P + "ACCEPT_HANDOVER",
    P + "BODY_SENSORS", P + "BODY_SENSORS_BACKGROUND", P + "ACTIVITY_RECOGNITION",
    P + "SEND_SMS", P + "RECEIVE_SMS", P + "READ_SMS", P + "RECEIVE_WAP_PUSH", P + "RECEIVE_MMS",
    P + "READ_EXTERNAL_STORAGE", P + "WRITE_EXTERNAL_STORAGE",
    P + "READ_MEDIA_IMAGES", P + "READ_MEDIA_VIDEO", P + "READ_MEDIA_AUDIO",
    P + "READ_MEDIA_VISUAL_USER_SELECTED",
}
# Health Connect permissions are also "dangerous" (granted in the Health Connect UI); the catalog
# lists a few and marks their level as unverified. Anything else marked dangerous is a mistake.
ALLOWED_EXTRA_DANGEROUS = {P + "health.READ_HEART_RATE", P + "health.READ_STEPS",
                           P + "health.READ_HEALTH_DATA_IN_BACKGROUND"}

# Special, signature and privileged permissions the issue names, with their real level.
EXPECTED_LEVELS = {
    P + "QUERY_ALL_PACKAGES": "normal",  # normal level; gated by Play policy, not by the platform
    P + "READ_PRIVILEGED_PHONE_STATE": "privileged",
    P + "PACKAGE_USAGE_STATS": "special",
    P + "SYSTEM_ALERT_WINDOW": "special",
    P + "MANAGE_EXTERNAL_STORAGE": "special",
    P + "WRITE_SETTINGS": "special",
    P + "REQUEST_INSTALL_PACKAGES": "special",
    P + "BIND_ACCESSIBILITY_SERVICE": "signature",
    P + "BIND_NOTIFICATION_LISTENER_SERVICE": "signature",
    P + "LOCAL_MAC_ADDRESS": "privileged",
    P + "READ_LOGS": "privileged",
    P + "ACCESS_WIFI_STATE": "normal",
    P + "CHANGE_WIFI_STATE": "normal",
    P + "BLUETOOTH": "normal",
    P + "BLUETOOTH_ADMIN": "normal",
    P + "INTERNET": "normal",
    P + "ACCESS_NETWORK_STATE": "normal",
    "com.asus.msa.SupplementaryDID.ACCESS": "normal",
    "com.google.android.gms.permission.AD_ID": "normal",
}

# PI types no Android API yields: only the traffic pattern detectors (and forms) find them.
TRAFFIC_ONLY_PI = {"email", "id_card_number", "bank_card"}

# (class, member) pairs the issue text requires, spelled as the dex/Frida see them.
ISSUE_APIS = [
    ("android.telephony.TelephonyManager", m) for m in (
        "getDeviceId", "getImei", "getMeid", "getSubscriberId", "getSimSerialNumber",
        "getLine1Number", "getNetworkOperator", "getNetworkOperatorName", "getSimOperator",
        "getCellLocation", "getAllCellInfo", "getServiceState")
] + [
    ("android.telephony.SubscriptionManager", "getActiveSubscriptionInfoList"),
    ("android.provider.Settings$Secure", "getString"),
    ("android.provider.Settings$System", "getString"),
    ("android.os.Build", "getSerial"), ("android.os.Build", "SERIAL"),
    ("android.net.wifi.WifiInfo", "getMacAddress"), ("android.net.wifi.WifiInfo", "getSSID"),
    ("android.net.wifi.WifiInfo", "getBSSID"), ("android.net.wifi.WifiInfo", "getIpAddress"),
    ("android.net.wifi.WifiManager", "getScanResults"),
    ("android.net.wifi.WifiManager", "getConnectionInfo"),
    ("android.net.wifi.WifiManager", "getConfiguredNetworks"),
    ("java.net.NetworkInterface", "getHardwareAddress"),
    ("android.bluetooth.BluetoothAdapter", "getAddress"),
    ("android.bluetooth.BluetoothAdapter", "getName"),
    ("android.location.LocationManager", "getLastKnownLocation"),
    ("android.location.LocationManager", "requestLocationUpdates"),
    ("android.location.LocationManager", "getCurrentLocation"),
    ("android.location.LocationManager", "requestSingleUpdate"),
    ("android.location.Location", "getLatitude"), ("android.location.Location", "getLongitude"),
    ("android.location.Geocoder", "getFromLocation"),
    ("com.google.android.gms.location.FusedLocationProviderClient", "getLastLocation"),
    ("com.google.android.gms.location.FusedLocationProviderClient", "requestLocationUpdates"),
    ("com.google.android.gms.location.FusedLocationProviderClient", "getCurrentLocation"),
    ("android.content.pm.PackageManager", "getInstalledPackages"),
    ("android.content.pm.PackageManager", "getInstalledApplications"),
    ("android.content.pm.PackageManager", "queryIntentActivities"),
    ("android.app.ActivityManager", "getRunningAppProcesses"),
    ("android.app.ActivityManager", "getRunningTasks"),
    ("android.app.ActivityManager", "getRecentTasks"),
    ("android.app.usage.UsageStatsManager", "queryUsageStats"),
    ("android.content.ClipboardManager", "getPrimaryClip"),
    ("android.content.ClipboardManager", "getText"),
    ("android.content.ClipboardManager", "hasPrimaryClip"),
    ("android.content.ContentResolver", "query"),
    ("android.provider.ContactsContract$Contacts", "CONTENT_URI"),
    ("android.provider.ContactsContract$CommonDataKinds$Phone", "CONTENT_URI"),
    ("android.provider.CallLog$Calls", "CONTENT_URI"),
    ("android.provider.Telephony$Sms", "CONTENT_URI"),
    ("android.provider.CalendarContract$Events", "CONTENT_URI"),
    ("android.provider.MediaStore$Images$Media", "EXTERNAL_CONTENT_URI"),
    ("android.accounts.AccountManager", "getAccounts"),
    ("android.accounts.AccountManager", "getAccountsByType"),
    ("com.google.android.gms.ads.identifier.AdvertisingIdClient", "getAdvertisingIdInfo"),
    ("com.google.android.gms.ads.identifier.AdvertisingIdClient$Info", "getId"),
    ("com.bun.miitmdid.core.MdidSdkHelper", "InitSdk"),
    ("com.bun.miitmdid.interfaces.IdSupplier", "getOAID"),
    ("com.bun.supplier.IdSupplier", "getOAID"),
    ("com.huawei.hms.ads.identifier.AdvertisingIdClient", "getAdvertisingIdInfo"),
    ("com.android.id.impl.IdProviderImpl", "getOAID"),
    ("android.hardware.SensorManager", "getSensorList"),
    ("android.hardware.SensorManager", "registerListener"),
    ("android.hardware.SensorManager", "getDefaultSensor"),
    ("android.hardware.Camera", "open"),
    ("android.hardware.camera2.CameraManager", "openCamera"),
    ("android.media.MediaRecorder", "setAudioSource"), ("android.media.MediaRecorder", "start"),
    ("android.media.AudioRecord", "<init>"), ("android.media.AudioRecord", "startRecording"),
    ("android.telephony.SmsManager", "sendTextMessage"),
    ("android.telephony.SmsManager", "sendMultipartTextMessage"),
    ("android.telephony.SmsManager", "sendDataMessage"),
]
ISSUE_URIS = ["content://sms", "content://sms/inbox", "content://call_log/calls",
              "content://com.android.contacts", "content://icc/adn",
              "content://com.android.calendar/events",
              "content://com.vivo.vms.IdProvider/IdentifierId/OAID"]


def _by_class_member(catalog):
    return {(a.cls, a.member): a for a in catalog.apis.values() if a.kind != "uri"}


# ------------------------------------------------------------------ counts and cross-references


def test_api_counts(catalog):
    kinds = Counter(a.kind for a in catalog.apis.values())
    assert kinds["method"] + kinds["static_method"] + kinds["constructor"] + kinds["field"] >= 80
    assert len(catalog.apis) >= 110
    assert kinds["uri"] >= 10 and kinds["field"] >= 10 and kinds["constructor"] >= 1


def test_every_pi_type_referenced_exists(catalog):
    refs = {a.pi_type for a in catalog.apis.values()}
    refs |= {pi for a in catalog.apis.values() if a.key_arg for pi in a.key_arg.values.values()}
    refs |= {pi for p in catalog.permissions.values() for pi in p.pi_types}
    assert refs - set(catalog.pi_types) == set()


def test_every_pi_type_is_used(catalog):
    used = {a.pi_type for a in catalog.apis.values()}
    used |= {pi for a in catalog.apis.values() if a.key_arg for pi in a.key_arg.values.values()}
    used |= {pi for p in catalog.permissions.values() for pi in p.pi_types}
    assert set(catalog.pi_types) - used == TRAFFIC_ONLY_PI


def test_every_api_permission_exists(catalog):
    for api in catalog.apis.values():
        assert api.permission is None or api.permission in catalog.permissions, api.id


def test_every_dangerous_permission_is_listed_as_dangerous(catalog):
    levels = {p.name: p.protection_level for p in catalog.permissions.values()}
    missing = sorted(p for p in EXPECTED_DANGEROUS if levels.get(p) != "dangerous")
    assert missing == []
    extra = {n for n, lv in levels.items() if lv == "dangerous"} - EXPECTED_DANGEROUS
    assert extra <= ALLOWED_EXTRA_DANGEROUS


@pytest.mark.parametrize("name,level", sorted(EXPECTED_LEVELS.items()))
def test_special_and_signature_levels(catalog, name, level):
    assert catalog.permissions[name].protection_level == level


def test_permissions_name_pi_for_data_permissions(catalog):
    # a dangerous permission that opens data must say which PI; the ones that open none are known
    no_pi = {p.name for p in catalog.permissions.values()
             if p.protection_level == "dangerous" and not p.pi_types}
    assert no_pi == {P + "BLUETOOTH_ADVERTISE", P + "UWB_RANGING", P + "POST_NOTIFICATIONS",
                     P + "CALL_PHONE", P + "ANSWER_PHONE_CALLS", P + "USE_SIP",
                     P + "ACCEPT_HANDOVER", "com.android.voicemail.permission.ADD_VOICEMAIL"}
    for p in catalog.permissions.values():
        assert p.name_zh.strip() and p.name_en.strip(), p.name


# ------------------------------------------------------------------ the API list itself


def test_issue_apis_present(catalog):
    have = _by_class_member(catalog)
    assert [k for k in ISSUE_APIS if k not in have] == []
    uris = {a.member for a in catalog.apis.values() if a.kind == "uri"}
    assert [u for u in ISSUE_URIS if u not in uris] == []


def test_no_duplicate_class_member_in_the_file(catalog):
    # read the YAML directly: the loader's own check must not be the only one
    entries = yaml.safe_load((Path(catalog_dir()) / "apis.yaml").read_text("utf-8"))["apis"]
    keys = Counter((e["class"], e["member"]) for e in entries)
    assert [k for k, n in keys.items() if n > 1] == []


def catalog_dir():
    from privascope.catalog import CATALOG_DIR
    return CATALOG_DIR


def test_weak_apis_are_the_intent_resolution_and_uid_calls(catalog):
    """strength: weak marks calls that can reveal the app list but routinely resolve one intent
    or one uid (issue 13 item 7); the list enumerators and every identifier stay strong."""
    weak = {a.id for a in catalog.apis.values() if a.strength == "weak"}
    pm = "android.content.pm.PackageManager."
    assert weak == {pm + "queryIntentActivities", pm + "queryIntentServices",
                    pm + "getPackagesForUid"}
    assert catalog.apis[pm + "getInstalledPackages"].strength == "strong"
    assert catalog.apis[pm + "getInstalledApplications"].strength == "strong"
    assert not any(catalog.pi_types[catalog.apis[a].pi_type].immutable_device_id for a in weak)


def test_capture_fits_kind(catalog):
    for api in catalog.apis.values():
        assert api.capture in CAPTURES_BY_KIND[api.kind], api.id
        if api.kind == "uri":
            assert not api.hookable and api.id == "uri:" + api.member
        if api.kind == "constructor":
            assert api.member == "<init>"
    # the field the agent must read once at start-up (issue: Build.SERIAL) is hookable
    serial = _by_class_member(catalog)[("android.os.Build", "SERIAL")]
    assert serial.kind == "field" and serial.capture == "return" and serial.hookable


def test_static_and_instance_kinds(catalog):
    have = _by_class_member(catalog)
    for key in [("android.os.Build", "getSerial"), ("android.provider.Settings$Secure", "getString"),
                ("com.google.android.gms.ads.identifier.AdvertisingIdClient", "getAdvertisingIdInfo"),
                ("android.hardware.Camera", "open"), ("com.bun.miitmdid.core.MdidSdkHelper", "InitSdk")]:
        assert have[key].kind == "static_method", key
    for key in [("android.telephony.TelephonyManager", "getDeviceId"),
                ("android.net.wifi.WifiInfo", "getMacAddress"),
                ("android.content.ContentResolver", "query")]:
        assert have[key].kind == "method", key


def test_settings_key_args(catalog):
    have = _by_class_member(catalog)
    secure = have[("android.provider.Settings$Secure", "getString")]
    assert secure.key_arg.index == 1
    assert secure.overloads == (("android.content.ContentResolver", "java.lang.String"),)
    assert secure.key_arg.resolve("android_id") == "device.android_id"
    assert secure.key_arg.resolve("bluetooth_address") == "device.bt_mac"
    assert secure.key_arg.resolve("install_non_market_apps") is None
    assert not secure.key_required  # an unresolved key is still weak android_id evidence
    system = have[("android.provider.Settings$System", "getString")]
    assert system.key_arg.resolve("android_id") == "device.android_id"


def test_content_uri_prefixes_resolve(catalog):
    query = _by_class_member(catalog)[("android.content.ContentResolver", "query")]
    assert query.key_required and query.key_arg.match == "prefix"
    resolve = query.key_arg.resolve
    assert resolve("content://sms/inbox") == "sms"
    assert resolve("content://mms-sms/conversations") == "sms"
    assert resolve("content://com.android.contacts/data/phones") == "contacts"
    assert resolve("content://com.android.contacts/profile") == "name"  # longest prefix wins
    assert resolve("content://call_log/calls") == "call_log"
    assert resolve("content://media/external/images/media/42") == "media"
    assert resolve("content://com.vivo.vms.IdProvider/IdentifierId/OAID") == "device.oaid"
    assert resolve("content://smsx") is None  # not on a boundary
    assert resolve("content://com.example.provider/items") is None
    assert resolve(None) is None


def test_abstract_package_manager_hooks_the_implementation(catalog):
    for api in catalog.apis_by_class()["android.content.pm.PackageManager"]:
        assert api.hook_class == "android.app.ApplicationPackageManager", api.id
    assert _by_class_member(catalog)[("android.telephony.TelephonyManager", "getDeviceId")
                                     ].hook_class == "android.telephony.TelephonyManager"


def test_overloads_convert_to_descriptors(catalog):
    query = _by_class_member(catalog)[("android.content.ContentResolver", "query")]
    descs = query.overload_descriptors()
    assert ("Landroid/net/Uri;", "[Ljava/lang/String;", "Ljava/lang/String;",
            "[Ljava/lang/String;", "Ljava/lang/String;") in descs
    assert len(descs) == 3


# ------------------------------------------------------------------ PI types


def test_immutable_and_sensitive_flags(catalog):
    immutable = {p.id for p in catalog.pi_types.values() if p.immutable_device_id}
    assert immutable == {"device.imei", "device.meid", "device.imsi", "device.iccid",
                         "device.serial", "device.mac", "device.bt_mac"}
    sensitive = {p.id for p in catalog.pi_types.values() if p.sensitive}
    assert {"location.precise", "id_card_number", "bank_card", "body_sensors"} <= sensitive
    assert not sensitive & {"device.android_id", "device.oaid", "app_list", "location.coarse"}


def test_normal_forms(catalog):
    for pi in catalog.pi_types.values():
        assert set(pi.normalize) <= set(NORMALIZE_FORMS), pi.id
        assert pi.data_safety in DATA_SAFETY_CATEGORIES
        assert pi.name_zh.strip() and pi.name_en.strip()
    assert set(catalog.pi_types["device.mac"].normalize) == {"no_separators", "upper", "lower"}
    assert catalog.pi_types["device.imei"].normalize == ()


def test_issue_pi_types_present(catalog):
    required = {"device.imei", "device.meid", "device.imsi", "device.iccid", "device.serial",
                "device.android_id", "device.mac", "device.bt_mac", "device.oaid", "device.gaid",
                "network.wifi_ssid", "network.wifi_bssid", "network.ip", "network.cell_location",
                "network.wifi_scan", "location.precise", "location.coarse", "phone_number",
                "contacts", "sms", "call_log", "calendar", "app_list", "running_apps",
                "clipboard", "camera", "microphone", "sensors", "accounts", "media", "files",
                "id_card_number", "bank_card", "email", "name"}
    assert required - set(catalog.pi_types) == set()


# ------------------------------------------------------------------ clauses


def _items(catalog, fw):
    return {c.item for c in catalog.clauses.values() if c.framework == fw}


def test_clause_titles_in_both_languages(catalog):
    for c in catalog.clauses.values():
        assert c.title_zh.strip() and c.title_en.strip(), c.key
        assert re.search(r"[\u4e00-\u9fff]", c.title_zh), c.key  # the Chinese title is Chinese
    for fw in catalog.frameworks.values():
        assert fw.name_zh.strip() and fw.name_en.strip() and fw.reference.strip()


def test_clause_item_lists(catalog):
    cac = {str(i) for i in range(1, 7)}
    cac |= {f"{a}.{b}" for a, n in ((1, 4), (2, 4), (3, 9), (4, 6), (5, 3), (6, 5))
            for b in range(1, n + 1)}
    assert _items(catalog, "cac191") == cac
    assert _items(catalog, "miit337") == {str(i) for i in range(1, 9)}
    assert _items(catalog, "miit164") == {"1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "3.1", "3.2",
                                          "4.1", "4.2"}
    assert _items(catalog, "gbt41391") == {"5", "6"} | {f"6.{i}" for i in range(1, 8)} | {
        "AnnexA", "AnnexC", "AnnexD", "AnnexE", "AnnexF"}
    assert _items(catalog, "masvs") == {f"MASVS-PRIVACY-{i}" for i in range(1, 5)}
    assert {"art5", "art6", "art13", "art14", "art17", "art23", "art28", "art29", "art38",
            "art51", "art55"} <= _items(catalog, "pipl")
    used = {p.data_safety for p in catalog.pi_types.values()}
    assert _items(catalog, "playds") == used | {"sharing", "encrypted-in-transit"}


def test_unverified_items_are_marked(catalog):
    # field-survey §c marks 认定方法 items 四–六 and 164号 4.x as ✱ (not verified)
    for c in catalog.clauses.values():
        if c.framework == "cac191":
            assert c.verified == (c.item[0] in "123"), c.key
        if c.framework == "miit164":
            assert c.verified == (not c.item.startswith("4")), c.key
        if c.framework in ("miit337", "masvs"):
            assert c.verified, c.key


def test_clause_lookup(catalog):
    assert catalog.clause("cac191", "3.1").title_zh.startswith("征得用户同意前")
    assert catalog.clause("pipl", "art51").verified
    assert catalog.clause("cac191", "9.9") is None


# ------------------------------------------------------------------ packers

PACKED_ENTRY_NAMES = {
    "lib/armeabi-v7a/libjiagu.so": "jiagu360",
    "assets/libjiagu_a64.so": "jiagu360",
    "lib/arm64-v8a/libjiagu_x64.so": "jiagu360",
    "lib/armeabi/libapktoolplus_jiagu.so": "jiagu_apktoolplus",
    "lib/armeabi/libshella-4.1.0.19.so": "tencent_legu",
    "lib/armeabi/libshell-super.2019.so": "tencent_legu",
    "assets/0OO00l111l1l": "tencent_legu",
    "assets/libtosprotection.armeabi-v7a.so": "tencent_yaq",
    "lib/armeabi/libsecexe.so": "bangcle",
    "assets/secData0.jar": "bangcle",
    "lib/arm64-v8a/libDexHelper.so": "secneo",
    "assets/ijiami.dat": "ijiami",
    "assets/ijm_lib/armeabi/libexec.so": "ijiami",
    "lib/arm64-v8a/libbaiduprotect.so": "baidu",
    "lib/armeabi/libmobisec.so": "alibaba",
    "lib/arm64-v8a/libnesec.so": "netease_yidun",
    "lib/arm64-v8a/libx3g.so": "dingxiang",
    "lib/armeabi/libddog.so": "naga",
    "lib/armeabi/libkwscmm.so": "kiwi",
    "lib/armeabi/libNSaferOnly.so": "payegis",
    "lib/armeabi/libnqshield.so": "nqshield",
    "lib/armeabi/libmogosec_dex.so": "mogosec",
    "lib/arm64-v8a/libvirbox64.so": "virbox",
    "assets/mxsafe.jar": "manxi",
    "assets/libuusafe.so": "uusafe",
    "lib/armeabi/libapssec.so": "shengda",
    "lib/armeabi/librsprotect.so": "rising",
    "lib/armeabi/libAPKProtect.so": "apkprotect",
    "assets/dp.arm-v7.so.dat": "dexprotector",
    "assets/AppGuard0.jar": "appguard",
    "assets/LIAPPClient.sc": "liapp",
}
# Ordinary entries of unpacked apps, including near-misses of packer names.
ORDINARY_ENTRY_NAMES = [
    "classes.dex", "classes2.dex", "AndroidManifest.xml", "resources.arsc",
    "lib/arm64-v8a/libsgmain.so", "lib/arm64-v8a/libBugly.so", "lib/arm64-v8a/libc++_shared.so",
    "lib/arm64-v8a/libexec.so", "lib/arm64-v8a/libshellcheck.so", "assets/dexopt/baseline.prof",
    "lib/arm64-v8a/libjni.so", "assets/dex.dat", "res/raw/jiagu.txt", "lib/x86/libmmkv.so",
    "assets/flutter_assets/AssetManifest.json", "lib/arm64-v8a/libapp.so",
]


def _packer_hits(catalog, name):
    return {p.id for p in catalog.packers.values() if any(re.search(f, name) for f in p.files)}


@pytest.mark.parametrize("name,packer", sorted(PACKED_ENTRY_NAMES.items()))
def test_packer_file_signatures_hit(catalog, name, packer):
    assert _packer_hits(catalog, name) == {packer}


@pytest.mark.parametrize("name", ORDINARY_ENTRY_NAMES)
def test_packer_file_signatures_miss_ordinary_entries(catalog, name):
    assert _packer_hits(catalog, name) == set()


def test_every_packer_is_exercised_and_sourced(catalog):
    assert set(PACKED_ENTRY_NAMES.values()) == set(catalog.packers)
    assert len(catalog.packers) >= 12
    for p in catalog.packers.values():
        assert p.source.strip() and p.name.strip(), p.id
    stubs = {c for p in catalog.packers.values() for c in p.classes}
    assert {"com.stub.StubApp", "com.tencent.StubShell", "com.secneo.apkwrapper",
            "com.shell.SuperApplication", "com.baidu.protect"} <= stubs


# ------------------------------------------------------------------ the third-party corpus


def _observed(corpus_dir, key):
    out = set()
    with open(corpus_dir / "SOURCES.tsv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            m = re.search(key + r"=\[([^\]]*)\]", row["known_privacy_behaviour"])
            if m:
                out |= {x for x in m.group(1).split(",") if x}
    return out


# Not privacy APIs: loading code and opening a connection carry no PI by themselves.
NOT_PI_APIS = {"URL.openConnection", "DexClassLoader.<init>"}


def test_catalog_covers_apis_the_corpus_references(catalog, corpus_dir):
    """Every privacy method the corpus authors saw referenced in the 36 real APKs is catalogued
    (matched on simple class name + member, as their note spells them)."""
    simple = {(a.cls.rsplit(".", 1)[-1].replace("$", "."), a.member)
              for a in catalog.apis.values() if a.kind != "uri"}
    observed = _observed(corpus_dir, "apis") - NOT_PI_APIS
    assert len(observed) >= 20
    missing = sorted(o for o in observed if tuple(o.rsplit(".", 1)) not in simple)
    assert missing == []


# Platform permissions the corpus declares that open no PI (or were removed from the platform).
NOT_PI_PERMISSIONS = {"WAKE_LOCK", "VIBRATE", "MOUNT_UNMOUNT_FILESYSTEMS", "MODIFY_AUDIO_SETTINGS",
                      "KILL_BACKGROUND_PROCESSES", "CHANGE_CONFIGURATION", "BROADCAST_STICKY",
                      "RECEIVE_USER_PRESENT", "USE_CREDENTIALS", "ACCESS_MOCK_LOCATION",
                      "READ_PROFILE"}


def test_catalog_covers_permissions_the_corpus_declares(catalog, corpus_dir):
    observed = {p for p in _observed(corpus_dir, "perms") if "." not in p}
    assert len(observed) >= 30
    missing = sorted(p for p in observed - NOT_PI_PERMISSIONS if P + p not in catalog.permissions)
    assert missing == []


def test_static_only_entries_say_why(catalog):
    static_only = [a for a in catalog.apis.values() if not a.hook]
    assert {a.cls for a in static_only} == {"android.text.ClipboardManager",
                                            "com.bun.miitmdid.interfaces.IdSupplier",
                                            "com.bun.supplier.IdSupplier"}
    for api in static_only:
        assert not api.hookable
    # the first entry of each static-only group explains it
    assert all(catalog.apis[i].note for i in ("android.text.ClipboardManager.getText",
                                              "com.bun.miitmdid.interfaces.IdSupplier.getOAID"))


def test_vendor_permissions_carry_a_note(catalog):
    # their protection level is not published: each says where it was seen and that it is unverified
    raw = {e["name"]: e for e in catalog.raw["permissions"]["permissions"]}
    vendor = [n for n in raw if not n.startswith(("android.permission.", "com.android."))]
    assert len(vendor) >= 6
    for name in vendor:
        assert "✱" in raw[name].get("note", ""), name


def test_verified_pipl_articles_name_their_source(catalog):
    raw = [c for c in catalog.raw["clauses"]["clauses"] if c["framework"] == "pipl"]
    verified = {c["item"] for c in raw if c["verified"]}
    assert {"art17", "art28", "art51"} <= verified
    for c in raw:
        if c["verified"]:
            assert "checked" in c.get("note", ""), c["item"]


# ------------------------------------------------------------------ consent vocabulary


def test_exact_labels_agree_with_the_contained_words(catalog):
    """The agent classifies buttons by contained words only, reject first: an exact accept label
    must not contain a reject word (the agent would refuse where the UI clicker accepts), and an
    exact reject label must not read as accept only."""
    v = catalog.consent
    for label in v.accept_exact:
        assert not any(w.lower() in label.lower() for w in v.reject_words), label
    for label in v.reject_exact:
        has_accept = any(w.lower() in label.lower() for w in v.accept_words)
        has_reject = any(w.lower() in label.lower() for w in v.reject_words)
        assert has_reject or not has_accept, label


def test_every_consumer_reads_the_one_vocabulary(catalog):
    from privascope.dynamic_run import ui_automation as ui
    from privascope.runtime.agent_config import agent_config
    from privascope.static.strings import StringFindings

    v = catalog.consent
    assert agent_config(catalog)["consent"]["policy_keywords"] == list(v.policy_phrases)
    assert set(ui.load_words().dialog_markers) == {ui.normalise(p) for p in v.policy_phrases}
    for phrase in v.policy_phrases:  # each phrase marks a text as a policy reference
        found = StringFindings()
        found.add_strings([f"请阅读 {phrase} 全文"], "strings.xml", catalog)
        assert found.policy_refs(), phrase
