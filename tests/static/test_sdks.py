"""SDK presence from class names (tally_classes, presences), called directly; on a corpus APK
the per-package shortcut must give exactly what a per-class catalog lookup gives."""
from __future__ import annotations

import zipfile
from collections import Counter

from privascope.static.dex import DexFile, descriptor_to_java
from privascope.static.sdks import presences, tally_classes


def test_longest_prefix_wins_and_counts_classes(catalog):
    t = tally_classes(["com.umeng.analytics.MobclickAgent", "com.umeng.analytics.a.b",
                       "com.umeng.commonsdk.UMConfigure", "com.umeng.Other",
                       "com.umengx.Fake", "Toplevel", "com.example.Main"], catalog)
    assert t.classes == {"umeng-analytics": 2, "umeng-common": 2}
    assert t.prefixes == {"umeng-analytics": {"com.umeng.analytics"},
                          "umeng-common": {"com.umeng.commonsdk", "com.umeng"}}


def test_same_package_different_classes_never_split(catalog):
    # the per-package cache must not leak one class's result to an unrelated package
    t = tally_classes(["com.umeng.message.PushAgent", "com.umeng.message.inapp.X",
                       "com.umeng.messagex.Y"], catalog)
    assert t.classes == {"umeng-push": 2, "umeng-common": 1}


def test_presences_sorted_with_pi_types_and_host_only_sdks(catalog):
    t = tally_classes(["com.umeng.commonsdk.A", "com.umeng.commonsdk.B",
                       "com.tencent.bugly.crashreport.CrashReport"], catalog)
    out = presences(t, catalog, {"tencent-bugly": {"device.android_id", "app_list"}},
                    {"cnzz": {"cnzz.com"}})
    assert [(p.id, p.class_count) for p in out] == [("umeng-common", 2), ("tencent-bugly", 1),
                                                    ("cnzz", 0)]
    umeng, bugly, cnzz = out
    assert umeng.calls_pi_apis is False and umeng.pi_types == ()
    assert bugly.calls_pi_apis is True and bugly.pi_types == ("app_list", "device.android_id")
    assert cnzz.matched_hosts == ("cnzz.com",) and cnzz.matched_prefixes == ()
    sdk = catalog.sdks["umeng-common"]
    assert (umeng.name, umeng.name_zh, umeng.vendor, umeng.category, umeng.country) == (
        sdk.name_en, sdk.name_zh, sdk.vendor, sdk.category, sdk.country)


def test_nothing_matched_nothing_present(catalog):
    t = tally_classes(["com.example.A", "androidx.core.B"], catalog)
    assert presences(t, catalog, {}, None) == ()


def test_corpus_tally_equals_per_class_lookup(corpus_dir, catalog):
    with zipfile.ZipFile(corpus_dir / "getactivity_AndroidProject_2019-09_bugly_umeng.apk") as zf:
        classes = [descriptor_to_java(d) for n in zf.namelist()
                   if n.startswith("classes") and n.endswith(".dex")
                   for d in DexFile(zf.read(n), n).class_descriptors()]
    expected: Counter = Counter()
    for cls in classes:
        hit = catalog.sdk_match(cls)
        if hit:
            expected[hit[0].id] += 1
    t = tally_classes(classes, catalog)
    assert t.classes == dict(expected)
    # the SDKs the corpus README documents for this app (Bugly, Umeng) are among them
    assert {"tencent-bugly", "umeng-common", "umeng-analytics"} <= set(t.classes)
    assert len(classes) > 1000 and sum(t.classes.values()) < len(classes)


def test_own_package_and_companions_in_the_tally(catalog):
    # a vendor demo app's own classes (bugly_hotfix_demo.apk: package com.tencent.bugly.hotfix)
    # count for no SDK; a companion package counts only once its SDK is found by prefix
    classes = ["com.tencent.bugly.hotfix.MainActivity", "com.tencent.bugly.hotfix.R",
               "com.tencent.bugly.crashreport.CrashReport", "u.aly.bh", "u.aly.a"]
    t = tally_classes(classes, catalog, ("com.tencent.bugly.hotfix",))
    assert t.classes == {"tencent-bugly": 1}
    t = tally_classes(classes + ["com.umeng.analytics.MobclickAgent"], catalog,
                      ("com.tencent.bugly.hotfix",))
    assert t.classes == {"tencent-bugly": 1, "umeng-analytics": 3}
    assert t.prefixes["umeng-analytics"] == {"com.umeng.analytics", "u.aly"}


def test_own_packages_from_manifest_and_application():
    from privascope.static.sdks import own_packages
    app = "com.umeng.soexample.App"
    assert own_packages("com.umeng.soexample", [app]) == ("com.umeng.soexample",)
    # the Application under another id of the same organisation root is the app's
    assert own_packages("com.umeng.demo2", [app]) == ("com.umeng.demo2", "com.umeng.soexample")
    # an SDK's Application class (an HBuilder app declaring DCloud's) stays the SDK's
    dcloud = "io.dcloud.application.DCloudApplication"
    assert own_packages("com.jpush.hbuilderdemo", [dcloud]) == ("com.jpush.hbuilderdemo",)
    assert own_packages("", []) == ()
