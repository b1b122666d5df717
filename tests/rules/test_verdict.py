"""One verdict and one --fail-on: computed in rules.evaluate, stored in the bundle, and the same
in the HTML view, SARIF, the batch record and the batch index (issue 12, defect 1)."""
from __future__ import annotations

import dataclasses
import json

import pytest

from privascope.cli import EXIT_FINDINGS, EXIT_OK, build_parser, exit_code_for
from privascope.model import (Bundle, ClauseRef, ClauseStatus, Confidence, Finding, Severity,
                              Suppression, Verdict, from_data, from_json, to_json)
from privascope.rules import evaluate, fails
from privascope.rules.verdict import severity_fails, verdict_of
from tests.rules.conftest import FIXTURES, fixture_files, load_fixture


def _bundle(code: str, index: int = 0) -> Bundle:
    return from_data(Bundle, load_fixture(FIXTURES / f"{code}.json")["cases"][index]["bundle"])


def _cases():
    for path in fixture_files():
        for i, _ in enumerate(load_fixture(path)["cases"]):
            yield pytest.param(path.stem, i, id=f"{path.stem}-{i}")


def _finding(sev: Severity, suppressed: bool = False, clauses=(ClauseRef("cac191", "3.1"),)):
    return Finding(rule="PS101", name="x-y", title="t", severity=sev, confidence=Confidence.HIGH,
                   evidence=(), pi_types=(), sdks=(), clauses=tuple(clauses), message="m",
                   fix="f", fingerprint=f"{sev.value}{suppressed}",
                   suppressed=Suppression("ok", "s.yaml") if suppressed else None)


# --------------------------------------------------------------------------- fails


def test_fails_at_each_threshold_counts_unsuppressed_findings_only():
    base = _bundle("PS101")
    b = dataclasses.replace(base, findings=(
        _finding(Severity.CRITICAL, suppressed=True), _finding(Severity.MEDIUM),
        _finding(Severity.LOW)))
    expected = {Severity.INFO: True, Severity.LOW: True, Severity.MEDIUM: True,
                Severity.HIGH: False, Severity.CRITICAL: False}
    for threshold, want in expected.items():
        assert fails(b, threshold) is want, threshold
        assert fails(b, threshold.value) is want, threshold  # the CLI passes the string
        assert exit_code_for(b, threshold.value) == (EXIT_FINDINGS if want else EXIT_OK)
    assert fails(b, None) is False and exit_code_for(b, None) == EXIT_OK
    nothing = dataclasses.replace(base, findings=(_finding(Severity.CRITICAL, suppressed=True),))
    assert not any(fails(nothing, s) for s in Severity)


def test_severity_fails_follows_the_enum_order():
    for sev in Severity:
        for threshold in Severity:
            assert severity_fails(sev, threshold) is (sev.rank >= threshold.rank)
            assert severity_fails(sev.value, threshold.value) is (sev.rank >= threshold.rank)
        assert severity_fails(None, sev) is False and severity_fails(sev, None) is False
    with pytest.raises(ValueError):
        severity_fails("urgent", "high")


def test_fail_on_choices_come_from_the_severity_enum():
    for command in ("scan", "report", "dynamic", "batch"):
        args = build_parser().parse_args([command, "x", "--fail-on", "critical"])
        assert args.fail_on == "critical"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["scan", "x", "--fail-on", "urgent"])


# --------------------------------------------------------------------------- the verdict


def test_verdict_is_the_worst_clause_status():
    def cs(status):
        return ClauseStatus("cac191", "3.1", status, ("PS101",), ())

    assert verdict_of([], []) == Verdict.NOT_TESTED  # nothing tested, nothing found
    assert verdict_of([cs(Verdict.NOT_TESTED)], []) == Verdict.NOT_TESTED
    assert verdict_of([cs(Verdict.NOT_TESTED), cs(Verdict.PASS)], []) == Verdict.PASS
    assert verdict_of([cs(Verdict.PASS), cs(Verdict.REVIEW)], []) == Verdict.REVIEW
    assert verdict_of([cs(Verdict.REVIEW), cs(Verdict.FAIL), cs(Verdict.PASS)], []) == Verdict.FAIL
    # an open finding citing no clause (packed code, failed analysis) asks for review
    meta = _finding(Severity.INFO, clauses=())
    assert verdict_of([cs(Verdict.PASS)], [meta]) == Verdict.REVIEW
    assert verdict_of([cs(Verdict.FAIL)], [meta]) == Verdict.FAIL


