"""Lint and behaviour of the SDK / tracker catalog (analyzer/catalog/sdks.yaml).

The class names below are real: they were listed from the dex files of the third-party corpus
(../shared/corpus, see SOURCES.tsv) and copied here, so the table keeps working without the corpus.
`test_corpus_apks_detect_documented_sdks` re-reads the APKs themselves when the corpus is present.
"""
from __future__ import annotations

import re
import zipfile
from collections import Counter

import pytest

from privascope.catalog import SDK_CATEGORIES
from privascope.catalog.fields import HOST, valid_prefix

# --------------------------------------------------------------------------- lint


def test_counts(catalog):
    sdks = catalog.sdks.values()
    assert len(catalog.sdks) >= 150
    assert sum(1 for s in sdks if s.country == "CN") >= 60


def test_categories_are_valid_and_varied(catalog):
    used = Counter(s.category for s in catalog.sdks.values())
    assert set(used) <= set(SDK_CATEGORIES)
    # the categories reviewers filter on most must actually be populated
    for cat in ("ads", "analytics", "push", "map_location", "social_login", "payment", "crash",
                "risk_control", "device_id", "attribution"):
        assert used[cat] >= 3, cat


def test_ids_are_stable_slugs(catalog):
    for sdk_id, sdk in catalog.sdks.items():
        assert sdk_id == sdk.id
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", sdk_id), sdk_id


def test_every_entry_names_its_source_and_both_names(catalog):
    for sdk in catalog.sdks.values():
        assert sdk.source.strip(), sdk.id
        assert sdk.name_en.strip() and sdk.name_zh.strip() and sdk.vendor.strip(), sdk.id
        assert re.fullmatch(r"[A-Z]{2}", sdk.country), sdk.id
        if sdk.privacy_policy is not None:
            assert sdk.privacy_policy.startswith("https://"), sdk.id


def _obfuscated(prefix: str) -> bool:
    """True for names like com.a.a.a.a: every segment after the first is one letter."""
    return all(len(part) == 1 for part in prefix.split(".")[1:])


def test_obfuscation_check_itself_can_fail():
    # the loader's length rule accepts com.a.a.a.a (long enough, 5 segments); our extra rule must not
    assert valid_prefix("com.a.a.a.a")
    assert _obfuscated("com.a.a.a.a")
    assert not _obfuscated("com.qq.e")
    assert not valid_prefix("com.a") and not valid_prefix("u.aly")


def test_prefixes_are_meaningful(catalog):
    for sdk in catalog.sdks.values():
        for p in sdk.prefixes:
            assert valid_prefix(p), (sdk.id, p)
            assert not _obfuscated(p), (sdk.id, p)
            assert p == p.strip() and ".." not in p, (sdk.id, p)


def test_only_cnzz_lacks_a_class_prefix(catalog):
    # CNZZ ships obfuscated (com.a.a.a.a in the corpus); it is recognised by host instead
    no_prefix = {s.id for s in catalog.sdks.values() if not s.prefixes}
    assert no_prefix == {"cnzz"}
    assert catalog.sdks["cnzz"].hosts


def test_no_prefix_belongs_to_two_sdks_or_repeats(catalog):
    owners: dict[str, list[str]] = {}
    for sdk in catalog.sdks.values():
        assert len(set(sdk.prefixes)) == len(sdk.prefixes), sdk.id
        for p in sdk.prefixes:
            owners.setdefault(p, []).append(sdk.id)
    shared = {p: ids for p, ids in owners.items() if len(ids) > 1}
    assert not shared


def test_hosts_are_lower_case_and_unique(catalog):
    owners: dict[str, list[str]] = {}
    for sdk in catalog.sdks.values():
        for h in sdk.hosts:
            assert h == h.lower() and HOST.match(h), (sdk.id, h)
            owners.setdefault(h, []).append(sdk.id)
    # a host owned twice would make sdk_for_host depend on file order
    assert not {h: ids for h, ids in owners.items() if len(ids) > 1}


