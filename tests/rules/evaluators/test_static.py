"""Static evaluators called directly on minimal bundles: what groups into one hit, what stays
out (near misses), and when the evidence is too weak for the rule's confidence."""
from __future__ import annotations

from privascope.model import (
    Confidence, ManifestFlags, PackerHit, PrivacyPolicyRef, SdkPresence, Severity, Via,
)
from privascope.rules.evaluators import static as S
from tests.rules.evaluators.bundles import (
    ANDROID_ID_API, APPS_API, QUERY_API, ctx, event, permission, refs, rule_params, runtime, site,
)

CONTACTS = "android.permission.READ_CONTACTS"
PHONE = "android.permission.READ_PHONE_STATE"


def _sdk(id="umeng-common", calls=False, pis=()):
    return SdkPresence(id=id, name=id, name_zh=id, vendor="Vendor " + id, category="analytics",
                       matched_prefixes=("com.x",), class_count=1, calls_pi_apis=calls,
                       pi_types=tuple(pis))


# --------------------------------------------------------------------- static_immutable_id

def test_immutable_ids_one_hit_per_sdk_and_pi_type(catalog):
    c = ctx(catalog, api_calls=(
        site("s1", sdk="umeng-common"), site("s2", sdk="umeng-common"),
        site("s3", sdk=None),
        site("s4", pi="device.android_id", api=ANDROID_ID_API),  # resettable: not this rule
        site("s5", pi="device.serial", api="android.os.Build.SERIAL", via=Via.FIELD)))
    hits = list(S.static_immutable_id(c, {}))
    assert [(h.sdk, h.pi_types, refs(h)) for h in hits] == [
        ("umeng-common", ("device.imei",), ["s1", "s2"]),
        (None, ("device.imei",), ["s3"]),
        (None, ("device.serial",), ["s5"])]
    assert hits[0].fields["count"] == 2 and hits[0].fields["apis"] == "TelephonyManager.getDeviceId"
    assert all(h.confidence == Confidence.MEDIUM for h in hits)  # invoke / field


def test_immutable_id_near_miss_resettable_ids_only(catalog):
    c = ctx(catalog, api_calls=(site("s1", pi="device.android_id", api=ANDROID_ID_API),
                                site("s2", pi="device.oaid", api="x.Oaid.get")))
    assert list(S.static_immutable_id(c, {})) == []


def test_reflection_or_low_sites_alone_give_low_confidence(catalog):
    refl = ctx(catalog, api_calls=(site("s1", via=Via.REFLECTION, confidence=Confidence.MEDIUM),
                                   site("s2", via=Via.URI)))
    assert [h.confidence for h in S.static_immutable_id(refl, {})] == [Confidence.LOW]
    # an invoke whose key could not be resolved (site confidence low) is weak too
    low = ctx(catalog, api_calls=(site("s1", confidence=Confidence.LOW),))
    assert [h.confidence for h in S.static_immutable_id(low, {})] == [Confidence.LOW]
    # one direct site among weak ones is enough for medium
    mixed = ctx(catalog, api_calls=(site("s1", via=Via.REFLECTION), site("s2")))
    assert [h.confidence for h in S.static_immutable_id(mixed, {})] == [Confidence.MEDIUM]


# --------------------------------------------------------------------- static_pi_types

def test_pi_types_only_the_wanted_ones(catalog):
    c = ctx(catalog, api_calls=(site("s1", pi="app_list", api=APPS_API, sdk="umeng-common"),
                                site("s2"),
                                site("s3", pi="app_list", api=QUERY_API)))
    hits = list(S.static_pi_types(c, {"pi_types": ["app_list"]}))
    assert [(h.sdk, refs(h)) for h in hits] == [("umeng-common", ["s1"]), (None, ["s3"])]
    assert list(S.static_pi_types(c, {})) == []  # no pi_types configured: nothing wanted


