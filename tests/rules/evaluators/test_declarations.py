"""The Data safety evaluator: one hit per category the evidence touches, citing that category
(and "sharing" when a third party received it), strongest evidence first."""
from __future__ import annotations

from privascope.model import ClauseRef, Confidence, Destination
from privascope.rules.evaluators import declarations as D
from tests.rules.evaluators.bundles import (
    ANDROID_ID_API, ctx, event, flow, match, refs, rule_params, runtime, site,
)

ALL = (ClauseRef("playds", "device_or_other_ids"), ClauseRef("playds", "location"),
       ClauseRef("playds", "app_activity"), ClauseRef("playds", "sharing"))


def _hits(catalog, clauses=ALL, **kw):
    params = rule_params(catalog, "PS401", _rule_clauses=clauses)  # texts from rules.yaml
    return {h.key: h for h in D.data_safety_categories(ctx(catalog, **kw), params)}


def test_runtime_evidence_gives_the_rule_confidence_and_the_category(catalog):
    rt = runtime([event("r1", pi="device.android_id", api=ANDROID_ID_API), event("r2")])
    hits = _hits(catalog, kinds=("runtime",), runtime=rt)
    assert list(hits) == ["device_or_other_ids"]
    h = hits["device_or_other_ids"]
    assert h.pi_types == ("device.android_id", "device.imei") and refs(h) == ["r1", "r2"]
    assert h.clauses == (ClauseRef("playds", "device_or_other_ids"),)
    assert h.confidence is None and h.per_pi is False and h.fields["shared"] == ""
    assert [x["en"] for x in h.fields["how"]] == ["observed at run time"]
    assert h.fields["category"]["en"]  # the clause title, in both languages
    assert h.fields["category"]["zh"]


def test_static_only_is_medium_and_runtime_wins_the_order(catalog):
    static = _hits(catalog, api_calls=(site("s1", pi="location.precise",
                                            api="android.location.LocationManager.getLastKnownLocation"),))
    assert static["location"].confidence == Confidence.MEDIUM
    both = _hits(catalog, kinds=("static", "runtime"), api_calls=(site("s1"),),
                 runtime=runtime([event("r1")]))
    h = both["device_or_other_ids"]
    assert h.confidence is None
    assert [x["en"] for x in h.fields["how"]] == ["observed at run time", "reachable in code"]
    assert refs(h) == ["r1", "s1"]


def test_library_wrapper_sites_touch_no_category(catalog):
    import dataclasses
    lib = dataclasses.replace(site("s1", pi="location.precise",
                                   api="android.location.LocationManager.getLastKnownLocation",
                                   caller="androidx.appcompat.app.TwilightManager"), library=True)
    assert _hits(catalog, api_calls=(lib,)) == {}
    assert list(_hits(catalog, api_calls=(lib, site("s2")))) == ["device_or_other_ids"]


def test_sharing_is_cited_only_for_third_party_traffic(catalog):
    shared = _hits(catalog, kinds=("traffic",), traffic=(
        flow("t1", "a.umeng.com", match(), sdk="umeng-common"),
        flow("t2", "api.example.com", match("location.precise"), dest=Destination.FIRST_PARTY)))
    assert shared["device_or_other_ids"].clauses == (
        ClauseRef("playds", "device_or_other_ids"), ClauseRef("playds", "sharing"))
    assert shared["device_or_other_ids"].fields["shared"]["en"] == ", shared with a third party"
    assert shared["location"].clauses == (ClauseRef("playds", "location"),)


def test_near_misses_failed_reads_unlisted_categories_unknown_pi(catalog):
    failed = runtime([event("r1", obtained=False)])
    assert _hits(catalog, kinds=("runtime",), runtime=failed) == {}
    only_location = (ClauseRef("playds", "location"),)
    assert _hits(catalog, only_location, api_calls=(site("s1"),)) == {}
    assert _hits(catalog, api_calls=(site("s1", pi="no.such.pi"),)) == {}


def test_evidence_references_are_capped_per_category(catalog):
    sites = tuple(site(f"s{i}", caller=f"a.C{i}") for i in range(D.MAX_REFS + 20))
    h = _hits(catalog, api_calls=sites)["device_or_other_ids"]
    assert len(h.evidence) == D.MAX_REFS and refs(h)[0] == "s0"
