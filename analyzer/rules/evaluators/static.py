"""Evaluators over static evidence: what the APK contains (present / reachable, not observed)."""
from __future__ import annotations

from privascope.model import Confidence, EvidenceRef, Severity, Via
from privascope.rules.evaluators.base import (Context, Hit, Text, evaluator, group_by, joined,
                                              phrase, short_api)


def _confidence(sites) -> Confidence:
    """A direct invoke or field read is medium evidence; constant strings near reflection or a
    content URI alone are weaker."""
    # a site no manifest component reaches (dead library code) never makes it medium on its own
    if any(s.via in (Via.INVOKE, Via.FIELD) and s.confidence != Confidence.LOW
           and s.reachable is not False for s in sites):
        return Confidence.MEDIUM
    return Confidence.LOW


def _site_hits(ctx: Context, sites, params):
    """One hit per (SDK, PI type). A group made only of weak APIs (apis.yaml strength: weak)
    takes the rule's `weak_evidence` severity and confidence."""
    weak_grade = params.get("weak_evidence") or {}
    for (sdk, pi), group in group_by(sites, lambda s: (s.sdk, s.pi_type)).items():
        weak = all((api := ctx.catalog.apis.get(s.api)) is not None and api.strength == "weak"
                   for s in group)
        confidence = _confidence(group)
        severity = None
        if weak and weak_grade:
            severity = Severity(weak_grade["severity"])
            confidence = min(confidence, Confidence(weak_grade["confidence"]), key=_RANK.index)
        yield Hit(evidence=tuple(EvidenceRef("api_call", s.id) for s in group),
                  sdk=sdk, pi_types=(pi,),
                  fields={"count": len(group), "apis": joined(short_api(s.api) for s in group)},
                  confidence=confidence, severity=severity)


_RANK = [Confidence.LOW, Confidence.MEDIUM, Confidence.HIGH]


def _own_sites(ctx: Context):
    """Call sites that can carry a finding: not inside a library wrapper (those moved to the
    wrapper's callers as sites of their own, or are dead library code)."""
    return [s for s in ctx.bundle.api_calls if not s.library]


@evaluator("static_immutable_id")
def static_immutable_id(ctx: Context, params):
    yield from _site_hits(ctx, [s for s in _own_sites(ctx) if ctx.is_immutable_id(s.pi_type)],
                          params)


@evaluator("static_pi_types")
def static_pi_types(ctx: Context, params):
    wanted = set(params.get("pi_types") or ())
    yield from _site_hits(ctx, [s for s in _own_sites(ctx) if s.pi_type in wanted], params)


@evaluator("static_unused_permissions")
def static_unused_permissions(ctx: Context, params):
    b = ctx.bundle
    touched = {s.pi_type for s in b.api_calls}  # library wrapper sites too: a use it may serve
    if b.runtime:
        touched |= {e.pi_type for e in b.runtime.api_calls}
    # packed or partial code hides call sites: say so through a lower confidence
    weak = bool(b.packers) or b.partial
    # PI types some catalog API yields: only for those can "no call site" mean "not used"
    detectable = {a.pi_type for a in ctx.catalog.apis.values()}
    low_perms = set(params.get("low_confidence_permissions") or ())
    for perm in b.permissions:
        if ctx.protection_level(perm.name) != "dangerous":
            continue
        info = ctx.catalog.permissions.get(perm.name)
        pis = tuple(perm.pi_types or (info.pi_types if info else ()))
        if not pis or touched & set(pis):
            continue  # nothing to compare with, or used
        ref_id = perm.id or perm.name
        yield Hit(evidence=(EvidenceRef("permission", ref_id),), pi_types=pis, key=perm.name,
                  per_pi=False,
                  fields={"permission": perm.name},
                  confidence=Confidence.LOW if (weak or perm.name in low_perms
                                                or not set(pis) & detectable) else None)


@evaluator("static_sdk_pi")
def static_sdk_pi(ctx: Context, params):
    sites = group_by([s for s in ctx.bundle.api_calls if s.sdk], lambda s: s.sdk)
    for sdk in ctx.bundle.sdks:
        own = sites.get(sdk.id, [])
        if not (sdk.calls_pi_apis or own):
            continue
        pis = tuple(dict.fromkeys(list(sdk.pi_types) + [s.pi_type for s in own]))
        yield Hit(evidence=tuple(EvidenceRef("api_call", s.id) for s in own)
                  or (EvidenceRef("sdk", sdk.id),),
                  sdk=sdk.id, pi_types=pis, per_pi=False, fields={"vendor": sdk.vendor})


@evaluator("static_no_privacy_policy")
def static_no_privacy_policy(ctx: Context, params):
    # an SDK's own policy (text only its code loads, URL on its host) is not the app's
    if not any(p.sdk is None for p in ctx.bundle.privacy_policy):
        yield Hit(evidence=())


@evaluator("static_cleartext_permitted",
           texts=("reasons.by_default", "reasons.for_domains", "reasons.old_target"))
def static_cleartext_permitted(ctx: Context, params):
    m = ctx.bundle.manifest
    reasons: list[Text] = []
    if m.uses_cleartext_traffic:
        reasons.append('android:usesCleartextTraffic="true"')
    if m.cleartext_permitted_by_default:
        reasons.append(phrase(params, "reasons.by_default"))
    elif m.cleartext_permitted_domains:
        reasons.append(phrase(params, "reasons.for_domains",
                              domains=joined(m.cleartext_permitted_domains)))
    target = ctx.bundle.app.target_sdk
    if (m.uses_cleartext_traffic is None and m.network_security_config is None
            and target is not None and target < 28):
        # before API 28 the platform default is to allow cleartext
        reasons.append(phrase(params, "reasons.old_target", target=target))
    if reasons:
        yield Hit(evidence=(EvidenceRef("manifest", "AndroidManifest.xml"),),
                  fields={"reasons": reasons})