def test_no_bare_platform_hosts(catalog):
    # whole-company domains shared by unrelated products must not be pinned on one SDK
    hosts = {h for s in catalog.sdks.values() for h in s.hosts}
    for shared in ("qq.com", "baidu.com", "google.com", "googleapis.com", "huawei.com",
                   "xiaomi.com", "aliyuncs.com", "taobao.com", "163.com", "tencent.com"):
        assert shared not in hosts


def test_required_sdks_are_present(catalog):
    required = """
        umeng-common umeng-analytics umeng-push umeng-share umeng-apm cnzz
        jpush jiguang-core jiguang-verification jiguang-analytics jiguang-mlink
        getui-push getui-core getui-gy tencent-bugly tencent-bugly-upgrade tencent-tinker
        tencent-gdt tencent-tpns tencent-x5 tencent-mta tencent-beacon tencent-im
        tencent-map tencent-location wechat-opensdk qq-connect pangle kuaishou-ads
        baidu-location baidu-map baidu-mobstat baidu-mobads baidu-push amap-location amap-map3d
        amap-map2d amap-search amap-navi alipay-sdk unionpay msa-oaid shumei tongdun geetest
        hms-push hms-ads hms-ads-identifier hms-account hms-location hms-scan xiaomi-push
        oppo-push vivo-push meizu-push honor-push sharesdk mob-core talkingdata sensorsdata
        growingio iflytek sina-weibo shanyan netease-yidun alibaba-baichuan aliyun-push
        aliyun-httpdns rongcloud netease-yunxin agora sobot meiqia dingtalk-share
        douyin-opensdk kuaishou-opensdk sigmob mintegral youmi domob xiaomi-ads oppo-ads
        vivo-ads zhugeio tingyun oneapm bonree
        firebase-analytics firebase-messaging firebase-crashlytics firebase-remote-config
        firebase-auth firebase-dynamic-links firebase-installations google-analytics
        google-admob google-sign-in google-location facebook-core facebook-login facebook-share
        facebook-audience-network facebook-app-events appsflyer adjust branch kochava singular
        onesignal unity-ads applovin ironsource vungle chartboost inmobi flurry crashlytics
        fabric sentry bugsnag instabug mixpanel amplitude segment braze leanplum clevertap
        newrelic datadog appcenter yandex-appmetrica mopub smaato tapjoy twitter-kit
        linkedin-sdk snap-kit adobe-experience comscore nielsen
    """.split()
    missing = [r for r in required if r not in catalog.sdks]
    assert not missing


# --------------------------------------------------------------------------- class attribution