def test_assessment_is_stored_by_evaluate_and_survives_json(rules_catalog):
    b = evaluate(_bundle("PS104"), catalog=rules_catalog)
    a = b.assessment
    assert a is not None and a.verdict == Verdict.FAIL
    open_ = [f for f in b.findings if f.suppressed is None]
    assert sum(a.severity_counts.values()) == len(open_)
    assert list(a.severity_counts) == [s.value for s in Severity.worst_first()]
    assert a.max_severity == max((f.severity for f in open_), key=lambda s: s.rank)
    assert any(c.status == Verdict.FAIL and c.findings for c in a.checklist)
    again = from_json(Bundle, to_json(b))
    assert again.assessment == a


def test_suppressing_the_failing_findings_changes_the_stored_verdict(rules_catalog):
    b = evaluate(_bundle("PS104"), catalog=rules_catalog)
    assert b.assessment.verdict == Verdict.FAIL
    sup = [{"rule": f.rule, "fingerprint": f.fingerprint, "reason": "test host only"}
           for f in b.findings]
    quiet = evaluate(_bundle("PS104"), catalog=rules_catalog, suppressions=sup)
    assert quiet.assessment.verdict == Verdict.PASS
    assert quiet.assessment.max_severity is None
    assert all(c.status != Verdict.FAIL for c in quiet.assessment.checklist)
    assert any(c.suppressed for c in quiet.assessment.checklist)


def test_a_rule_that_crashed_leaves_its_clauses_not_tested(rules_catalog, monkeypatch):
    from privascope.rules.evaluators import EVALUATORS
    from privascope.rules.definitions import load_rules

    ps109 = next(r for r in load_rules(rules_catalog) if r.code == "PS109")
    assert [(c.framework, c.item) for c in ps109.clauses] == [("miit164", "2.2")]  # its own clause

    def broken(ctx, params):
        raise KeyError("boom")
        yield  # pragma: no cover

    b = _bundle("PS109", 1)  # the negative case: the clause passes when the rule runs
    status = {(c.framework, c.item): c.status
              for c in evaluate(b, catalog=rules_catalog).assessment.checklist}
    assert status[("miit164", "2.2")] == Verdict.PASS
    monkeypatch.setitem(EVALUATORS, ps109.evaluator, broken)
    out = evaluate(b, catalog=rules_catalog)
    assert any(e.startswith("rule PS109 could not be evaluated") for e in out.errors)
    status = {(c.framework, c.item): c.status for c in out.assessment.checklist}
    assert status[("miit164", "2.2")] == Verdict.NOT_TESTED


# --------------------------------------------------------------------------- one verdict everywhere


def _record(bundle: Bundle, tmp_path) -> dict:
    from privascope.batch.worker import _ok_record

    apk = tmp_path / "app.apk"
    apk.write_bytes(b"PK")
    return _ok_record(apk, "ab" * 32, bundle, "apps/x", {}, 0.0)


@pytest.mark.parametrize("code,index", list(_cases()))
def test_report_sarif_and_batch_show_the_stored_verdict(rules_catalog, tmp_path, code, index):
    from privascope.reports.batch_index import render_index
    from privascope.reports.sarif import to_sarif
    from privascope.reports.view import build_view

    b = evaluate(_bundle(code, index), catalog=rules_catalog)
    stored = b.assessment.verdict.value
    assert build_view(b, rules_catalog, "en")["verdict"] == stored
    assert to_sarif(b, rules_catalog, "en")["runs"][0]["properties"]["verdict"] == stored
    rec = _record(b, tmp_path)
    assert rec["verdict"] == stored
    assert rec["severity_counts"] == b.assessment.severity_counts
    assert rec["max_severity"] == (b.assessment.max_severity.value
                                   if b.assessment.max_severity else None)
    assert f'class="verdict v-{stored}"' in render_index([json.loads(json.dumps(rec))], "en")
    # --fail-on: the batch's decision from the record equals scan's from the bundle
    for threshold in Severity:
        assert severity_fails(rec["max_severity"], threshold) == fails(b, threshold)


# PS306 (cleartext permitted by the manifest) became a review rule: permitting is not sending
@pytest.mark.parametrize("code, verdict", [("PS104", "fail"), ("PS105", "fail"), ("PS306", "review")])
def test_the_fixtures_of_issue_12_agree_in_report_and_batch(rules_catalog, tmp_path, code, verdict):
    """These used to say "fail" in the report and "review" in the batch index."""
    from privascope.reports.view import build_view

    b = evaluate(_bundle(code), catalog=rules_catalog)
    assert not any(f.severity.rank >= Severity.HIGH.rank for f in b.findings)  # why batch said review
    assert build_view(b, rules_catalog, "zh")["verdict"] == verdict
    assert _record(b, tmp_path)["verdict"] == verdict
