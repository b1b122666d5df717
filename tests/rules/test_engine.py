"""Fingerprints, suppressions, rule configuration and the --fail-on exit code."""
from __future__ import annotations

import dataclasses

import pytest

from privascope.cli import EXIT_FINDINGS, EXIT_OK, exit_code_for
from privascope.model import Bundle, from_data, to_json, from_json
from privascope.rules import SuppressionError, evaluate
from tests.rules.conftest import FIXTURES, load_fixture


def _bundle(code: str, index: int = 0) -> Bundle:
    return from_data(Bundle, load_fixture(FIXTURES / f"{code}.json")["cases"][index]["bundle"])


def _shift_times(bundle: Bundle, dt: float) -> Bundle:
    """The same behaviour recorded in another run: other times, other evidence ids."""
    rt = bundle.runtime
    calls = tuple(dataclasses.replace(e, time=e.time + dt, id=e.id + "x") for e in rt.api_calls)
    return dataclasses.replace(bundle, runtime=dataclasses.replace(
        rt, started_at=rt.started_at + dt, api_calls=calls + calls[:1]))


def test_fingerprints_stable_across_runs(rules_catalog):
    a = evaluate(_bundle("PS101"), catalog=rules_catalog)
    b = evaluate(_shift_times(_bundle("PS101"), 3600.0), catalog=rules_catalog)
    fa = sorted(f.fingerprint for f in a.findings)
    assert fa == sorted(f.fingerprint for f in b.findings)
    assert len(set(fa)) == len(fa)  # distinct problems, distinct fingerprints
    # but counts (in the message) did change: the fingerprint ignores them on purpose
    assert {f.message for f in a.findings} != {f.message for f in b.findings}


def test_fingerprint_depends_on_package(rules_catalog):
    b = _bundle("PS101")
    other = dataclasses.replace(b, app=dataclasses.replace(b.app, package="com.other"))
    assert {f.fingerprint for f in evaluate(b, catalog=rules_catalog).findings}.isdisjoint(
        f.fingerprint for f in evaluate(other, catalog=rules_catalog).findings)


def test_suppress_by_fingerprint_and_sdk(rules_catalog, tmp_path):
    b = evaluate(_bundle("PS101"), catalog=rules_catalog)
    target = next(f for f in b.findings if f.rule == "PS101")
    sup = tmp_path / "sup.yaml"
    sup.write_text(f"""suppressions:
  - rule: PS101
    fingerprint: {target.fingerprint}
    reason: 测试：已在隐私政策第3节说明
  - rule: PS106
    sdk: umeng-common
    reason: accepted for the test
""", encoding="utf-8")
    out = evaluate(_bundle("PS101"), catalog=rules_catalog, suppressions=sup)
    by_fp = {f.fingerprint: f for f in out.findings}
    assert by_fp[target.fingerprint].suppressed.reason == "测试：已在隐私政策第3节说明"
    assert by_fp[target.fingerprint].suppressed.source == str(sup)
    others = [f for f in out.findings if f.rule == "PS101" and f.fingerprint != target.fingerprint]
    assert others and all(f.suppressed is None for f in others)
    assert all(f.suppressed for f in out.findings if f.rule == "PS106")
    # the suppression survives the JSON round trip
    again = from_json(Bundle, to_json(out))
    assert again.findings == out.findings


@pytest.mark.parametrize("text,message", [
    ("suppressions: [{rule: PS101, fingerprint: abcdef12}]", "reason"),
    ("suppressions: [{rule: PS101, reason: x}]", "exactly one"),
    ("suppressions: [{rule: PS101, sdk: a, fingerprint: abcdef12, reason: x}]", "exactly one"),
    ("suppressions: [{rule: XX1, sdk: a, reason: x}]", "rule code"),
    ("suppressions: [{rule: PS999, sdk: a, reason: x}]", "unknown rule PS999"),
    ("suppressions: [{rule: PS101, fingerprint: 'not hex!', reason: x}]", "hex"),
    ("suppressions: [{rule: PS101, sdk: a, reason: x, until: 2027}]", "unknown keys"),
    ("just a string", "'suppressions' list"),
    ("suppressions: [unclosed", "not valid YAML"),
])
def test_bad_suppression_files(rules_catalog, tmp_path, text, message):
    sup = tmp_path / "bad.yaml"
    sup.write_text(text, encoding="utf-8")
    with pytest.raises(SuppressionError, match=message) as exc:
        evaluate(_bundle("PS101"), catalog=rules_catalog, suppressions=sup)
    assert str(sup) in str(exc.value) and "\n" not in str(exc.value)