# Real class names from the corpus APKs -> the SDK id they must be attributed to.
CORPUS_CLASSES = [
    # getactivity_AndroidProject_2019-09_bugly_umeng.apk (Umeng + Bugly documented)
    ("com.umeng.commonsdk.UMConfigure", "umeng-common"),
    ("com.umeng.commonsdk.statistics.idtracking.ImprintHandler", "umeng-common"),
    ("com.umeng.a", "umeng-common"),
    ("com.umeng.analytics.MobclickAgent", "umeng-analytics"),
    ("com.umeng.socialize.UMShareAPI", "umeng-share"),
    ("com.umeng.qq.handler.QQConstant", "umeng-share"),
    ("com.umeng.weixin.handler.UmengWXHandler", "umeng-share"),
    ("com.tencent.bugly.crashreport.CrashReport", "tencent-bugly"),
    ("com.tencent.bugly.Bugly", "tencent-bugly"),
    ("com.tencent.bugly.proguard.aa", "tencent-bugly"),
    ("com.tencent.connect.common.BaseApi", "qq-connect"),
    ("com.squareup.leakcanary.LeakCanary", "squareup-leakcanary"),
    # bugly_hotfix_demo.apk (Bugly + Tinker)
    ("com.tencent.bugly.beta.Beta", "tencent-bugly-upgrade"),
    # (com.tencent.bugly.hotfix.* is the demo app's own package: see test_own_package_...)
    ("com.tencent.bugly.beta.tinker.TinkerManager", "tencent-bugly-hotfix"),
    ("com.tencent.tinker.loader.TinkerLoader", "tencent-tinker"),
    # yichou_UmengDemo.apk (Umeng analytics, Baidu location, Alibaba UTDID)
    ("com.umeng.analytics.game.UMGameAgent", "umeng-game-analytics"),
    ("com.umeng.analytics.social.UMPlatformData", "umeng-social-analytics"),
    ("com.baidu.location.LocationClient", "baidu-location"),
    ("com.baidu.location.b.a.a", "baidu-location"),
    ("com.ta.utdid2.device.Device", "alibaba-utdid"),
    ("com.ut.device.UTDevice", "alibaba-utdid"),
    # jpush_hbuilder_hello.apk (JPush, QQ connect, iFlytek, DCloud runtime)
    ("cn.jpush.android.api.JPushInterface", "jpush"),
    ("cn.jpush.android.service.PushService", "jpush"),
    ("cn.jpush.android.data.JPushLocalNotification", "jpush"),
    ("com.tencent.tauth.Tencent", "qq-connect"),
    ("com.tencent.connect.auth.AuthAgent", "qq-connect"),
    ("com.tencent.open.utils.ApkExternalInfoTool", "qq-connect"),
    ("com.iflytek.speech.DataDownloader", "iflytek"),
    ("com.iflytek.msc.MSC", "iflytek"),
    ("io.dcloud.feature.contacts.ContactsFeatureImpl", "dcloud"),
    # amap_3d_demo.apk (AMap map, location, search)
    ("com.amap.api.location.AMapLocation", "amap-location"),
    ("com.amap.api.location.LocationManagerProxy", "amap-location"),
    ("com.amap.api.maps.AMap", "amap-map3d"),
    ("com.autonavi.amap.mapcore.BaseMapCallImplement", "amap-map3d"),
    ("com.amap.api.services.geocoder.GeocodeAddress", "amap-search"),
    # exodus_instapaper.apk (Crashlytics/Fabric, Facebook, Firebase, Play services)
    ("com.crashlytics.android.core.CrashlyticsCore", "crashlytics"),
    ("com.crashlytics.android.answers.Answers", "crashlytics-answers"),
    ("io.fabric.sdk.android.InitializationException", "fabric"),
    ("com.facebook.AccessToken", "facebook-core"),
    ("com.facebook.internal.CallbackManagerImpl", "facebook-core"),
    ("com.facebook.login.LoginManager$2", "facebook-login"),
    ("com.facebook.appevents.AppEventsLogger", "facebook-app-events"),
    ("com.facebook.share.internal.DeviceShareDialogFragment", "facebook-share"),
    ("com.google.android.gms.measurement.AppMeasurement", "firebase-analytics"),
    ("com.google.firebase.iid.FirebaseInstanceId", "firebase-messaging"),
    ("com.google.firebase.remoteconfig.FirebaseRemoteConfigException", "firebase-remote-config"),
    ("com.google.firebase.provider.FirebaseInitProvider", "firebase-common"),
    ("com.google.android.gms.ads.identifier.AdvertisingIdClient", "google-advertising-id"),
    # InsecureBankv2.apk (Google Analytics + AdMob through Play services)
    ("com.google.android.gms.analytics.GoogleAnalytics", "google-analytics"),
    ("com.google.android.gms.analytics.Tracker", "google-analytics"),
    ("com.google.android.gms.ads.AdView", "google-admob"),
    ("com.google.ads.mediation.admob.AdMobAdapter", "google-admob"),
    ("com.google.android.gms.tagmanager.TagManager", "google-tag-manager"),
    ("com.google.android.gms.location.LocationServices", "google-location"),
    ("com.google.android.gms.common.GoogleApiAvailability", "google-play-services"),
    ("com.google.android.gms.internal.zza", "google-play-services"),
]