def test_pi_types_weak_apis_lower_confidence_only_when_all_sites_are_weak(catalog):
    # queryIntentActivities / getPackagesForUid are `strength: weak` in apis.yaml
    assert catalog.apis[QUERY_API].strength == "weak"
    assert catalog.apis[APPS_API].strength == "strong"
    params = {"pi_types": ["app_list"], "weak_evidence": {"severity": "low", "confidence": "low"}}
    weak = ctx(catalog, api_calls=(site("s1", pi="app_list", api=QUERY_API),
                                   site("s2", pi="app_list",
                                        api="android.content.pm.PackageManager.getPackagesForUid")))
    (hit,) = S.static_pi_types(weak, params)
    assert (hit.confidence, hit.severity) == (Confidence.LOW, Severity.LOW)
    both = ctx(catalog, api_calls=(site("s1", pi="app_list", api=QUERY_API),
                                   site("s2", pi="app_list", api=APPS_API)))
    (hit,) = S.static_pi_types(both, params)
    assert (hit.confidence, hit.severity) == (Confidence.MEDIUM, None)
    assert hit.fields["count"] == 2
    assert hit.fields["apis"] == "PackageManager.queryIntentActivities, " \
                                 "PackageManager.getInstalledPackages"
    # a rule without weak_evidence keeps its grade for weak APIs too
    (hit,) = S.static_pi_types(weak, {"pi_types": ["app_list"]})
    assert (hit.confidence, hit.severity) == (Confidence.MEDIUM, None)


def test_library_wrapper_sites_raise_no_finding_of_their_own(catalog):
    import dataclasses
    lib = dataclasses.replace(site("s1", caller="androidx.core.telephony.TelephonyManagerCompat"),
                              library=True)
    moved = dataclasses.replace(site("s2"), via_wrapper="androidx.core.telephony."
                                "TelephonyManagerCompat.getImei(Landroid/telephony/"
                                "TelephonyManager;)Ljava/lang/String;")
    assert list(S.static_immutable_id(ctx(catalog, api_calls=(lib,)), {})) == []
    (hit,) = S.static_immutable_id(ctx(catalog, api_calls=(lib, moved)), {})
    assert refs(hit) == ["s2"] and hit.fields["count"] == 1
    apps = dataclasses.replace(site("s3", pi="app_list", api=APPS_API), library=True)
    assert list(S.static_pi_types(ctx(catalog, api_calls=(apps,)),
                                  {"pi_types": ["app_list"]})) == []


# --------------------------------------------------------------------- static_unused_permissions

def test_dangerous_permission_without_use_is_a_hit(catalog):
    c = ctx(catalog, permissions=(permission(CONTACTS, ("contacts",), id="perm-7"),
                                  permission("android.permission.INTERNET", level="normal")))
    (hit,) = S.static_unused_permissions(c, {})
    assert hit.key == CONTACTS and hit.per_pi is False and refs(hit) == ["perm-7"]
    assert hit.pi_types == ("contacts",) and hit.confidence is None


def test_used_permission_is_not_a_hit(catalog):
    perms = (permission(PHONE, ("device.imei", "phone_number")),)
    assert list(S.static_unused_permissions(ctx(catalog, permissions=perms,
                                                api_calls=(site("s1"),)), {})) == []
    # a use observed only at run time counts as use too
    rt = runtime([event("r1", pi="phone_number", api="x.Tm.getLine1Number")])
    assert list(S.static_unused_permissions(ctx(catalog, permissions=perms, runtime=rt,
                                                kinds=("static", "runtime")), {})) == []


def test_permission_pi_types_fall_back_to_the_catalog_and_evidence_to_the_name(catalog):
    c = ctx(catalog, permissions=(permission(CONTACTS),))  # scanner gave no PI types
    (hit,) = S.static_unused_permissions(c, {})
    assert set(hit.pi_types) == set(catalog.permissions[CONTACTS].pi_types)
    assert refs(hit) == [CONTACTS]


def test_unused_permission_confidence_drops_when_code_may_be_hidden(catalog):
    perms = (permission(CONTACTS, ("contacts",)),)
    packed = ctx(catalog, permissions=perms, packers=(PackerHit("jiagu360", "360", ("x",)),))
    partial = ctx(catalog, permissions=perms, partial=True)
    listed = ctx(catalog, permissions=perms)
    assert [h.confidence for h in S.static_unused_permissions(packed, {})] == [Confidence.LOW]
    assert [h.confidence for h in S.static_unused_permissions(partial, {})] == [Confidence.LOW]
    assert [h.confidence for h in S.static_unused_permissions(
        listed, {"low_confidence_permissions": [CONTACTS]})] == [Confidence.LOW]


