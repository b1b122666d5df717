"""Evaluators over the privacy policy next to the evidence (bundle key `policy`).

Confidence follows the evidence level: an SDK or PI type observed (read at run time or sent) is
high, one started at process start or whose code calls PI APIs is medium, mere presence or a
reachable call site is low. Nothing fires without a policy text: "no policy" is PS305's.
"""
from __future__ import annotations

from privascope.model import Confidence, EvidenceRef
from privascope.rules.evaluators.base import Context, Hit, evaluator, phrase

_CONF = {"observed_sent": Confidence.HIGH, "observed_read": Confidence.HIGH,
         "started": Confidence.MEDIUM, "calls_pi": Confidence.MEDIUM,
         "present": Confidence.LOW, "reachable": Confidence.LOW}
# texts of the evidence levels, in rules.yaml params
_LEVELS = tuple(f"levels.{k}" for k in ("present", "calls_pi", "started", "observed_read",
                                        "observed_sent"))
_PI_LEVELS = tuple(f"pi_levels.{k}" for k in ("reachable", "observed_read", "observed_sent"))


def _policy(ctx: Context):
    p = ctx.bundle.policy
    return p if p is not None and p.sources else None


def _quote_ref(kind: str, index: int) -> EvidenceRef:
    """A reference to a policy sentence: kind declared_pi / declared_sdks, by index."""
    return EvidenceRef("policy", f"{kind}/{index}")


@evaluator("policy_undisclosed_sdk", texts=_LEVELS)
def policy_undisclosed_sdk(ctx: Context, params):
    p = _policy(ctx)
    if p is None:
        return
    for u in p.undisclosed_sdks:
        yield Hit(evidence=u.refs or (EvidenceRef("sdk", u.sdk),), sdk=u.sdk, key=u.sdk,
                  per_pi=False, fields={"evidence": phrase(params, f"levels.{u.evidence}")},
                  confidence=_CONF[u.evidence])


@evaluator("policy_undeclared_pi", texts=_PI_LEVELS)
def policy_undeclared_pi(ctx: Context, params):
    """negated: false = PI not named in the policy; true = PI the policy says is not collected."""
    p = _policy(ctx)
    if p is None:
        return
    want_negated = bool(params.get("negated"))
    for u in p.undeclared_pi:
        if (u.negated is not None) != want_negated:
            continue
        refs = u.refs
        quote = ""
        if u.negated is not None:
            refs = (_quote_ref("declared_pi", u.negated),) + refs
            quote = p.declared_pi[u.negated].quote
        yield Hit(evidence=refs, pi_types=(u.pi_type,), key=u.pi_type,
                  fields={"evidence": phrase(params, f"pi_levels.{u.evidence}"), "quote": quote},
                  confidence=_CONF[u.evidence])


@evaluator("policy_sdk_row_gap", texts=_PI_LEVELS)
def policy_sdk_row_gap(ctx: Context, params):
    p = _policy(ctx)
    if p is None:
        return
    for g in p.sdk_row_gaps:
        yield Hit(evidence=(_quote_ref("declared_sdks", g.row),) + g.refs, sdk=g.sdk,
                  pi_types=g.pi_types, key=g.sdk, per_pi=False,
                  fields={"evidence": phrase(params, f"pi_levels.{g.evidence}"),
                          "name": p.declared_sdks[g.row].name},
                  confidence=_CONF[g.evidence])


@evaluator("policy_permission_purpose")
def policy_permission_purpose(ctx: Context, params):
    p = _policy(ctx)
    if p is None:
        return
    ids = {perm.name: perm.id or perm.name for perm in ctx.bundle.permissions}
    for name in p.permissions_without_purpose:
        yield Hit(evidence=(EvidenceRef("permission", ids.get(name, name)),), key=name,
                  per_pi=False, fields={"permission": name})


@evaluator("policy_no_sdk_list")
def policy_no_sdk_list(ctx: Context, params):
    p = _policy(ctx)
    if p is None or p.sdk_list:
        return
    exempt = ctx.catalog.policy_terms.exempt_categories
    third = [s for s in ctx.bundle.sdks
             if s.calls_pi_apis or (ctx.catalog.sdks.get(s.id) is None
                                    or ctx.catalog.sdks[s.id].category not in exempt)]
    if third:
        yield Hit(evidence=tuple(EvidenceRef("sdk", s.id) for s in third[:20]), per_pi=False,
                  fields={"count": len(third)})


_STATEMENTS = ("update_date", "contact", "account_deletion", "children")


@evaluator("policy_statement_missing", texts=tuple(f"statements.{k}.name" for k in _STATEMENTS))
def policy_statement_missing(ctx: Context, params):
    """One hit per statement the policy lacks (no update date, contact channel, account
    deletion or children's clause found), citing the clauses listed for it in params."""
    p = _policy(ctx)
    if p is None:
        return
    found = {s.kind for s in p.statements}
    by_ref = {(c.framework, c.item): c for c in params.get("_rule_clauses", ())}
    for kind in _STATEMENTS:
        if kind in found:
            continue
        spec = params["statements"][kind]
        clauses = tuple(by_ref[(c["framework"], str(c["item"]))] for c in spec.get("clauses", ())
                        if (c["framework"], str(c["item"])) in by_ref)
        yield Hit(evidence=tuple(EvidenceRef("policy_source", str(i))
                                 for i in range(len(p.sources))),
                  key=kind, per_pi=False, clauses=clauses or None,
                  fields={"statement": phrase(params, f"statements.{kind}.name")})