def test_missing_suppression_file(rules_catalog, tmp_path):
    with pytest.raises(SuppressionError, match="cannot read"):
        evaluate(_bundle("PS101"), catalog=rules_catalog, suppressions=tmp_path / "nope.yaml")


def test_frequency_threshold_is_configurable(rules_catalog):
    b = _bundle("PS105", 0)  # 5 reads in 10 s
    assert [f.rule for f in evaluate(b, catalog=rules_catalog).findings].count("PS105") == 1
    relaxed = evaluate(b, catalog=rules_catalog, config={"PS105": {"max_events": 5}})
    assert "PS105" not in [f.rule for f in relaxed.findings]
    strict = evaluate(_bundle("PS105", 2), catalog=rules_catalog,  # 6 reads 40 s apart
                      config={"PS105": {"window_seconds": 120}})
    assert "PS105" in [f.rule for f in strict.findings]
    with pytest.raises(ValueError, match="unknown rule codes"):
        evaluate(b, catalog=rules_catalog, config={"PS000": {}})


def test_static_confidence_is_lower_for_reflection(rules_catalog):
    b = _bundle("PS301")
    weak = dataclasses.replace(b, api_calls=tuple(
        dataclasses.replace(s, via="reflection") for s in b.api_calls))
    strong_f = next(f for f in evaluate(b, catalog=rules_catalog).findings if f.rule == "PS301")
    weak_f = next(f for f in evaluate(weak, catalog=rules_catalog).findings if f.rule == "PS301")
    assert strong_f.confidence.value == "medium" and weak_f.confidence.value == "low"
    assert strong_f.fingerprint == weak_f.fingerprint


def test_weak_apis_lower_severity_and_confidence_of_the_static_app_list_rule(rules_catalog):
    """PS302 on getInstalledPackages is medium; the same finding made only of intent-resolution
    calls (apis.yaml strength: weak) is low severity, low confidence (rules.yaml
    weak_evidence), so --fail-on medium no longer fails on it."""
    b = _bundle("PS302")
    strong_f = next(f for f in evaluate(b, catalog=rules_catalog).findings if f.rule == "PS302")
    assert (strong_f.severity.value, strong_f.confidence.value) == ("medium", "medium")
    weak = dataclasses.replace(b, api_calls=tuple(
        dataclasses.replace(s, api="android.content.pm.PackageManager.queryIntentServices")
        for s in b.api_calls))
    weak_b = evaluate(weak, catalog=rules_catalog)
    weak_f = next(f for f in weak_b.findings if f.rule == "PS302")
    assert (weak_f.severity.value, weak_f.confidence.value) == ("low", "low")
    assert weak_f.fingerprint == strong_f.fingerprint  # the same finding, graded down
    assert not any(f.severity.value == "medium" and f.rule == "PS302" for f in weak_b.findings)


def test_fail_on_ignores_suppressed(rules_catalog):
    b = evaluate(_bundle("PS203"), catalog=rules_catalog)  # one high finding
    assert exit_code_for(b, "high") == EXIT_FINDINGS
    assert exit_code_for(b, "critical") == EXIT_OK
    assert exit_code_for(b, None) == EXIT_OK
    fp = next(f.fingerprint for f in b.findings if f.rule == "PS203")
    sup = evaluate(_bundle("PS203"), catalog=rules_catalog, suppressions=[
        {"rule": "PS203", "fingerprint": fp, "reason": "test server only"}])
    highs = [f for f in sup.findings if f.severity.rank >= 3 and f.suppressed is None]
    assert exit_code_for(sup, "high") == (EXIT_FINDINGS if highs else EXIT_OK)
    assert not any(f.rule == "PS203" and f.suppressed is None for f in sup.findings)


