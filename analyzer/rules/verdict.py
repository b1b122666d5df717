"""The run's verdict and the --fail-on decision, each defined once.

`assess` runs inside `rules.evaluate` (after suppressions) and stores an `Assessment` in the
bundle; HTML, SARIF, the batch record and the batch index only read it. `fails` is the one
--fail-on test for scan, report, dynamic and batch.
"""
from __future__ import annotations

from typing import Iterable, Optional, Union

from privascope.catalog import Catalog
from privascope.model import Assessment, Bundle, ClauseStatus, Finding, Severity, Verdict
from privascope.rules.checklist import clause_checklist
from privascope.rules.definitions import RuleDef

SeverityLike = Union[Severity, str, None]


def verdict_of(checklist: Iterable[ClauseStatus], open_findings: Iterable[Finding]) -> Verdict:
    """The worst clause status. An open finding that cites no clause (the meta rules: packed
    code, failed analysis) asks for review. "pass" = something was tested and nothing found;
    when no clause could be tested and nothing was found, the verdict is "not_tested"."""
    statuses = {c.status for c in checklist}
    if any(not f.clauses for f in open_findings):
        statuses.add(Verdict.REVIEW)
    return min(statuses, key=lambda v: v.rank, default=Verdict.NOT_TESTED)


def max_open_severity(findings: Iterable[Finding]) -> Optional[Severity]:
    return max((f.severity for f in findings if f.suppressed is None),
               key=lambda s: s.rank, default=None)


def assess(bundle: Bundle, catalog: Catalog, rules: tuple[RuleDef, ...],
           broken: Iterable[str] = ()) -> Assessment:
    """broken: codes of rules that raised (their clauses were not tested)."""
    open_findings = [f for f in bundle.findings if f.suppressed is None]
    checklist = tuple(clause_checklist(bundle, catalog, rules, broken))
    counts = {s.value: 0 for s in Severity.worst_first()}
    for f in open_findings:
        counts[f.severity.value] += 1
    return Assessment(verdict=verdict_of(checklist, open_findings), checklist=checklist,
                      severity_counts=counts, max_severity=max_open_severity(open_findings))


def severity_fails(severity: SeverityLike, threshold: SeverityLike) -> bool:
    """Is `severity` (the worst unsuppressed one; None = no finding) at or above `threshold`
    (None = no --fail-on)? The one comparison behind every --fail-on."""
    if threshold is None or severity is None:
        return False
    return Severity(severity).rank >= Severity(threshold).rank


def fails(bundle: Bundle, threshold: SeverityLike) -> bool:
    """--fail-on: an unsuppressed finding at or above `threshold`."""
    return severity_fails(max_open_severity(bundle.findings), threshold)