def test_own_package_never_claimed_by_vendor_prefix(catalog):
    # bugly_hotfix_demo.apk: Bugly's own demo app, package com.tencent.bugly.hotfix
    own = ("com.tencent.bugly.hotfix",)
    for cls in ("com.tencent.bugly.hotfix.MainActivity", "com.tencent.bugly.hotfix.BugClass",
                "com.tencent.bugly.hotfix.SampleApplicationLike$1"):
        assert catalog.sdk_for_class(cls) is not None  # the vendor-wide com.tencent.bugly
        assert catalog.sdk_for_class(cls, own) is None, cls
    # the SDK's classes in the same APK keep their attribution
    assert catalog.sdk_for_class("com.tencent.bugly.crashreport.CrashReport", own).id == \
        "tencent-bugly"
    assert catalog.sdk_for_class("com.tencent.bugly.beta.Beta", own).id == "tencent-bugly-upgrade"
    # package boundary: a sibling package is not the app's
    assert catalog.sdk_for_class("com.tencent.bugly.hotfixer.X", own).id == "tencent-bugly"
    # an SDK prefix longer than the app's package still claims the SDK inside it (WeChat's
    # own app com.tencent.mm ships com.tencent.mm.opensdk)
    assert catalog.sdk_for_class("com.tencent.mm.opensdk.openapi.WXAPIFactory",
                                 ("com.tencent.mm",)).id == "wechat-opensdk"
    assert catalog.sdk_for_class("com.tencent.mm.ui.LauncherUI", ("com.tencent.mm",)) is None


def test_companion_prefixes_only_next_to_their_sdk(catalog):
    # u.aly (old Umeng analytics engine, yichou_UmengDemo.apk) and com.aps (old AMap location,
    # amap_3d_demo.apk) are too generic alone: claimed only when the SDK is present by prefix
    assert catalog.sdk_for_class("u.aly.bh") is None
    assert catalog.sdk_for_class("u.aly.bh", present=frozenset({"umeng-analytics"})).id == \
        "umeng-analytics"
    assert catalog.sdk_for_class("com.aps.ac", present=frozenset({"umeng-analytics"})) is None
    assert catalog.sdk_for_class("com.aps.ac", present=frozenset({"amap-location"})).id == \
        "amap-location"
    assert catalog.sdk_for_class("com.loc.newsapp.Main") is None  # an unrelated app's name
    # the app's own package wins over a companion too
    assert catalog.sdk_for_class("com.loc.newsapp.Main", ("com.loc.newsapp",),
                                 frozenset({"amap-location"})) is None


# Push suites' analytics modules, old package names still shipped, login/open-platform SDKs
# (issue 13 item 6; sources in sdks.yaml)
SUITE_CLASSES = [
    ("com.xiaomi.clientreport.manager.ClientReportClient", "xiaomi-push"),
    ("com.xiaomi.channel.commonutils.logger.b", "xiaomi-push"),
    ("com.xiaomi.tinyData.TinyDataManager", "xiaomi-push"),
    ("com.huawei.hianalytics.process.HiAnalyticsManager", "hms-hianalytics"),
    ("com.hianalytics.android.v1.HiAnalytics", "hms-hianalytics"),
    ("anet.channel.GlobalAppRuntimeInfo", "alibaba-accs-agoo"),
    ("org.android.spdy.SpdyAgent", "alibaba-accs-agoo"),
    ("com.vivo.vms.IPCInvoke", "vivo-push"),
    ("com.tencent.wxop.stat.StatService", "wechat-opensdk"),
    ("com.sina.sso.RemoteSSO", "sina-weibo"),
    ("com.unicom.xiaowo.login.UniAuthHelper", "cucc-login"),
    ("com.g.elogin.ELoginThemeConfig", "getui-gy"),
    ("com.geetest.onepassv2.OnePassHelper", "geetest-onelogin"),
]


@pytest.mark.parametrize("cls,expected", SUITE_CLASSES)
def test_suite_modules_and_old_names(catalog, cls, expected):
    sdk = catalog.sdk_for_class(cls)
    assert sdk is not None and sdk.id == expected, (cls, sdk and sdk.id)


@pytest.mark.parametrize("cls,expected", CORPUS_CLASSES)
def test_corpus_class_attribution(catalog, cls, expected):
    sdk = catalog.sdk_for_class(cls)
    assert sdk is not None and sdk.id == expected, (cls, sdk and sdk.id)


