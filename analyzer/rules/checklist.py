"""Clause checklist: for each clause the rules cite, did this run show a failure, a pass, a
point a person must review, or could it not test it at all (e.g. 3.1 on a static-only run)?"""
from __future__ import annotations

from typing import Iterable, Optional

from privascope.catalog import Catalog
from privascope.model import Bundle, ClauseStatus, Confidence, Verdict
from privascope.rules.definitions import RuleDef, load_rules


def evidence_kinds(bundle: Bundle) -> set[str]:
    """Which kinds of evidence this run collected ("meta" rules always run)."""
    kinds = set(bundle.method.kinds) | {"meta", "any"}
    if bundle.runtime is not None:
        kinds.add("runtime")
    if bundle.traffic:
        kinds.add("traffic")
    if bundle.policy is not None and bundle.policy.sources:  # a policy text was read
        kinds.add("policy")
    return kinds


def clause_checklist(bundle: Bundle, catalog: Catalog,
                     rules: Optional[tuple[RuleDef, ...]] = None,
                     broken: Iterable[str] = ()) -> list[ClauseStatus]:
    """broken: codes of rules that raised while evaluating; they tested nothing."""
    rules = rules if rules is not None else load_rules(catalog)
    ran = evidence_kinds(bundle)
    broken = set(broken)
    by_rule = {r.code: r for r in rules}
    citing: dict[tuple[str, str], list[RuleDef]] = {}
    for r in rules:
        for c in r.clauses:
            citing.setdefault((c.framework, c.item), []).append(r)
    # the analysis may be blind (packed code, failed dex): then a clean static result is no pass
    static_blind = bool(bundle.packers) or bundle.partial
    out = []
    for key, clause in catalog.clauses.items():  # catalogue order: frameworks, then items
        if key not in citing:
            continue
        codes = {r.code for r in citing[key]}
        mine = [f for f in bundle.findings if f.rule in codes
                and any((c.framework, c.item) == key for c in f.clauses)]
        open_ = [f for f in mine if f.suppressed is None]
        # "fail" needs high-confidence evidence: code that is merely present (static, medium)
        # or an attempt that obtained nothing asks a person to look, it does not prove a breach
        hard = [f for f in open_ if by_rule[f.rule].verdict == "fail"
                and f.confidence == Confidence.HIGH]
        # a rule whose silence proves nothing (params.absence_is_not_pass: no static chain
        # to an SDK start is no evidence that nothing runs before consent) makes no pass
        tested = [r for r in citing[key] if r.source in ran and r.code not in broken
                  and not r.params.get("absence_is_not_pass")]
        if hard:
            status = Verdict.FAIL
        elif open_:
            status = Verdict.REVIEW
        elif not tested:
            status = Verdict.NOT_TESTED
        elif static_blind and all(r.source == "static" for r in tested):
            status = Verdict.REVIEW
        else:
            status = Verdict.PASS
        out.append(ClauseStatus(
            framework=clause.framework, item=clause.item, status=status,
            rules=tuple(sorted(codes)),
            findings=tuple(f.fingerprint for f in (hard or open_)),
            suppressed=tuple(f.fingerprint for f in mine if f.suppressed is not None),
        ))
    return out
