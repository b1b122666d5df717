"""Traffic evaluators on minimal bundles: who received which PI, before consent, to third
parties, in clear; requests without PI never count."""
from __future__ import annotations

from privascope.model import ConsentPhase, Destination
from privascope.rules.evaluators import traffic as T
from tests.rules.evaluators.bundles import ctx, flow, match, refs, rule_params

BEFORE = ConsentPhase.BEFORE


def _c(catalog, *flows):
    return ctx(catalog, kinds=("traffic",), traffic=tuple(flows))


def test_before_consent_one_hit_per_host_and_pi_type(catalog):
    c = _c(catalog,
           flow("t1", "log.umeng.com", match(), match("device.android_id", "md5"),
                sdk="umeng-common", phase=BEFORE),
           flow("t2", "log.umeng.com", match(encoding="base64"), sdk="umeng-common", phase=BEFORE),
           flow("t3", "api.example.com", match(), dest=Destination.FIRST_PARTY, phase=BEFORE))
    hits = list(T.traffic_before_consent(c, {}))
    assert [(h.key, h.pi_types, refs(h)) for h in hits] == [
        ("log.umeng.com", ("device.imei",), ["t1", "t2"]),
        ("log.umeng.com", ("device.android_id",), ["t1"]),
        ("api.example.com", ("device.imei",), ["t3"])]  # first party too: consent comes first
    imei = hits[0]
    assert imei.sdk == "umeng-common" and imei.fields["count"] == 2
    assert imei.fields["encodings"] == "raw, base64"  # only the encodings of that PI type
    assert hits[1].fields["encodings"] == "md5"


def test_before_consent_near_misses(catalog):
    c = _c(catalog,
           flow("t1", "a.com", phase=BEFORE),  # no PI in it
           flow("t2", "b.com", match(), phase=ConsentPhase.AFTER_ACCEPT),
           flow("t3", "c.com", match(), phase=None))  # phase unknown: not claimed as before
    assert list(T.traffic_before_consent(c, {})) == []


def test_third_party_one_hit_per_sdk_and_per_unclaimed_host(catalog):
    c = _c(catalog,
           flow("t1", "a.umeng.com", match(), sdk="umeng-common"),
           flow("t2", "b.umeng.com", match("device.android_id"), sdk="umeng-common"),
           flow("t3", "x.tracker.cn", match()),
           flow("t4", "x.tracker.cn", match("location.precise")),
           flow("t5", "y.tracker.cn", match()))
    hits = list(T.traffic_third_party(c, rule_params(catalog, "PS202")))
    assert [(h.sdk, h.key, refs(h)) for h in hits] == [
        ("umeng-common", "", ["t1", "t2"]), (None, "x.tracker.cn", ["t3", "t4"]),
        (None, "y.tracker.cn", ["t5"])]
    umeng = hits[0]
    assert umeng.per_pi is False and umeng.pi_types == ("device.imei", "device.android_id")
    assert umeng.fields["hosts"] == "a.umeng.com, b.umeng.com" and "sdk" not in umeng.fields
    assert hits[1].fields["sdk"]["en"] == "An unidentified third party"


def test_third_party_near_misses(catalog):
    c = _c(catalog, flow("t1", "api.example.com", match(), dest=Destination.FIRST_PARTY),
           flow("t2", "u.cn", match(), dest=Destination.UNKNOWN),
           flow("t3", "a.umeng.com", sdk="umeng-common"))  # third party, but no PI
    assert list(T.traffic_third_party(c, rule_params(catalog, "PS202"))) == []


def test_cleartext_by_host_for_http_and_ws_only(catalog):
    c = _c(catalog,
           flow("t1", "h.cn", match(), scheme="http"),
           flow("t2", "h.cn", match("device.android_id", "sha1"), scheme="ws"),
           flow("t3", "h.cn", match(), scheme="https"), flow("t4", "s.cn", match(), scheme="wss"),
           flow("t5", "n.cn", scheme="http"))  # in clear but no PI
    (hit,) = T.traffic_cleartext(c, {})
    assert hit.key == "h.cn" and refs(hit) == ["t1", "t2"] and hit.per_pi is False
    assert hit.pi_types == ("device.imei", "device.android_id")
    assert hit.fields["encodings"] == "raw, sha1" and hit.fields["count"] == 2


def test_a_flow_not_made_by_the_apps_process_makes_no_finding(catalog):
    """Device traffic (origin device/unknown, decided by dynamic_run.correlate) is no evidence:
    judging moves it to device_traffic before the policy comparison and the rules run, so the
    same flow that is a finding as the app's is none as the device's."""
    import dataclasses

    from privascope.model import Origin
    from privascope.pipeline import judge
    from tests.rules.evaluators.bundles import bundle

    gms = flow("t1", "android.clients.google.com", match("device.android_id"), phase=BEFORE,
               scheme="http")
    as_app = judge(bundle(kinds=("traffic",), traffic=(gms,)), catalog=catalog)
    assert {f.rule for f in as_app.findings if f.source == "traffic"}, "the app's flow: findings"
    for origin in (Origin.DEVICE, Origin.UNKNOWN):
        other = dataclasses.replace(gms, origin=origin, origin_reason="no process of the app asked")
        judged = judge(bundle(kinds=("traffic",), traffic=(other,)), catalog=catalog)
        cited = [r.id for f in judged.findings for r in f.evidence if r.kind == "traffic_event"]
        assert cited == [] and judged.traffic == () and judged.device_traffic == (other,)