# Documented SDKs that must also match under the names their vendors publish.
VENDOR_CLASSES = [
    ("com.qq.e.ads.splash.SplashAD", "tencent-gdt"),
    ("com.bytedance.sdk.openadsdk.TTAdSdk", "pangle"),
    ("com.bytedance.msdk.api.v2.GMMediationAdSdk", "pangle-gromore"),
    ("com.kwad.sdk.api.KsAdSDK", "kuaishou-ads"),
    ("com.tencent.mm.opensdk.openapi.WXAPIFactory", "wechat-opensdk"),
    ("com.tencent.map.geolocation.TencentLocationManager", "tencent-location"),
    ("com.autonavi.aps.amapapi.model.AMapLocationServer", "amap-location"),
    ("com.amap.api.fence.GeoFenceClient", "amap-location"),
    ("com.tencent.tencentmap.mapsdk.maps.TencentMap", "tencent-map"),
    ("com.alipay.sdk.app.PayTask", "alipay-sdk"),
    ("com.bun.miitmdid.core.MdidSdkHelper", "msa-oaid"),
    ("com.bun.supplier.IIdentifierListener", "msa-oaid"),
    ("com.ishumei.smantifraud.SmAntiFraud", "shumei"),
    ("cn.tongdun.android.shell.FMAgent", "tongdun"),
    ("com.geetest.sdk.GT3GeetestUtils", "geetest"),
    ("com.geetest.onelogin.OneLoginHelper", "geetest-onelogin"),
    ("com.huawei.hms.push.HmsMessaging", "hms-push"),
    ("com.huawei.hms.ads.identifier.AdvertisingIdClient", "hms-ads-identifier"),
    ("com.huawei.hms.ads.banner.BannerView", "hms-ads"),
    ("com.huawei.hms.support.api.client.Status", "hms-core"),
    ("com.xiaomi.mipush.sdk.MiPushClient", "xiaomi-push"),
    ("com.heytap.msp.push.HeytapPushManager", "oppo-push"),
    ("com.vivo.push.PushClient", "vivo-push"),
    ("com.meizu.cloud.pushsdk.PushManager", "meizu-push"),
    ("com.igexin.sdk.PushManager", "getui-push"),
    ("cn.jiguang.verifysdk.api.JVerificationInterface", "jiguang-verification"),
    ("cn.jiguang.api.JCoreInterface", "jiguang-core"),
    ("cn.jpush.reactnativejpush.JPushModule", "jpush"),
    ("cn.jpush.im.android.api.JMessageClient", "jiguang-message"),
    ("cn.sharesdk.framework.ShareSDK", "sharesdk"),
    ("com.mob.commons.MobProduct", "mob-core"),
    ("com.mob.tools.network.NetworkHelper", "mob-core"),
    ("com.sigmob.windad.WindAds", "sigmob"),
    ("io.agora.rtc.RtcEngine", "agora"),
    ("com.tendcloud.tenddata.TCAgent", "talkingdata"),
    ("com.sensorsdata.analytics.android.sdk.SensorsDataAPI", "sensorsdata"),
    ("com.growingio.android.sdk.collection.GrowingIO", "growingio"),
    ("com.sina.weibo.sdk.openapi.WBAPIFactory", "sina-weibo"),
    ("com.chuanglan.shanyan_sdk.OneKeyLoginManager", "shanyan"),
    ("com.netease.nis.captcha.Captcha", "netease-yidun"),
    ("com.baidu.mobstat.StatService", "baidu-mobstat"),
    ("com.baidu.mobads.sdk.api.SplashAd", "baidu-mobads"),
    ("com.appsflyer.AppsFlyerLib", "appsflyer"),
    ("com.adjust.sdk.Adjust", "adjust"),
    ("io.branch.referral.Branch", "branch"),
    ("com.onesignal.OneSignal", "onesignal"),
    ("com.unity3d.ads.UnityAds", "unity-ads"),
    ("com.applovin.sdk.AppLovinSdk", "applovin"),
    ("com.ironsource.mediationsdk.IronSource", "ironsource"),
    ("com.flurry.android.FlurryAgent", "flurry"),
    ("io.sentry.Sentry", "sentry"),
    ("com.mixpanel.android.mpmetrics.MixpanelAPI", "mixpanel"),
    ("com.amplitude.api.Amplitude", "amplitude"),
    ("com.google.firebase.crashlytics.FirebaseCrashlytics", "firebase-crashlytics"),
    ("com.google.firebase.messaging.FirebaseMessagingService", "firebase-messaging"),
    ("com.google.firebase.analytics.FirebaseAnalytics", "firebase-analytics"),
    ("com.facebook.ads.AdView", "facebook-audience-network"),
    # Facebook's open-source libraries are not the Facebook tracker SDK
    ("com.facebook.react.ReactActivity", "react-native"),
    ("com.facebook.drawee.view.SimpleDraweeView", "facebook-fresco"),
]


