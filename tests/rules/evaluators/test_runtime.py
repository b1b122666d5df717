"""Runtime evaluators on minimal bundles: consent phase, background, immutable IDs, named PI
types, frequency bursts, permission requests and other apps' components."""
from __future__ import annotations

import pytest

from privascope.model import AppState, Confidence, ConsentPhase
from privascope.rules.errors import RuleConfigError
from privascope.rules.evaluators import runtime as R
from tests.rules.evaluators.bundles import (
    ANDROID_ID_API, APPS_API, PACKAGE, QUERY_API, ctx, event, launch, refs, request, runtime,
)

BEFORE, ACCEPT, REJECT = ConsentPhase.BEFORE, ConsentPhase.AFTER_ACCEPT, ConsentPhase.AFTER_REJECT
CAMERA, INTERNET = "android.permission.CAMERA", "android.permission.INTERNET"


def _c(catalog, calls=(), requests=(), launches=()):
    return ctx(catalog, kinds=("runtime",), runtime=runtime(calls, requests, launches))


def test_phase_groups_by_sdk_and_pi_in_time_order(catalog):
    c = _c(catalog, [event("r3", t=9.0, sdk="umeng-common", phase=BEFORE),
                     event("r1", t=2.5, sdk="umeng-common", phase=BEFORE),
                     event("r2", t=4.0, sdk=None, phase=BEFORE),
                     event("r4", t=5.0, sdk="umeng-common", phase=ACCEPT)])
    hits = list(R.runtime_phase(c, {"phase": "before"}))
    assert [(h.sdk, refs(h)) for h in hits] == [("umeng-common", ["r1", "r3"]), (None, ["r2"])]
    assert hits[0].fields["first"] == "2.5s" and hits[0].fields["last"] == "9.0s"
    assert hits[0].fields["count"] == 2 and hits[0].pi_types == ("device.imei",)


def test_phase_separates_collection_from_attempts(catalog):
    c = _c(catalog, [event("ok", phase=REJECT), event("denied", phase=REJECT, obtained=False)])
    assert [refs(h) for h in R.runtime_phase(c, {"phase": "after_reject"})] == [["ok"]]
    assert [refs(h) for h in R.runtime_phase(c, {"phase": "after_reject", "obtained": False})] \
        == [["denied"]]
    assert list(R.runtime_phase(c, {"phase": "before"})) == []


def test_no_runtime_evidence_no_hits(catalog):
    c = ctx(catalog)  # static-only bundle
    assert list(R.runtime_phase(c, {"phase": "before"})) == []
    assert list(R.runtime_permission_requests(c, {"phase": "before"})) == []
    assert list(R.runtime_component_launches(c, {"phase": "before"})) == []
    assert list(R.runtime_frequency(c, {"max_events": 1, "window_seconds": 1})) == []


def test_background_counts_only_obtained_background_reads(catalog):
    c = _c(catalog, [event("bg", state=AppState.BACKGROUND),
                     event("bg-denied", state=AppState.BACKGROUND, obtained=False),
                     event("fg"), event("unknown", state=AppState.UNKNOWN)])
    assert [refs(h) for h in R.runtime_background(c, {})] == [["bg"]]


def test_immutable_ids_obtained_only(catalog):
    c = _c(catalog, [event("imei"), event("denied", obtained=False),
                     event("aid", pi="device.android_id", api=ANDROID_ID_API)])
    assert [(h.pi_types, refs(h)) for h in R.runtime_immutable_id(c, {})] == [
        (("device.imei",), ["imei"])]


def test_named_pi_types_count_attempts_and_weak_apis(catalog):
    params = {"pi_types": ["app_list"], "low_confidence_apis": [QUERY_API]}
    c = _c(catalog, [event("q", pi="app_list", api=QUERY_API, obtained=False), event("imei")])
    (hit,) = R.runtime_pi_types(c, params)
    assert refs(hit) == ["q"] and hit.confidence == Confidence.LOW  # an attempt still counts
    strong = _c(catalog, [event("q", pi="app_list", api=QUERY_API),
                          event("p", pi="app_list", api=APPS_API)])
    (hit,) = R.runtime_pi_types(strong, params)
    assert hit.confidence is None and refs(hit) == ["q", "p"]


def test_frequency_reports_the_burst_not_every_read(catalog):
    calls = [event(f"r{i}", t=t, sdk="s") for i, t in enumerate([0, 100, 101, 102, 103, 200])]
    (hit,) = R.runtime_frequency(_c(catalog, calls), {"max_events": 3, "window_seconds": 10})
    assert refs(hit) == ["r1", "r2", "r3", "r4"]
    assert (hit.fields["count"], hit.fields["max"], hit.fields["limit"]) == (6, 4, 3)
    assert hit.fields["window"] == "10" and hit.fields["first"] == "100.0s"


def test_frequency_near_misses(catalog):
    at_limit = [event(f"r{i}", t=i) for i in range(3)]
    assert list(R.runtime_frequency(_c(catalog, at_limit),
                                    {"max_events": 3, "window_seconds": 60})) == []
    # failed reads and reads by different SDKs are not one burst
    mixed = [event("a", t=0, obtained=False), event("b", t=1, obtained=False),
             event("c", t=2, sdk="x"), event("d", t=3, sdk="y"), event("e", t=4)]
    assert list(R.runtime_frequency(_c(catalog, mixed),
                                    {"max_events": 1, "window_seconds": 60})) == []


@pytest.mark.parametrize("params", [{}, {"max_events": "many", "window_seconds": 1},
                                    {"max_events": 0, "window_seconds": 1},
                                    {"max_events": 2, "window_seconds": -5},
                                    {"max_events": None, "window_seconds": 1}])
def test_frequency_bad_config_is_a_rule_config_error(catalog, params):
    with pytest.raises(RuleConfigError):
        list(R.runtime_frequency(_c(catalog, [event("r")]), params))


def test_max_in_window_edges():
    assert R.max_in_window([], 10) == (0, 0)
    assert R.max_in_window([5.0, 1.0, 3.0], 2) == (2, 0)  # sorted first: 1,3 within 2 s
    assert R.max_in_window([0, 10, 10, 10, 30], 0) == (3, 1)  # a zero window: equal times


def test_permission_requests_dangerous_in_the_phase(catalog):
    c = _c(catalog, requests=[request("q1", CAMERA, INTERNET, phase=BEFORE),
                              request("q2", CAMERA, phase=BEFORE, sdk="sdk-x"),
                              request("q3", CAMERA, phase=ACCEPT),
                              request("q4", "com.vendor.permission.X", phase=BEFORE)])
    (hit,) = R.runtime_permission_requests(c, {"phase": "before"})
    assert hit.key == CAMERA and refs(hit) == ["q1", "q2"] and hit.sdk == "sdk-x"
    assert hit.pi_types == ("camera",) and hit.fields["count"] == 2 and hit.per_pi is False
    assert [refs(h) for h in R.runtime_permission_requests(c, {"phase": "after_reject"})] == []


def test_component_launches_of_other_packages_by_package(catalog):
    c = _c(catalog, launches=[launch("l1", "com.push.a", sdk="jpush"), launch("l2", "com.push.a"),
                              launch("l3", PACKAGE), launch("l4", "com.push.b", phase=ACCEPT)])
    (hit,) = R.runtime_component_launches(c, {"phase": "before"})
    assert hit.key == "com.push.a" and refs(hit) == ["l1", "l2"] and hit.sdk == "jpush"
    assert hit.fields == {"target": "com.push.a", "count": 2}
