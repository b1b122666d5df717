"""Evaluators over the `startup` section: what can run at process start, before any consent.

Static evidence: every finding says "reachable at process start", never "observed". The
confidence of a finding is that of its best chain (reflection, CHA fan-out and thread edges
lower it, see privascope.static.startup).
"""
from __future__ import annotations

from privascope.model import Confidence, EvidenceRef
from privascope.rules.evaluators.base import Context, Hit, evaluator, group_by, joined, short_api

_ORDER = [Confidence.LOW, Confidence.MEDIUM, Confidence.HIGH]


def _best(items) -> Confidence:
    return max((i.confidence for i in items), key=_ORDER.index)


def _chain(path, limit: int = 6) -> str:
    """A chain as short readable method names: "App.onCreate → UMConfigure.init"."""
    names = [p.split("(")[0] for p in path]
    names = [".".join(n.split(".")[-2:]) for n in names]
    if len(names) > limit:
        names = names[:2] + [f"… {len(names) - limit + 1} …"] + names[-(limit - 3):]
    return " → ".join(names)


def _inits(ctx: Context, gated: bool):
    s = ctx.bundle.startup
    if s is None:
        return {}
    items = [i for i in s.sdk_inits if i.gated == gated and i.role in ("init", "provider")]
    return group_by(items, lambda i: i.sdk)


@evaluator("startup_sdk_init")
def startup_sdk_init(ctx: Context, params):
    """An SDK started at process start on a path with no consent check."""
    for sdk, items in _inits(ctx, gated=False).items():
        best = min(items, key=lambda i: (_ORDER.index(i.confidence) * -1, len(i.path)))
        yield Hit(evidence=tuple(EvidenceRef("startup_sdk_init", i.id) for i in items),
                  sdk=sdk, key=sdk, per_pi=False,
                  fields={"target": joined(short_api(i.target) for i in items),
                          "chain": _chain(best.path)},
                  confidence=_best(items))


@evaluator("startup_pi")
def startup_pi(ctx: Context, params):
    """PI APIs reachable at process start without a consent check, per SDK and PI type."""
    s = ctx.bundle.startup
    if s is None:
        return
    calls = [c for c in s.reachable_calls if not c.gated]
    for (sdk, pi), group in group_by(calls, lambda c: (c.sdk, c.pi_type)).items():
        best = min(group, key=lambda c: (-_ORDER.index(c.confidence), len(c.path)))
        yield Hit(evidence=tuple(EvidenceRef("api_call", c.call_site) for c in group),
                  sdk=sdk, pi_types=(pi,),
                  fields={"count": len(group), "apis": joined(short_api(c.api) for c in group),
                          "chain": _chain(best.path)},
                  confidence=_best(group))


@evaluator("startup_gated")
def startup_gated(ctx: Context, params):
    """An SDK reachable at process start only behind a consent check: the evidence it passed."""
    ungated = set(_inits(ctx, gated=False))
    for sdk, items in _inits(ctx, gated=True).items():
        if sdk in ungated:
            continue  # also started without a check: PS307 speaks for it
        best = min(items, key=lambda i: len(i.path))
        yield Hit(evidence=tuple(EvidenceRef("startup_sdk_init", i.id) for i in items),
                  sdk=sdk, key=sdk, per_pi=False,
                  fields={"target": joined(short_api(i.target) for i in items),
                          "chain": _chain(best.path), "gate": best.gate or ""},
                  confidence=_best(items))