def test_unknown_permission_uses_the_level_the_scanner_recorded(catalog):
    custom = "com.vendor.permission.READ_SECRETS"
    assert custom not in catalog.permissions
    dangerous = ctx(catalog, permissions=(permission(custom, ("contacts",)),))
    (hit,) = S.static_unused_permissions(dangerous, {})
    assert hit.key == custom
    unknown = ctx(catalog, permissions=(permission(custom, ("contacts",), level="unknown"),))
    assert list(S.static_unused_permissions(unknown, {})) == []
    # a PI type no catalog API yields cannot be "unused" for sure: low confidence
    undetectable = ctx(catalog, permissions=(permission(custom, ("no.such.pi",)),))
    assert [h.confidence for h in S.static_unused_permissions(undetectable, {})] == [Confidence.LOW]


def test_dangerous_permission_without_pi_types_is_not_compared(catalog):
    c = ctx(catalog, permissions=(permission("android.permission.CALL_PHONE"),))
    assert catalog.permissions["android.permission.CALL_PHONE"].pi_types == ()
    assert list(S.static_unused_permissions(c, {})) == []


# --------------------------------------------------------------------- static_sdk_pi

def test_sdk_hit_cites_its_own_call_sites_and_merges_pi_types(catalog):
    c = ctx(catalog, sdks=(_sdk(calls=True, pis=("device.imei",)),),
            api_calls=(site("s1", sdk="umeng-common", pi="app_list", api=APPS_API),
                       site("s2", sdk="other-sdk"), site("s3")))
    (hit,) = S.static_sdk_pi(c, {})
    assert hit.sdk == "umeng-common" and refs(hit) == ["s1"] and hit.per_pi is False
    assert hit.pi_types == ("device.imei", "app_list")
    assert hit.fields == {"vendor": "Vendor umeng-common"}


def test_sdk_flagged_without_sites_cites_the_sdk(catalog):
    c = ctx(catalog, sdks=(_sdk(calls=True, pis=("location.precise",)),))
    (hit,) = S.static_sdk_pi(c, {})
    assert [(r.kind, r.id) for r in hit.evidence] == [("sdk", "umeng-common")]


def test_sdk_that_calls_nothing_is_not_a_hit(catalog):
    c = ctx(catalog, sdks=(_sdk(calls=False),), api_calls=(site("s1"),))
    assert list(S.static_sdk_pi(c, {})) == []


# --------------------------------------------------------------------- privacy policy, cleartext

def test_no_privacy_policy(catalog):
    assert len(list(S.static_no_privacy_policy(ctx(catalog), {}))) == 1
    found = ctx(catalog, privacy_policy=(PrivacyPolicyRef("text", "隐私政策", "classes.dex"),))
    assert list(S.static_no_privacy_policy(found, {})) == []


def _reasons(catalog, manifest=ManifestFlags(), target=None):
    hits = list(S.static_cleartext_permitted(
        ctx(catalog, manifest=manifest, app={"target_sdk": target}), rule_params(catalog, "PS306")))
    assert len(hits) <= 1
    return [r if isinstance(r, str) else r["en"] for r in hits[0].fields["reasons"]] if hits else []


def test_cleartext_reasons(catalog):
    assert _reasons(catalog, ManifestFlags(uses_cleartext_traffic=True), 33) == [
        'android:usesCleartextTraffic="true"']
    assert _reasons(catalog, ManifestFlags(network_security_config="res/xml/n.xml",
                                           cleartext_permitted_by_default=True), 33) == [
        "network security config permits cleartext by default"]
    domains = _reasons(catalog, ManifestFlags(network_security_config="res/xml/n.xml",
                                              cleartext_permitted_domains=("a.cn", "b.cn")), 33)
    assert len(domains) == 1 and "a.cn, b.cn" in domains[0]
    old = _reasons(catalog, ManifestFlags(), 27)
    assert len(old) == 1 and "27" in old[0]


def test_cleartext_near_misses(catalog):
    assert _reasons(catalog, ManifestFlags(), 28) == []  # modern default: no cleartext
    assert _reasons(catalog, ManifestFlags(), None) == []  # unknown target: no claim
    assert _reasons(catalog, ManifestFlags(uses_cleartext_traffic=False), 27) == []
    assert _reasons(catalog, ManifestFlags(network_security_config="res/xml/n.xml",
                                           cleartext_permitted_by_default=False), 23) == []


def test_cleartext_hit_points_at_the_manifest(catalog):
    (hit,) = S.static_cleartext_permitted(
        ctx(catalog, manifest=ManifestFlags(uses_cleartext_traffic=True)),
        rule_params(catalog, "PS306"))
    assert [(r.kind, r.id) for r in hit.evidence] == [("manifest", "AndroidManifest.xml")]
    assert hit.sdk is None and hit.key == ""