@pytest.mark.parametrize("cls,expected", VENDOR_CLASSES)
def test_vendor_class_attribution(catalog, cls, expected):
    sdk = catalog.sdk_for_class(cls)
    assert sdk is not None and sdk.id == expected, (cls, sdk and sdk.id)


@pytest.mark.parametrize("cls", [
    "com.umengx.Foo",                  # shares a textual prefix, not a package
    "com.example.app.Main",
    "com.a.a.a.a.a",                   # obfuscated CNZZ code in umeng_CNZZ.apk: no safe signature
    "u.aly.a",                         # obfuscated old Umeng internals: too short to sign
    "com.ntop.cnzz.CNZZActivity",      # the CNZZ sample's own activity
    "com.tencent.mmkv.MMKV",           # Tencent, but no catalog entry: no vendor-wide fallback
    "com.qq.example.Main",             # com.qq.e must not swallow com.qq.*
    "com.google.android.material.button.MaterialButton",
    "de.ecspride.MainActivity",
    "com.umeng",                       # a package name alone is not a class inside it
    # generic top-level names shared by an SDK's internals and unrelated projects: not signatures
    "com.aps.a",                       # old AMap location internals (amap_3d_demo.apk) ...
    "com.aps.entity.Order",            # ... and an unrelated project's package
    "com.loc.newsapp.MainActivity",    # com.loc: AMap internals, and a popular tutorial package
    "com.mob.shopping.beans.Cart",     # com.mob: MobTech, and unrelated apps
    "com.tune.music.data.Song",        # com.tune: TUNE, and unrelated apps
])
def test_unrelated_classes_are_not_attributed(catalog, cls):
    assert catalog.sdk_for_class(cls) is None


# --------------------------------------------------------------------------- hosts

HOSTS = [
    # seen as URL strings inside the SDK code of corpus APKs
    ("alog.umeng.com", "umeng-analytics"),
    ("alog.umeng.co", "umeng-analytics"),
    ("ulogs.umeng.com", "umeng-common"),
    ("plbslog.umeng.com", "umeng-common"),
    ("log.umsns.com", "umeng-share"),
    ("android.bugly.qq.com", "tencent-bugly"),
    ("rqd.uu.qq.com", "tencent-bugly"),
    ("openmobile.qq.com", "qq-connect"),
    ("api.weixin.qq.com", "wechat-opensdk"),
    ("apilocate.amap.com", "amap-location"),
    ("restapi.amap.com", "amap-search"),
    ("m.amap.com", "amap-common"),
    ("loc.map.baidu.com", "baidu-location"),
    ("dev.voicecloud.cn", "iflytek"),
    ("collector.mobile.cnzz.com", "cnzz"),
    ("app-measurement.com", "firebase-analytics"),
    ("settings.crashlytics.com", "crashlytics"),
    ("graph.facebook.com", "facebook-core"),
    ("ssl.google-analytics.com", "google-analytics"),
    ("googleads.g.doubleclick.net", "google-admob"),
    # documented endpoints
    ("sdk.e.qq.com", "tencent-gdt"),
    ("mi.gdt.qq.com", "tencent-gdt"),
    ("api-access.pangolin-sdk-toutiao.com", "pangle"),
    ("gromore.pangolin-sdk-toutiao.com", "pangle-gromore"),
    ("open.e.kuaishou.com", "kuaishou-ads"),
    ("fp-it-tracker.fengkongcloud.com", "shumei"),
    ("sdk.open.api.igexin.com", "getui-push"),
    ("API.JPush.CN.", "jpush"),          # case and trailing dot are normalised
    ("fcm.googleapis.com", "firebase-messaging"),
    ("tdcv3.talkingdata.net", "talkingdata"),
    ("soft.tbs.imtt.qq.com", "tencent-x5"),
    ("config.cmpassport.com", "cmcc-login"),
    ("pingma.qq.com", "tencent-mta"),
    ("nav.cn.ronghub.com", "rongcloud"),
    ("lbs.netease.im", "netease-yunxin"),
    ("firebase-settings.crashlytics.com", "firebase-crashlytics"),
]