def test_clause_checklist_statuses(rules_catalog):
    from privascope.rules.checklist import clause_checklist

    # runtime run with a pre-consent read: 3.1 fails; static-only clauses are not tested
    rt = evaluate(_bundle("PS101"), catalog=rules_catalog)
    status = {(c.framework, c.item): c for c in clause_checklist(rt, rules_catalog)}
    assert status[("cac191", "3.1")].status == "fail"
    assert status[("cac191", "3.1")].findings
    assert status[("cac191", "1.1")].status == "not_tested"
    assert status[("cac191", "3.2")].status == "pass"  # runtime ran, nothing after refusal

    # static-only run: 3.1 is "not tested", never "pass"
    st = evaluate(_bundle("PS305", 1), catalog=rules_catalog)
    status = {(c.framework, c.item): c.status for c in clause_checklist(st, rules_catalog)}
    assert status[("cac191", "3.1")] == "not_tested"
    assert status[("cac191", "1.1")] == "pass"
    # low-confidence static finding: a person must review, it is not a proven failure
    st2 = evaluate(_bundle("PS305", 0), catalog=rules_catalog)
    status = {(c.framework, c.item): c.status for c in clause_checklist(st2, rules_catalog)}
    assert status[("cac191", "1.1")] == "review"
    # packed app: a clean static result is not a pass
    packed = evaluate(_bundle("PS901", 0), catalog=rules_catalog)
    status = {(c.framework, c.item): c.status for c in clause_checklist(packed, rules_catalog)}
    assert status[("gbt41391", "AnnexF")] == "review"


def test_static_medium_confidence_asks_for_review_not_fail(rules_catalog):
    from privascope.rules.checklist import clause_checklist

    b = evaluate(_bundle("PS301"), catalog=rules_catalog)  # getDeviceId call site, medium
    status = {(c.framework, c.item): c.status for c in clause_checklist(b, rules_catalog)}
    assert status[("gbt41391", "AnnexF")] == "review"
    # the same identifier observed at run time is a failure
    rt = evaluate(_bundle("PS106"), catalog=rules_catalog)
    status = {(c.framework, c.item): c.status for c in clause_checklist(rt, rules_catalog)}
    assert status[("gbt41391", "AnnexF")] == "fail"


def test_static_rules_do_not_run_without_a_static_scan(rules_catalog):
    """A runtime-only run has no privacy-policy strings: PS305 must not claim there are none."""
    b = dataclasses.replace(_bundle("PS101"), privacy_policy=())
    assert "static" not in b.method.kinds
    assert not any(f.source == "static" for f in evaluate(b, catalog=rules_catalog).findings)


def test_data_safety_finding_cites_its_category_and_sharing(rules_catalog):
    from privascope.rules.checklist import clause_checklist

    b = evaluate(_bundle("PS202"), catalog=rules_catalog)  # ANDROID_ID to third-party hosts
    ds = [f for f in b.findings if f.rule == "PS401"]
    assert len(ds) == 1
    assert {(c.framework, c.item) for c in ds[0].clauses} == {
        ("playds", "device_or_other_ids"), ("playds", "sharing")}
    status = {(c.framework, c.item): c for c in clause_checklist(b, rules_catalog)}
    assert status[("playds", "device_or_other_ids")].status == "review"
    assert ds[0].fingerprint in status[("playds", "device_or_other_ids")].findings
    assert status[("playds", "location")].status == "pass"  # tested, nothing found
    assert ds[0].fingerprint not in status[("playds", "location")].findings


def test_sliding_window_matches_brute_force():
    from hypothesis import given, settings, strategies as st

    from privascope.rules.evaluators.runtime import max_in_window

    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.floats(0, 300, allow_nan=False), max_size=60),
           st.floats(0.5, 120, allow_nan=False))
    def check(times, window):
        brute = max((sum(1 for u in times if 0 <= u - t <= window) for t in times), default=0)
        assert max_in_window(times, window)[0] == brute

    check()


def test_a_failing_rule_is_reported_not_fatal(rules_catalog, monkeypatch):
    from privascope.rules import RuleConfigError
    from privascope.rules.evaluators import EVALUATORS

    def broken(ctx, params):
        raise KeyError("boom")
        yield  # pragma: no cover

    monkeypatch.setitem(EVALUATORS, "runtime_background", broken)
    out = evaluate(_bundle("PS101"), catalog=rules_catalog)
    assert any(f.rule == "PS101" for f in out.findings)  # the other rules still ran
    assert any(e.startswith("rule PS104 could not be evaluated") for e in out.errors)
    with pytest.raises(RuleConfigError):
        evaluate(_bundle("PS105"), catalog=rules_catalog, config={"PS105": {"max_events": "x"}})