@pytest.mark.parametrize("host,expected", HOSTS)
def test_host_attribution(catalog, host, expected):
    sdk = catalog.sdk_for_host(host)
    assert sdk is not None and sdk.id == expected, (host, sdk and sdk.id)


@pytest.mark.parametrize("host", [
    "example.com", "www.qq.com", "qq.com", "umeng.co", "notumeng.com", "amap.com.evil.example",
    "googleapis.com", "www.baidu.com", "localhost",
])
def test_unrelated_hosts_are_not_attributed(catalog, host):
    assert catalog.sdk_for_host(host) is None


# --------------------------------------------------------------------------- the corpus itself

# SOURCES.tsv documents these SDKs for the real apps (CNZZ: by host, its classes are obfuscated).
DOCUMENTED = {
    "getactivity_AndroidProject_2019-09_bugly_umeng.apk": {"umeng-common", "umeng-analytics",
                                                           "tencent-bugly"},
    "bugly_hotfix_demo.apk": {"tencent-bugly", "tencent-tinker"},
    "yichou_UmengDemo.apk": {"umeng-analytics", "baidu-location", "alibaba-utdid"},
    "jpush_hbuilder_hello.apk": {"jpush", "qq-connect", "iflytek"},
    "amap_3d_demo.apk": {"amap-map3d", "amap-location", "amap-search"},
    "exodus_instapaper.apk": {"crashlytics", "fabric", "facebook-core", "facebook-app-events",
                              "facebook-login", "firebase-analytics", "firebase-messaging"},
    "InsecureBankv2.apk": {"google-analytics", "google-admob"},
}
# Apps that SOURCES.tsv says contain no trackers: no catalog SDK may match them.
TRACKER_FREE = ["androguard_a2dp.Vol_137.apk", "androguard_politedroid_4.apk", "pivaa.apk",
                "androguard_abcore_multidex.apk", "umeng_CNZZ.apk",
                "droidbench_AndroidSpecific_DirectLeak1.apk"]


def _classes(apk_path):
    from privascope.static.dex import DexFile, descriptor_to_java

    with zipfile.ZipFile(apk_path) as z:
        for name in z.namelist():
            if re.fullmatch(r"classes\d*\.dex", name):
                for desc in DexFile(z.read(name), name).class_descriptors():
                    yield descriptor_to_java(desc)


@pytest.mark.parametrize("apk,expected", sorted(DOCUMENTED.items()))
def test_corpus_apks_detect_documented_sdks(catalog, corpus_dir, apk, expected):
    found = {s.id for s in map(catalog.sdk_for_class, _classes(corpus_dir / apk)) if s}
    assert expected <= found, sorted(expected - found)


@pytest.mark.parametrize("apk", TRACKER_FREE)
def test_corpus_apks_without_trackers_match_nothing(catalog, corpus_dir, apk):
    hits = {(c, s.id) for c in _classes(corpus_dir / apk) if (s := catalog.sdk_for_class(c))}
    assert not hits


def test_cnzz_sample_is_found_by_its_collector_host(catalog, corpus_dir):
    from privascope.static.dex import DexFile

    with zipfile.ZipFile(corpus_dir / "umeng_CNZZ.apk") as z:
        dex = DexFile(z.read("classes.dex"))
    hosts = {m.group(1) for _, s in dex.strings() for m in re.finditer(r"https?://([\w.-]+)", s)}
    assert {catalog.sdk_for_host(h).id for h in hosts if catalog.sdk_for_host(h)} == {"cnzz"}
